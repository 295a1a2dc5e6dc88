package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	db := flag.String("db", "", "the folder of OSV files to check against")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: vulncheck -db FOLDER MODULE_DIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *db == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(context.Background(), *db, flag.Args(), os.Stdout, os.Stderr))
}

// run checks each module folder in dirs against the database in dbDir,
// writes what it finds to stdout, and returns the exit code.
func run(ctx context.Context, dbDir string, dirs []string, stdout, stderr io.Writer) int {
	dbDir, err := filepath.Abs(dbDir)
	if err != nil {
		fmt.Fprintln(stdout, "vulncheck:", err)
		return 1
	}
	db, err := describeDB(dbDir)
	if err != nil {
		fmt.Fprintln(stdout, "vulncheck:", err)
		return 1
	}
	fmt.Fprintf(stdout, "vulnerability database: %s (%d OSV entries), dated %s (from %s)\n",
		db.dir, db.entries, db.date.Format("2006-01-02"), db.dateBy)
	code := 0
	for _, dir := range dirs {
		fmt.Fprintf(stdout, "-- module %s\n", dir)
		rep, err := check(ctx, db, dir, stderr)
		if err != nil {
			fmt.Fprintln(stdout, "vulncheck:", err)
			code = 1
			continue
		}
		if !rep.judge(stdout) {
			code = 1
		}
	}
	return code
}
