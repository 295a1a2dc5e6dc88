package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string
	FailedBuild string
}

// testKey names one test or subtest, or with an empty Test a package.
type testKey struct {
	pkg, test string
}

// skipped is one skipped test and the message it gave.
type skipped struct {
	pkg, test, reason string
}

// tally counts the results of the events it reads, prints what go test
// would print for failures and finished packages, and keeps the skips for
// the report.
type tally struct {
	w                       io.Writer
	strict                  bool // see failToolSkips
	passed, failed, skipped int
	skips                   []skipped
	failures                []string
	output                  map[testKey][]string
	failedIn                map[string]int
}

func newTally(w io.Writer) *tally {
	return &tally{w: w, output: map[testKey][]string{}, failedIn: map[string]int{}}
}

// read consumes a stream of go test -json events. A line that is not an
// event is printed as it is.
func (t *tally) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintf(t.w, "%s\n", line)
			continue
		}
		t.add(e)
	}
	return sc.Err()
}

// add takes one event into account.
func (t *tally) add(e event) {
	if e.Action == "build-output" {
		fmt.Fprint(t.w, e.Output)
		return
	}
	if e.Package == "" {
		return
	}
	key := testKey{e.Package, e.Test}
	switch e.Action {
	case "output":
		t.output[key] = append(t.output[key], e.Output)
	case "pass", "fail", "skip":
		if e.Test == "" {
			t.endPackage(e)
		} else {
			t.endTest(key, e.Action)
		}
	}
}

// endTest counts a test that ended with action.
func (t *tally) endTest(key testKey, action string) {
	lines := t.output[key]
	delete(t.output, key)
	switch action {
	case "pass":
		t.passed++
	case "skip":
		t.skipped++
		t.skips = append(t.skips, skipped{key.pkg, key.test, skipReason(lines)})
	case "fail":
		t.failed++
		t.failedIn[key.pkg]++
		t.failures = append(t.failures, key.pkg+" "+key.test)
		fmt.Fprint(t.w, strings.Join(lines, ""))
	}
}

// endPackage prints the end of a package's run: its ok line, or on failure
// its own output and that of any test that never ended. A failed package
// without a failed test counts as one failure.
func (t *tally) endPackage(e event) {
	key := testKey{e.Package, ""}
	lines := t.output[key]
	delete(t.output, key)
	switch e.Action {
	case "pass":
		for _, l := range lines {
			if strings.HasPrefix(l, "ok") {
				fmt.Fprint(t.w, l)
			}
		}
	case "fail":
		for k, unended := range t.output {
			if k.pkg == e.Package {
				fmt.Fprint(t.w, strings.Join(unended, ""))
				delete(t.output, k)
			}
		}
		fmt.Fprint(t.w, strings.Join(lines, ""))
		if t.failedIn[e.Package] == 0 {
			why := "failed outside any test"
			if e.FailedBuild != "" {
				why = "did not build"
			}
			t.failed++
			t.failures = append(t.failures, e.Package+" ("+why+")")
		}
	}
	delete(t.failedIn, e.Package)
}

// moduleFailed counts a module whose go test failed without a failed
// package, for instance because its go.mod needs an update.
func (t *tally) moduleFailed(dir string, err error) {
	t.failed++
	t.failures = append(t.failures, fmt.Sprintf("module %s (go test: %v)", dir, err))
}
