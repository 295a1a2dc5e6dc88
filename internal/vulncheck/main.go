package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	db := flag.String("db", "", "the folder of OSV files that govulncheck read (its -db file:// URL)")
	flag.Parse()
	os.Exit(run(*db, os.Stdin, os.Stdout))
}

// run describes the database in dir, judges the govulncheck report read
// from r, writes both to w, and returns the exit code.
func run(dir string, r io.Reader, w io.Writer) int {
	if dir == "" {
		fmt.Fprintln(w, "vulncheck: -db names no folder")
		return 2
	}
	db, err := describeDB(dir)
	if err != nil {
		fmt.Fprintln(w, "vulncheck:", err)
		return 1
	}
	rep, err := readReport(r)
	if err != nil {
		fmt.Fprintln(w, "vulncheck:", err)
		return 1
	}
	if !rep.judge(db, w) {
		return 1
	}
	return 0
}
