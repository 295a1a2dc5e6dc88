package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// operationsDoc returns docs/OPERATIONS.md.
func operationsDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docSection returns the part of doc under the heading "## title".
func docSection(t *testing.T, doc, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("docs/OPERATIONS.md has no section %q", title)
	}
	sec, _, _ := strings.Cut(rest, "\n## ")
	return sec
}

// firstColumns returns the cells of each table row in sec, without their
// backquotes; the header and rule rows are left out.
func firstColumns(sec string) [][]string {
	var rows [][]string
	for line := range strings.SplitSeq(sec, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "|---") {
			continue
		}
		var cells []string
		for c := range strings.SplitSeq(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		rows = append(rows, cells)
	}
	return rows[1:] // the header
}

// The settings table lists every flag of the proxy with its variable and
// default, and the demo's flags are the proxy's as the page says.
func TestOperationsSettingsTable(t *testing.T) {
	sec := docSection(t, operationsDoc(t), "Settings: flags and the environment")
	c, _, _ := envCLI(nil)
	fs, _ := c.newProxyFlags()
	var listed []string
	for _, row := range firstColumns(sec) {
		name := strings.TrimPrefix(row[0], "--")
		listed = append(listed, name)
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("the table lists --%s, which the proxy does not have", name)
			continue
		}
		if row[1] != envName(name) {
			t.Errorf("--%s: the table says %s, the command reads %s", name, row[1], envName(name))
		}
		if row[2] != f.DefValue && !(row[2] == "" && f.DefValue == "") {
			t.Errorf("--%s: the table's default %q, the command's %q", name, row[2], f.DefValue)
		}
	}
	var all []string
	fs.VisitAll(func(f *flag.Flag) { all = append(all, f.Name) })
	slices.Sort(listed)
	if !slices.Equal(listed, all) {
		t.Errorf("the table lists %q; the proxy has %q", listed, all)
	}

	demoFS := c.newFlags("demo", "demo")
	var df demoFlags
	df.register(demoFS, "")
	df.registerMode(demoFS)
	var demo []string
	demoFS.VisitAll(func(f *flag.Flag) { demo = append(demo, f.Name) })
	demo = append(demo, "warn-before") // the demo's own, registered in its command
	want := slices.DeleteFunc(slices.Clone(all), func(n string) bool {
		return n == "upstream" || n == "public" || n == "trusted-proxy" || n == "no-script"
	})
	want = append(want, "warn-before")
	slices.Sort(demo)
	slices.Sort(want)
	if !slices.Equal(demo, want) {
		t.Errorf("the demo has %q; the page says %q", demo, want)
	}
	for _, s := range []string{"`--public`", "`--trusted-proxy`", "`--no-script`", "`--warn-before`", "`--upstream`"} {
		if !strings.Contains(sec, s) {
			t.Errorf("the section does not mention %s", s)
		}
	}
}

// The error messages the page shows are the command's, word for word.
func TestOperationsErrorExamples(t *testing.T) {
	sec := docSection(t, operationsDoc(t), "Settings: flags and the environment")
	_, block, _ := strings.Cut(sec, "```\n")
	block, _, _ = strings.Cut(block, "```")
	want := strings.Split(strings.TrimSpace(block), "\n")
	db := filepath.Join(t.TempDir(), "never-made.db")
	var got []string
	for _, env := range []map[string]string{
		{"AUTHGATE_IDLE_TIMEOUT": "soon", "AUTHGATE_DB": db},
		{"AUTHGATE_CLIENT_MODE": "popup", "AUTHGATE_DB": db},
	} {
		c, _, errb := envCLI(env)
		if code := c.main(t.Context(), []string{"proxy"}); code != exitUsage {
			t.Errorf("exit code %d, want %d", code, exitUsage)
		}
		got = append(got, strings.TrimSuffix(errb.String(), "\n"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the command says\n%s\nthe page says\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a bad setting still made the database")
	}
}

// The access log's answers, the metrics and their labels are the page's.
func TestOperationsAnswersAndMetrics(t *testing.T) {
	doc := operationsDoc(t)
	logSec := docSection(t, doc, "The access log")
	for _, a := range []string{answerSignedIn, answerLoginRequired, answerUnavailable, answerThrottled,
		answerBadGateway, answerForbidden, answerGate, answerPublic} {
		if !strings.Contains(logSec, "`"+a+"`") {
			t.Errorf("the access log section does not explain the answer %s", a)
		}
	}
	metricsSec := docSection(t, doc, "Metrics")
	var documented []string
	for _, row := range firstColumns(metricsSec) {
		documented = append(documented, row[0])
	}
	m := newMetrics()
	var names []string
	for _, c := range m.own() {
		ch := make(chan *prometheus.Desc, 4)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			name := regexp.MustCompile(`fqName: "([a-z_]+)"`).FindStringSubmatch(d.String())
			if name == nil {
				t.Fatalf("no name in %s", d)
			}
			names = append(names, name[1])
		}
	}
	slices.Sort(names)
	slices.Sort(documented)
	if !slices.Equal(names, documented) {
		t.Errorf("the page lists %q; the command serves %q", documented, names)
	}
	for _, status := range []int{303, 401, 429, 503, 403, 400} {
		if r := signInResult(status); !strings.Contains(metricsSec, "`"+r+"`") {
			t.Errorf("the sign-in result %s is not on the page", r)
		}
	}
	health := docSection(t, doc, "Health and readiness")
	for _, s := range []string{"`" + livePath + "`", "`" + readyPath + "`"} {
		if !strings.Contains(health, s) {
			t.Errorf("the page does not name %s", s)
		}
	}
	if readyTimeout != 2*time.Second || readyFor != time.Second ||
		!strings.Contains(health, "for at most 2 seconds") || !strings.Contains(health, "reused for a second") {
		t.Error("the page's readiness bounds are not the command's")
	}
}

// The systemd unit passes systemd-analyze verify, with its ExecStart
// pointed at an executable that exists here.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile("../../docs/authgate.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"User=authgate", "StateDirectory=authgate", "ExecStart=/usr/local/bin/authgate proxy", "KillSignal=SIGTERM"} {
		if !strings.Contains(string(unit), "\n"+want+"\n") {
			t.Errorf("the unit lacks %s", want)
		}
	}
	stop := regexp.MustCompile(`(?m)^TimeoutStopSec=(\S+)$`).FindStringSubmatch(string(unit))
	if d, err := time.ParseDuration(stop[1]); err != nil || d <= 10*time.Second {
		t.Errorf("TimeoutStopSec=%s is not longer than the default --shutdown-grace", stop[1])
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if required("systemd") {
			t.Fatal("systemd-analyze is missing and AUTHGATE_REQUIRE names systemd")
		}
		t.Skip("systemd-analyze is missing (apt-get install systemd); AUTHGATE_REQUIRE=systemd refuses to skip")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "authgate.service")
	text := strings.Replace(string(unit), "ExecStart=/usr/local/bin/authgate", "ExecStart="+self, 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), analyze, "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "authgate.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// required reports whether $AUTHGATE_REQUIRE names tool.
func required(tool string) bool {
	for s := range strings.SplitSeq(os.Getenv("AUTHGATE_REQUIRE"), ",") {
		if strings.TrimSpace(s) == tool {
			return true
		}
	}
	return false
}
