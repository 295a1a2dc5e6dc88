package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/proxy"
)

// readmeSection returns the README's section under the heading that starts
// with title, up to the next "## ".
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "\n## "+title)
	if !ok {
		t.Fatalf("README.md has no section %q", title)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec
}

// placeholder matches a synopsis value that names what to give (URL, CIDR).
var placeholder = regexp.MustCompile(`^[A-Z][A-Z_]*(=[A-Z][A-Z_]*)?$`)

// TestReadmeProxy checks the README's "Protect any app" section against the
// command: its command line parses and passes the checks, every flag its
// synopsis names exists with the default it shows, and its header table is
// the one the proxy sets.
func TestReadmeProxy(t *testing.T) {
	sec := readmeSection(t, "Protect any app")
	c := newCLI(strings.NewReader(""), new(strings.Builder), new(strings.Builder))

	cmds := regexp.MustCompile("(?m)^authgate proxy (--upstream http.*)$").FindAllStringSubmatch(sec, -1)
	if len(cmds) == 0 {
		t.Fatal("the section has no authgate proxy --upstream command line")
	}
	for _, m := range cmds {
		fs, pf := c.newProxyFlags()
		if _, err := c.parse(fs, strings.Fields(m[1]), 0, 0); err != nil {
			t.Errorf("%q: %v", m[0], err)
			continue
		}
		if _, _, err := pf.check("proxy"); err != nil {
			t.Errorf("%q: %v", m[0], err)
		}
		if _, _, err := pf.checkProxy(); err != nil {
			t.Errorf("%q: %v", m[0], err)
		}
	}

	_, synopsis, ok := strings.Cut(sec, "```\nauthgate proxy --upstream URL ")
	if !ok {
		t.Fatal("the section has no synopsis")
	}
	synopsis, _, _ = strings.Cut(synopsis, "```")
	fs, _ := c.newProxyFlags()
	if named := checkSynopsis(t, "--upstream URL "+synopsis, fs); named < 10 {
		t.Errorf("the synopsis names %d flags; want every flag", named)
	}

	rows := regexp.MustCompile("(?m)^\\| `(X-Authgate-[A-Za-z-]+)` \\|").FindAllStringSubmatch(sec, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1])
	}
	if want := []string{proxy.HeaderUser, proxy.HeaderUserID, proxy.HeaderMethod}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the README's header table lists %q; the proxy sets %q", got, want)
	}
}

// TestReadmeDemo checks the README's synopsis of authgate demo against the
// command's flags: every flag named, with its default.
func TestReadmeDemo(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, synopsis, ok := strings.Cut(string(readme), "```\nauthgate demo [")
	if !ok {
		t.Fatal("the README has no synopsis of authgate demo")
	}
	synopsis, _, _ = strings.Cut(synopsis, "authgate users add")
	c := newCLI(strings.NewReader(""), new(strings.Builder), new(strings.Builder))
	fs, _ := c.newDemoFlags()
	checkSynopsis(t, synopsis, fs)
}

// checkSynopsis checks that every flag a README synopsis names exists in
// fs with the default it shows, and returns how many it names.
func checkSynopsis(t *testing.T, synopsis string, fs *flagSet) int {
	t.Helper()
	named := 0
	for _, m := range regexp.MustCompile(`--([a-z-]+)(?: ([^\] ]+))?`).FindAllStringSubmatch(synopsis, -1) {
		named++
		f := fs.Lookup(m[1])
		if f == nil {
			t.Errorf("the synopsis names --%s, which the command does not have", m[1])
			continue
		}
		shown := m[2]
		if shown == "" || placeholder.MatchString(shown) || strings.ContainsAny(shown, "|:/") && m[1] != "addr" {
			continue // a placeholder (URL, PREFIX, CIDR) or a list of choices
		}
		if d, err := time.ParseDuration(shown); err == nil && f.DefValue == d.String() {
			continue
		}
		if f.DefValue != shown {
			t.Errorf("the synopsis shows --%s %s; its default is %s", m[1], shown, f.DefValue)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(synopsis, "--"+f.Name+" ") && !strings.Contains(synopsis, "--"+f.Name+"]") {
			t.Errorf("the synopsis leaves out --%s", f.Name)
		}
	})
	return named
}
