package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/demo"
)

// An engine the scenarios of engines/ run in: its adapter is
// engines/<name>.mjs, and AUTHGATE_REQUIRE names it as require.
type engine struct{ name, require string }

var engines = []engine{
	{"chromium", "browser"},
	{"firefox", "firefox"},
	{"webkit", "webkit"},
}

// engineTimeout bounds one engine's run of every scenario.
const engineTimeout = 9 * time.Minute

// TestEngines runs the scenarios written once in engines/scenarios.mjs in
// every engine, Chromium and Firefox through puppeteer-core and WebKit
// through WebKitWebDriver, each against test servers of its own: a page
// load signed out, a call after expiry and after revocation by every client
// library in redirect and dialog mode, the warning, a sign-out reaching
// another tab, the seeds' snippets, the demo's page, the HTTP
// authentication prompt (never raised, and raised by a control route),
// axe-core on the dialog, the warning and the login page, and the headers
// the engine sends (checked against docs/PROTOCOL.md). The engines run at
// the same time, whatever go test's -parallel; then each scenario is a
// subtest: TestEngines/firefox/warning. An engine that is missing skips,
// unless AUTHGATE_REQUIRE names it.
func TestEngines(t *testing.T) {
	runs := make([]*engineRun, len(engines))
	var wg sync.WaitGroup
	for i, e := range engines {
		runs[i] = &engineRun{engine: e, missing: engineMissing(t, e)}
		if runs[i].missing != "" {
			continue
		}
		args := startServers(t, e)
		wg.Go(func() { runs[i].run(t.Context(), args) })
	}
	wg.Wait()
	for _, r := range runs {
		t.Run(r.engine.name, r.report)
	}
}

// engineMissing says what is missing to run the engine: node,
// e2e/node_modules or the engine itself (its adapter's missing()), or "".
func engineMissing(t *testing.T, e engine) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed (apt-get install nodejs npm)"
	}
	if nodeModules() == "" {
		return "e2e/node_modules is missing (cd e2e && npm ci)"
	}
	out, err := exec.CommandContext(t.Context(), "node", "engines/run.mjs", "--engine", e.name, "--check").Output()
	var check struct{ Missing string }
	if err != nil || json.Unmarshal(out, &check) != nil {
		t.Fatalf("node engines/run.mjs --engine %s --check: %v: %s", e.name, err, out)
	}
	return check.Missing
}

// result is one line of run.mjs's output.
type result struct {
	Engine   string         `json:"engine"`
	Version  string         `json:"version"`
	Scenario string         `json:"scenario"`
	OK       bool           `json:"ok"`
	Message  string         `json:"message"`
	MS       int            `json:"ms"`
	Data     map[string]any `json:"data"`
}

// engineRun is one engine's run of run.mjs and what it printed.
type engineRun struct {
	engine   engine
	missing  string
	version  string
	results  []result
	bad      []string // lines that are not results
	err      error    // from the command
	stderr   bytes.Buffer
	took     time.Duration
	commands string
}

// startServers starts the test apps, the demo and the control server of
// one engine's run, until the test ends, and returns run.mjs's arguments.
func startServers(t *testing.T, e engine) []string {
	// Every app is served over https, as in production: over plain http,
	// even to localhost, WebKitGTK drops the gate's Secure cookies (see
	// docs/PROTOCOL.md), which the scenario localhost-plain-http shows on
	// the app plainhttp; with InsecureCookies (plaininsecure) it signs in.
	apps := map[string]*testApp{
		"main": newApp(t, appOptions{tls: true}),
		"s418": newApp(t, appOptions{tls: true, signal: authgate.Signal418}),
		"body": newApp(t, appOptions{tls: true, signal: authgate.SignalBody("MASONITE_LOGIN_REQUIRED")}),
		// The README's `authgate demo --idle-timeout 1m`.
		"demo":          newApp(t, appOptions{tls: true, idle: time.Minute}),
		"plainhttp":     newApp(t, appOptions{}),
		"plaininsecure": newApp(t, appOptions{insecure: true}),
	}
	demoNotes := demo.NewMemoryNotes()
	bases := map[string]string{}
	for name, a := range apps {
		bases[name] = a.base
	}
	for name, mode := range map[string]authgate.ClientMode{"demo": authgate.ClientDialog, "demoredirect": authgate.ClientRedirect} {
		a := apps["demo"]
		srv := httptest.NewTLSServer(demo.New(a.gate, demoNotes, demo.Options{Now: a.now, ClientMode: mode}))
		t.Cleanup(srv.Close)
		bases[name] = "https://localhost:" + port(srv)
	}
	ctl := httptest.NewServer(controlHandler(apps, demoNotes))
	t.Cleanup(ctl.Close)

	args := []string{"engines/run.mjs", "--engine", e.name, "--ctl", ctl.URL}
	for name, base := range bases {
		args = append(args, "--base", name+"="+base)
	}
	if only := os.Getenv("AUTHGATE_ENGINES_ONLY"); only != "" {
		args = append(args, "--only", only)
	}
	return args
}

