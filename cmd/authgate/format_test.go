package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestTextForTerminal: shellQuote and printable make text safe to show or
// paste: each maps its inputs to the outputs in its table.
func TestTextForTerminal(t *testing.T) {
	for _, fn := range []struct {
		name  string
		f     func(string) string
		tests map[string]string
	}{
		{"shellQuote", shellQuote, map[string]string{
			"authgate.db":       "authgate.db",
			"/var/lib/a-b_c.db": "/var/lib/a-b_c.db",
			"my notes.db":       "'my notes.db'",
			"it's.db":           `'it'\''s.db'`,
			"$(rm -rf x).db":    "'$(rm -rf x).db'",
			"":                  "''",
		}},
		{"printable", printable, map[string]string{
			"Alice Liddell":       "Alice Liddell",
			"Zoë 名前":              "Zoë 名前",
			"tab\there":           "tab?here",
			"evil\x1b[2Jclear":    "evil?[2Jclear",
			"line\nbreak\r":       "line?break?",
			"bad \xff byte":       "bad ? byte",
			"nbsp\u00a0and\u200b": "nbsp?and?",
		}},
	} {
		for in, want := range fn.tests {
			if got := fn.f(in); got != want {
				t.Errorf("%s(%q) = %q, want %q", fn.name, in, got, want)
			}
		}
	}
}

func TestReadPasswordInput(t *testing.T) {
	tests := []struct {
		in, want string
		code     int
	}{
		{"password123\n", "password123", exitOK},
		{"password123\r\n", "password123", exitOK},
		{"password123", "password123", exitOK},
		{"pass word 123 \n", "pass word 123 ", exitOK},
		{"two\nlines\n", "", exitUsage},
		{"tab\tinside\n", "", exitUsage},
		{"short\n", "", exitUsage},
		{"", "", exitUsage},
		{strings.Repeat("x", maxPassword) + "\n", strings.Repeat("x", maxPassword), exitOK},
		{strings.Repeat("x", maxPassword+1), "", exitUsage},
		{"bad \xff utf-8 here", "", exitUsage},
	}
	for _, tc := range tests {
		c := newCLI(strings.NewReader(tc.in), &strings.Builder{}, &strings.Builder{})
		got, err := c.readPassword(t.Context(), "x", true)
		if got != tc.want || exitCode(err) != tc.code {
			t.Errorf("readPassword(%.20q) = %.20q, exit %d; want %.20q, exit %d (%v)", tc.in, got, exitCode(err), tc.want, tc.code, err)
		}
	}
}

func TestReadLine(t *testing.T) {
	r := strings.NewReader("first\r\nsecond\nrest")
	for _, want := range []string{"first", "second", "rest", ""} {
		got, err := readLine(r)
		if err != nil || string(got) != want {
			t.Errorf("readLine = %q, %v; want %q", got, err, want)
		}
	}
}

func TestParseMixed(t *testing.T) {
	tests := []struct {
		args []string
		name string
		pos  string
	}{
		{[]string{"bob", "--name", "Bob"}, "Bob", "bob"},
		{[]string{"--name", "Bob", "bob"}, "Bob", "bob"},
		{[]string{"--name=Bob", "--", "-bob"}, "Bob", "-bob"},
		{[]string{"bob"}, "", "bob"},
	}
	for _, tc := range tests {
		c := newCLI(strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
		fs := c.newFlags("test", "test")
		name := fs.String("name", "", "")
		pos, err := c.parse(fs, tc.args, 1, 1)
		if err != nil || *name != tc.name || pos[0] != tc.pos {
			t.Errorf("parse(%q) = name %q, pos %q, %v; want %q, %q", tc.args, *name, pos, err, tc.name, tc.pos)
		}
	}
}

func TestBaseURL(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:8080":   "http://localhost:8080/",
		"[::]:8080":      "http://localhost:8080/",
		"[::1]:8080":     "http://[::1]:8080/",
		"192.0.2.1:80":   "http://192.0.2.1:80/",
	}
	for in, want := range tests {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURL(addr); got != want {
			t.Errorf("baseURL(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestLastUsed checks that a key's listed last use is never before it was
// made, though uses are stored rounded down to the touch interval.
func TestLastUsed(t *testing.T) {
	made := time.Date(2030, 1, 1, 9, 0, 42, 0, time.UTC)
	tests := []struct {
		name       string
		used, want time.Time
	}{
		{"never used", time.Time{}, time.Time{}},
		{"rounded down before it was made", made.Add(-42 * time.Second), made},
		{"used later", made.Add(time.Hour), made.Add(time.Hour)},
	}
	for _, tc := range tests {
		k := authgate.APIKey{CreatedAt: made, LastUsed: tc.used}
		if got := lastUsed(k); !got.Equal(tc.want) {
			t.Errorf("%s: lastUsed = %v; want %v", tc.name, got, tc.want)
		}
	}
}
