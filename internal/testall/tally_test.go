package main

import (
	"os"
	"strings"
	"testing"
)

// TestTallyRecordedRun reads a recorded `go test -short -json ./...` of
// testdata-like packages: passes, skips with and without a message, a
// failing parallel subtest, a package that does not build, one without
// test files, a TestMain that exits non-zero after passing tests, and a
// test that panics.
func TestTallyRecordedRun(t *testing.T) {
	f, err := os.Open("testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	tl := newTally(&out)
	if err := tl.read(f); err != nil {
		t.Fatal(err)
	}
	tl.report()
	got := out.String()

	if tl.passed != 3 || tl.failed != 5 || tl.skipped != 4 {
		t.Errorf("counted %d passed, %d failed, %d skipped; want 3, 5, 4", tl.passed, tl.failed, tl.skipped)
	}
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "tests: 3 passed, 5 failed, 4 skipped" {
		t.Errorf("closing line %q", last)
	}
	for _, want := range []string{
		"b/b_test.go:5:28: undefined: undefined\n", // the build error
		"    a_test.go:9: bad\n        thing\n",    // a failed test's output
		"panic: boom",                              // a crash inside a test
		"ok  \tsample/f\t",                         // a passing package's line
		"  sample/b (did not build)\n",
		"  sample/d (failed outside any test)\n",
		"  sample/a TestSub/two\n",
		"  sample/e TestPanics\n",
		"  1 skipped: needs thing; set AUTHGATE_REQUIRE=thing to make this a failure\n" +
			"    setting: AUTHGATE_REQUIRE=thing\n" +
			"    in sample/a: TestSkip\n",
		"  1 skipped: allocates 100k sessions; runs without -short\n" +
			"    setting: without -short\n",
		"  1 skipped: multi line\n    setting: none named in the message\n",
		"  1 skipped: (no message)\n",
		"skipped: 4 tests, for 4 reasons\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"--- PASS: TestPass", "sample/c", "TestFine"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the report shows %q, which passed or has no tests:\n%s", unwanted, got)
		}
	}
}

// TestTallyNotJSON passes through a line that is not an event, as go test
// prints when it fails before running anything.
func TestTallyNotJSON(t *testing.T) {
	var out strings.Builder
	tl := newTally(&out)
	if err := tl.read(strings.NewReader("go: updates to go.mod needed\n{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\"}\n")); err != nil {
		t.Fatal(err)
	}
	if out.String() != "go: updates to go.mod needed\n" || tl.passed != 1 {
		t.Errorf("printed %q, counted %d passed", out.String(), tl.passed)
	}
}

func TestSkipReason(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"message", []string{"=== RUN   TestA\n", "    a_test.go:6: no redis\n", "--- SKIP: TestA (0.00s)\n"}, "no redis"},
		{"last of several logs", []string{"    a_test.go:5: before\n", "    a_test.go:6: the reason\n"}, "the reason"},
		{"multi-line", []string{"    a_test.go:8: multi\n", "        line\n"}, "multi line"},
		{"subtest indent", []string{"        x_test.go:12: deep\n"}, "deep"},
		{"no message", []string{"=== RUN   TestA\n", "--- SKIP: TestA (0.00s)\n"}, "(no message)"},
		{"colon in message", []string{"    a_test.go:6: needs: redis-server\n"}, "needs: redis-server"},
		{"unindented stray output", []string{"    a_test.go:6: why\n", "stray\n"}, "why"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := skipReason(tc.lines); got != tc.want {
				t.Errorf("skipReason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	tests := []struct {
		msg  string
		want string
	}{
		{"skipping: chromium is not installed; set AUTHGATE_REQUIRE=browser to make this a failure", "AUTHGATE_REQUIRE=browser"},
		{"redis-server is not on PATH (set AUTHGATE_REQUIRE=redis to make this a failure)", "AUTHGATE_REQUIRE=redis"},
		{"needs both (AUTHGATE_REQUIRE=browser,redis).", "AUTHGATE_REQUIRE=browser,redis"},
		{"allocates 100k sessions; runs without -short", "without -short"},
		{"soak: set AUTHGATE_SOAK=1m or AUTHGATE_SOAK=1m", "AUTHGATE_SOAK=1m"},
		{"two: A=1 and B_2=x", "A=1 | B_2=x"},
		{"not settings: a=1, =x, X=, 1X=2, Name=v, -shorter", ""},
		{"permissions do not bind root", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(settings(tc.msg), " | "); got != tc.want {
			t.Errorf("settings(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