// run runs node with args and keeps what it printed. It runs on a
// goroutine of its own: it must not touch the test.
func (r *engineRun) run(ctx context.Context, args []string) {
	ctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	r.commands = "node " + strings.Join(args, " ")
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Stderr = &r.stderr
	start := time.Now()
	out, err := cmd.Output()
	r.took = time.Since(start)
	r.err = err
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		var res result
		switch {
		case line == "":
		case json.Unmarshal([]byte(line), &res) != nil:
			r.bad = append(r.bad, line)
		case res.Engine != "":
			r.version = res.Version
		default:
			r.results = append(r.results, res)
		}
	}
}

// report turns the run into subtests, one per scenario, and checks the
// engine's column of docs/PROTOCOL.md section 1.1.
func (r *engineRun) report(t *testing.T) {
	if r.missing != "" {
		if required(r.engine.require) {
			t.Fatalf("AUTHGATE_REQUIRE names %s, but %s", r.engine.require, r.missing)
		}
		t.Skipf("skipping: %s; set AUTHGATE_REQUIRE=%s to make this a failure", r.missing, r.engine.require)
	}
	t.Logf("%s %s: %d scenarios in %v", r.engine.name, r.version, len(r.results), r.took.Round(time.Second))
	for _, line := range r.bad {
		t.Errorf("run.mjs printed %q", line)
	}
	if r.err != nil {
		t.Errorf("%s: %v\n%s", r.commands, r.err, r.stderr.String())
	}
	if len(r.results) == 0 {
		t.Fatalf("run.mjs ran no scenario\n%s", r.stderr.String())
	}
	observed := map[string]map[string]any{}
	for _, res := range r.results {
		observed[res.Scenario] = res.Data
		t.Run(res.Scenario, func(t *testing.T) {
			t.Logf("%d ms", res.MS)
			if len(res.Data) > 0 {
				b, _ := json.Marshal(res.Data)
				t.Logf("observed: %s", b)
			}
			if !res.OK {
				t.Errorf("after %d ms: %s", res.MS, res.Message)
			}
		})
	}
	if observed["signals"] != nil && observed["localhost-plain-http"] != nil {
		t.Run("docs/PROTOCOL.md", func(t *testing.T) { checkEngineDoc(t, r.engine.name, r.version, observed) })
	}
}

// controlHandler lets the scenarios act on the test apps, by name: POST
// /{app}/expire, revoke, near, real, reset; GET /{app}/state.
func controlHandler(apps map[string]*testApp, demoNotes *demo.MemoryNotes) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{app}/{action}", func(w http.ResponseWriter, r *http.Request) {
		a, ok := apps[r.PathValue("app")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch r.PathValue("action") {
		case "expire":
			a.expire()
		case "revoke":
			if _, err := a.store.RevokeUserSessions(r.Context(), testUserID); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		case "near":
			a.nearDeadline()
		case "real":
			a.realClock()
		case "reset":
			a.realClock()
			a.fakeSignals.Store(0)
			a.store.down.Store(false)
			a.echoes.reset()
			if _, err := a.store.RevokeUserSessions(r.Context(), testUserID); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	})
	mux.HandleFunc("GET /{app}/state", func(w http.ResponseWriter, r *http.Request) {
		a, ok := apps[r.PathValue("app")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		st := struct {
			HandlerRuns int32               `json:"handlerRuns"`
			NoteCalls   int32               `json:"noteCalls"`
			Notes       []storedNote        `json:"notes"`
			LastSeen    int64               `json:"lastSeen"`
			Echoes      map[string][]string `json:"echoes"`
			DemoNotes   []string            `json:"demoNotes"`
		}{
			HandlerRuns: a.handlerRuns.Load(),
			NoteCalls:   a.noteCalls.Load(),
			Notes:       append([]storedNote{}, a.notes.all()...),
			Echoes:      a.echoes.all(),
			DemoNotes:   []string{},
		}
		ss, err := a.store.UserSessions(r.Context(), testUserID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, s := range ss {
			if !s.Revoked && s.LastSeen.UnixMilli() > st.LastSeen {
				st.LastSeen = s.LastSeen.UnixMilli()
			}
		}
		dn, err := demoNotes.List(r.Context(), testUserID, 10)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, n := range dn {
			st.DemoNotes = append(st.DemoNotes, n.Text)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st)
	})
	return mux
}

// echoedHeaders are the request headers that /open/echo records: the Fetch
// Metadata and the others the gate reads to tell a page load from a call.
var echoedHeaders = []string{"Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "Accept", "X-Requested-With", "HX-Request"}

// echoTags are the requests a scenario may name with /open/echo?tag=.
var echoTags = []string{"navigation", "form-post", "fetch", "fetch-post", "xhr"}

// echoBook holds, for each tag of echoTags, the echoed headers of the last
// request for /open/echo?tag=, each as "Name: value", or "Name: (none)".
type echoBook struct {
	mu sync.Mutex
	m  map[string][]string
}

func (b *echoBook) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m = nil
}

func (b *echoBook) all() map[string][]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string][]string{}
	for k, v := range b.m {
		out[k] = v
	}
	return out
}

