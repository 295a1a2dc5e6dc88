package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testall:", err)
		os.Exit(2)
	}
	os.Exit(run(wd, os.Args[1:], os.Stdout, os.Stderr))
}

// run tests every module below the root of the module that holds dir with
// the go test flags in args, writes the progress and the summary to stdout,
// and returns the exit code: 0 when no test failed, 1 when one did, 2 when
// the modules could not be found.
func run(dir string, args []string, stdout, stderr io.Writer) int {
	root, err := moduleRoot(dir)
	if err != nil {
		fmt.Fprintln(stderr, "testall:", err)
		return 2
	}
	modules, err := findModules(root)
	if err != nil {
		fmt.Fprintln(stderr, "testall:", err)
		return 2
	}
	tally := newTally(stdout)
	var goArgs []string
	for _, a := range args {
		if a == "-testall.strict" {
			tally.strict = true
		} else {
			goArgs = append(goArgs, a)
		}
	}
	for _, dir := range modules {
		fmt.Fprintf(stdout, "== module %s\n", dir)
		before := tally.failed
		err := goTest(filepath.Join(root, dir), argsFor(dir, goArgs), tally, stderr)
		if err != nil && tally.failed == before {
			tally.moduleFailed(dir, err)
		}
	}
	tally.report()
	if tally.failed > 0 {
		return 1
	}
	return 0
}

// argsFor returns the go test flags for the module in dir (relative to the
// root): args, less -race for the modules under tools/. Those are programs
// run at build time (the minifier, govulncheck, config checks), never served;
// their dependencies are large, and building them with the race detector
// costs minutes and checks nothing that serves a request.
func argsFor(dir string, args []string) []string {
	if !strings.HasPrefix(filepath.ToSlash(dir)+"/", "tools/") {
		return args
	}
	var out []string
	for _, a := range args {
		if a != "-race" && a != "-race=true" && a != "--race" {
			out = append(out, a)
		}
	}
	return out
}

// goTest runs `go test -json args ./...` in dir and feeds its standard
// output to tally. It returns an error when go test exits non-zero or
// cannot be run.
func goTest(dir string, args []string, tally *tally, stderr io.Writer) error {
	cmdArgs := append([]string{"test", "-json"}, args...)
	cmd := exec.Command("go", append(cmdArgs, "./...")...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	readErr := tally.read(out)
	waitErr := cmd.Wait()
	return errors.Join(waitErr, readErr)
}