// echo records the request's headers under its tag and answers a small page.
func (a *testApp) echo(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	known := false
	for _, k := range echoTags {
		known = known || k == tag
	}
	if !known {
		http.NotFound(w, r)
		return
	}
	var seen []string
	for _, h := range echoedHeaders {
		v := r.Header.Get(h)
		if v == "" {
			v = "(none)"
		}
		seen = append(seen, h+": "+v)
	}
	a.echoes.mu.Lock()
	if a.echoes.m == nil {
		a.echoes.m = map[string][]string{}
	}
	a.echoes.m[tag] = seen
	a.echoes.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, "<!doctype html><title>echo</title><p id=app>%s</p>", tag)
}

// engineColumns are the engines' columns in docs/PROTOCOL.md's tables of
// section 1.1, by the start of their heading.
var engineColumns = map[string]string{"chromium": "Chromium ", "firefox": "Firefox ", "webkit": "WebKitGTK "}

// echoRows maps the rows of section 1.1's first table to the echo tags.
var echoRows = map[string]string{
	"a page typed in the address bar": "navigation",
	"a form post":                     "form-post",
	"`fetch` GET":                     "fetch",
	"`fetch` POST with a JSON body":   "fetch-post",
	"`XMLHttpRequest` GET":            "xhr",
}

// checkEngineDoc checks the engine's column of the two tables of
// docs/PROTOCOL.md section 1.1 against what the scenarios observed: the
// version in its heading, the Fetch Metadata of each request, whether a
// sign-in over plain http to localhost sticks, and the Navigation API.
func checkEngineDoc(t *testing.T, engine, version string, observed map[string]map[string]any) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "### 1.1 What each engine sends")
	if !ok {
		t.Fatal("docs/PROTOCOL.md has no section 1.1 What each engine sends")
	}
	signals := observed["signals"]
	seen := 0
	for _, table := range []string{"| request |", "| what |"} {
		head, rows := mdTable(t, section, table)
		col := -1
		for i, h := range head {
			if strings.HasPrefix(h, engineColumns[engine]) {
				col = i
				if v := strings.TrimPrefix(h, engineColumns[engine]); !strings.Contains(version, v) {
					t.Errorf("the table %q names %s; the engine is %s", table, h, version)
				}
			}
		}
		if col < 0 {
			t.Fatalf("the table %q has no column for %s", table, engine)
		}
		for _, row := range rows {
			var want string
			switch {
			case echoRows[row[0]] != "":
				got, _ := signals[echoRows[row[0]]].([]any)
				want = fetchMetadata(got)
			case strings.HasPrefix(row[0], "keeps a `Secure` cookie"):
				want = yesNo(observed["localhost-plain-http"]["signInSticks"] == true)
			case strings.HasPrefix(row[0], "has the Navigation API"):
				has, _ := signals["has"].([]any)
				want = yesNo(len(has) > 0 && has[0] == "navigation")
			default:
				t.Errorf("docs/PROTOCOL.md section 1.1: a row this test does not know: %q", row[0])
				continue
			}
			seen++
			if row[col] != want {
				t.Errorf("docs/PROTOCOL.md section 1.1, %s, %s: the table says %s; %s %s", row[0], head[col], row[col], engine, want)
			}
		}
	}
	if seen != len(echoRows)+2 {
		t.Errorf("checked %d rows of section 1.1; want %d", seen, len(echoRows)+2)
	}
}

// fetchMetadata writes the Sec-Fetch-Site, -Mode and -Dest of an echo as
// the table does: `same-origin` `cors` `empty`.
func fetchMetadata(echo []any) string {
	var out []string
	for _, name := range []string{"Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest"} {
		v := "(missing)"
		for _, line := range echo {
			if s, _ := line.(string); strings.HasPrefix(s, name+": ") {
				v = strings.TrimPrefix(s, name+": ")
			}
		}
		out = append(out, "`"+v+"`")
	}
	return strings.Join(out, " ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// mdTable returns the heading cells and the rows of the first Markdown
// table in text whose heading line starts with head.
func mdTable(t *testing.T, text, head string) ([]string, [][]string) {
	t.Helper()
	i := strings.Index(text, "\n"+head)
	if i < 0 {
		t.Fatalf("no table %q", head)
	}
	var cells [][]string
	for _, line := range strings.Split(text[i+1:], "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		var row []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.TrimSpace(c))
		}
		cells = append(cells, row)
	}
	if len(cells) < 3 {
		t.Fatalf("the table %q has no rows", head)
	}
	return cells[0], cells[2:]
}
