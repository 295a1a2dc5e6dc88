package authgate_test

// The statements of docs/PROTOCOL.md, checked against what a Gate answers.
// Every ```http block there (and in the README) is a request and its answer:
// the request is sent over a real connection to a gate set up as the
// document's introduction says, and the answer must be the one shown.

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/oidc"
)

// protocolDoc is the document this file checks.
const protocolDoc = "docs/PROTOCOL.md"

// protocolNow is the clock of every example: 2030-01-01 09:00:00 UTC.
var protocolNow = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

// httpBlock is one ```http block of a document: a request and its answer.
type httpBlock struct {
	where   string            // file:line of the block's first line
	attrs   map[string]string // from the info string: signal=418, store=down, tries=11, ...
	request string            // the request's lines, \n-separated
	answer  string            // the answer's lines
}

// answerStart is the status line that begins an answer inside a block.
var answerStart = regexp.MustCompile(`(?m)^HTTP/1\.1 \d{3} `)

// httpBlocks returns the ```http blocks of a Markdown file.
func httpBlocks(t *testing.T, file string) []httpBlock {
	t.Helper()
	var blocks []httpBlock
	for _, b := range fencedBlocks(t, file, "http") {
		loc := answerStart.FindStringIndex(b.text)
		if loc == nil || loc[0] == 0 {
			t.Errorf("%s: an http block must hold a request, a blank line and the answer's status line", b.where)
			continue
		}
		hb := httpBlock{
			where:   b.where,
			attrs:   map[string]string{},
			request: strings.TrimRight(b.text[:loc[0]], "\n"),
			answer:  strings.TrimRight(b.text[loc[0]:], "\n"),
		}
		for _, a := range b.info[1:] {
			k, v, _ := strings.Cut(a, "=")
			hb.attrs[k] = v
		}
		blocks = append(blocks, hb)
	}
	return blocks
}

// fencedBlock is a fenced code block of a Markdown file.
type fencedBlock struct {
	where string
	info  []string // the info string's words; info[0] is the language
	text  string   // the lines inside the fences, each ending in \n
}

// fencedBlocks returns the fenced blocks of file in language lang.
func fencedBlocks(t *testing.T, file, lang string) []fencedBlock {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []fencedBlock
	var cur *fencedBlock
	for i, line := range strings.Split(string(src), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			info := strings.Fields(strings.TrimPrefix(trimmed, "```"))
			if len(info) > 0 && info[0] == lang {
				cur = &fencedBlock{where: fmt.Sprintf("%s:%d", file, i+1), info: info}
			} else {
				cur = &fencedBlock{} // another language: skipped
			}
		case cur != nil && trimmed == "```":
			if cur.where != "" {
				blocks = append(blocks, *cur)
			}
			cur = nil
		case cur != nil && cur.where != "":
			// Blocks inside list items are indented; the indent is not part
			// of the text.
			cur.text += strings.TrimPrefix(strings.TrimPrefix(line, "  "), "  ") + "\n"
		}
	}
	return blocks
}

// protocolGate is a gate set up as the document's introduction says,
// serving over a real listener.
type protocolGate struct {
	gate   *authgate.Gate
	store  *testkit.Store // fails session reads in blocks marked store=down
	addr   string
	values map[string]string // what each request placeholder stands for
}

// newProtocolGate makes the gate of the examples: default Config (but a
// cheap hasher, and the settings a block names), the user ada, her sessions
// and key.
func newProtocolGate(t *testing.T, attrs map[string]string) *protocolGate {
	t.Helper()
	ctx := context.Background()
	clock := testkit.NewClockAt(protocolNow)
	store := testkit.Wrap(memstore.New(memstore.WithClock(clock.Now)))
	ada := testkit.AddUser(t, store, authgate.User{ID: "u1", Login: "ada", Name: "Ada", CreatedAt: protocolNow.Add(-24 * time.Hour)}, "correct horse battery staple")
	cfg := authgate.Config{
		Store:  store,
		Hasher: testkit.Hasher,
		Now:    clock.Now,
		Logger: slog.New(slog.DiscardHandler),
	}
	if signal := attrs["signal"]; signal != "" {
		var err error
		if cfg.Signal, err = authgate.ParseSignal(signal); err != nil {
			t.Fatal(err)
		}
	}
	cfg.NoUserAgentRule = attrs["NoUserAgentRule"] == "true"
	cfg.InsecureCookies = attrs["InsecureCookies"] == "true"
	issuer := ""
	switch attrs["oidc"] {
	case "":
	case "up":
		issuer = oidctest.Start(t, oidctest.Options{}).Issuer
	case "down":
		issuer = "http://127.0.0.1:9" // nothing listens on the discard port
	default:
		t.Fatalf("oidc=%q", attrs["oidc"])
	}
	if issuer != "" {
		p, err := oidc.New(oidc.Config{Name: "sso", Label: "Example SSO", Issuer: issuer,
			ClientID: "authgate", ClientSecret: "not-used", Key: []byte(strings.Repeat("k", 32))})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Providers = []authgate.Provider{p}
	}
	gate, err := authgate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pg := &protocolGate{gate: gate, store: store, values: map[string]string{}}

	signIn := func(at time.Time) (string, authgate.Session) {
		clock.Set(at)
		defer clock.Set(protocolNow)
		w := httptest.NewRecorder()
		s, err := gate.SignIn(ctx, w, httptest.NewRequest(http.MethodPost, "https://app.example/login", nil), ada)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range w.Result().Cookies() {
			if c.Name == "__Host-authgate" {
				return c.Value, s
			}
		}
		t.Fatal("SignIn set no __Host-authgate cookie")
		return "", s
	}
	pg.values["<session>"], _ = signIn(protocolNow.Add(-10 * time.Minute))
	pg.values["<expired session>"], _ = signIn(protocolNow.Add(-40 * time.Minute))
	var revoked authgate.Session
	pg.values["<revoked session>"], revoked = signIn(protocolNow.Add(-10 * time.Minute))
	if err := store.RevokeSession(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}

	keyID, secret := testkit.AddKey(t, store, "u1", protocolNow.Add(-time.Hour), time.Time{})
	pg.values["<key>"] = base64.StdEncoding.EncodeToString([]byte(keyID + ":" + secret))
	pg.values["<wrong key>"] = base64.StdEncoding.EncodeToString([]byte(keyID + ":not-the-secret"))

	page := httptest.NewRequest(http.MethodGet, "https://app.example/notes", nil)
	tag := string(gate.ScriptTag(page, authgate.ClientOptions{}))
	m := regexp.MustCompile(`src="/\.authgate/client\.([^".]+)\.js"`).FindStringSubmatch(tag)
	if m == nil {
		t.Fatalf("the script tag has no content-hashed src: %s", tag)
	}
	pg.values["<hash>"] = m[1]

	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := authgate.FromContext(r.Context())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "notes of %s", id.UserID)
	})
	mux := http.NewServeMux()
	mux.Handle("/login", gate)
	mux.Handle("/logout", gate)
	mux.Handle("/.authgate/", gate)
	mux.Handle("/", gate.Require(app))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	pg.addr = srv.Listener.Addr().String()
	return pg
}

// repeated is the request placeholder "<x × 9000>": a character, repeated.
var repeated = regexp.MustCompile(`<(.) × (\d+)>`)

// placeholder is any <...> left in a request after substitution.
var placeholder = regexp.MustCompile(`<[^<>]*>`)

// wire turns a request written in a document into the bytes to send:
// placeholders filled in, CRLF line ends, and Content-Length when it has a
// body.
func (pg *protocolGate) wire(t *testing.T, where, request string) []byte {
	t.Helper()
	request = repeated.ReplaceAllStringFunc(request, func(s string) string {
		m := repeated.FindStringSubmatch(s)
		n, _ := strconv.Atoi(m[2])
		return strings.Repeat(m[1], n)
	})
	for k, v := range pg.values {
		request = strings.ReplaceAll(request, k, v)
	}
	head, body, hasBody := strings.Cut(request, "\n\n")
	if p := placeholder.FindString(head); p != "" {
		t.Fatalf("%s: the request uses %s, which the test does not know", where, p)
	}
	if hasBody && !strings.Contains(strings.ToLower(head), "\ncontent-length:") {
		head += "\nContent-Length: " + strconv.Itoa(len(body))
	}
	return []byte(strings.ReplaceAll(head, "\n", "\r\n") + "\r\n\r\n" + body)
}

// send sends one request on a new connection and reads the answer.
func (pg *protocolGate) send(t *testing.T, where string, raw []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(raw))))
	if err != nil {
		t.Fatalf("%s: the request cannot be parsed: %v", where, err)
	}
	conn, err := net.Dial("tcp", pg.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(raw); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", where, err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer's body: %v", where, err)
	}
	return res, body
}

// ignoredHeaders are left out of every answer in the documents.
var ignoredHeaders = map[string]bool{"Date": true, "Content-Length": true}

// checkAnswer compares an answer with the one a document shows.
func checkAnswer(t *testing.T, where string, res *http.Response, body []byte, want string) {
	t.Helper()
	head, wantBody, _ := strings.Cut(want, "\n\n")
	lines := strings.Split(head, "\n")
	if got := res.Proto + " " + res.Status; got != lines[0] {
		t.Errorf("%s: the status line is %q, the document says %q", where, got, lines[0])
	}

	var got []string // "Name: value", names canonical
	for name, values := range res.Header {
		if ignoredHeaders[name] {
			continue
		}
		for _, v := range values {
			got = append(got, name+": "+v)
		}
	}
	used := make([]bool, len(got))
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			t.Errorf("%s: %q is not a header line", where, line)
			continue
		}
		re := headerPattern(textproto.CanonicalMIMEHeaderKey(name), value)
		found := false
		for i, g := range got {
			if !used[i] && re.MatchString(g) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("%s: the answer lacks %q; its headers are\n%s", where, line, strings.Join(got, "\n"))
		}
	}
	for i, g := range got {
		if !used[i] {
			t.Errorf("%s: the answer has %q, which the document does not show", where, g)
		}
	}
	checkBody(t, where, res.Header.Get("Content-Type"), string(body), strings.TrimRight(wantBody, "\n"))
}

// headerPattern matches "Name: value", where <...> in value stands for any
// text.
func headerPattern(name, value string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^" + regexp.QuoteMeta(name+": "))
	rest := value
	for {
		loc := placeholder.FindStringIndex(rest)
		if loc == nil {
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:loc[0]]) + ".+?")
		rest = rest[loc[1]:]
	}
	b.WriteString(regexp.QuoteMeta(rest) + "$")
	return regexp.MustCompile(b.String())
}

// checkBody compares a body with the one a document shows: JSON as JSON,
// other text exactly, where "…" stands for any text.
func checkBody(t *testing.T, where, contentType, got, want string) {
	t.Helper()
	switch {
	case want == "":
		if got != "" {
			t.Errorf("%s: the answer has a body the document does not show: %.200q", where, got)
		}
	case strings.Contains(contentType, "json"):
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			t.Errorf("%s: the body is not JSON: %v: %.200q", where, err, got)
			return
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Errorf("%s: the document's body is not JSON: %v", where, err)
			return
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: the body is\n%s\nthe document says\n%s", where, got, want)
		}
	case want == "…":
		if got == "" {
			t.Errorf("%s: the body is empty", where)
		}
	default:
		parts := strings.Split(want, "…")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re := regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`)
		if !re.MatchString(strings.TrimRight(got, "\n")) {
			t.Errorf("%s: the body is\n%.2000s\nthe document says\n%s", where, got, want)
		}
	}
}

// runHTTPBlocks sends every ```http block of file to a fresh gate and checks
// its answer.
func runHTTPBlocks(t *testing.T, file string) {
	blocks := httpBlocks(t, file)
	if len(blocks) == 0 {
		t.Fatalf("%s has no http block", file)
	}
	for _, b := range blocks {
		t.Run(b.where, func(t *testing.T) {
			for k := range b.attrs {
				switch k {
				case "signal", "store", "tries", "NoUserAgentRule", "InsecureCookies", "oidc":
				default:
					t.Fatalf("%s: unknown block setting %q", b.where, k)
				}
			}
			pg := newProtocolGate(t, b.attrs)
			raw := pg.wire(t, b.where, b.request)
			tries := 1
			if v, ok := b.attrs["tries"]; ok {
				var err error
				if tries, err = strconv.Atoi(v); err != nil || tries < 1 {
					t.Fatalf("%s: tries=%q", b.where, v)
				}
			}
			for range tries - 1 {
				pg.send(t, b.where, raw)
			}
			switch b.attrs["store"] {
			case "":
			case "down":
				pg.store.Fail("Session")
			default:
				t.Fatalf("%s: store=%q", b.where, b.attrs["store"])
			}
			res, body := pg.send(t, b.where, raw)
			checkAnswer(t, b.where, res, body, b.answer)
		})
	}
}

// TestProtocolExamples checks every request and answer in docs/PROTOCOL.md.
func TestProtocolExamples(t *testing.T) { runHTTPBlocks(t, protocolDoc) }

// TestReadmeExamples checks every request and answer in the README.
func TestReadmeExamples(t *testing.T) { runHTTPBlocks(t, "README.md") }

// docSection returns the text of a document from the line that starts with
// heading to the next heading of the same or a higher level.
func docSection(t *testing.T, file, heading string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "\n"+heading)
	if !ok {
		t.Fatalf("%s has no heading %q", file, heading)
	}
	level := strings.Repeat("#", strings.IndexByte(heading, ' '))
	end := regexp.MustCompile(`\n#{1,` + strconv.Itoa(len(level)) + `} `).FindStringIndex(rest)
	if end != nil {
		rest = rest[:end[0]]
	}
	return rest
}

// tableRows returns the cells of the rows of the Markdown table that
// starts with header in text.
func tableRows(t *testing.T, text, header string) [][]string {
	t.Helper()
	_, rest, ok := strings.Cut(text, header+"\n")
	if !ok {
		t.Fatalf("no table %q", header)
	}
	var rows [][]string
	for i, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		if i == 0 {
			continue // |---|---|
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		t.Fatalf("the table %q has no rows", header)
	}
	return rows
}

// codeSpan matches `text`.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// TestProtocolClassification sends each example of section 1's table
// without credentials and tells the kind from the answer.
func TestProtocolClassification(t *testing.T) {
	section := docSection(t, protocolDoc, "## 1. ")
	pg := newProtocolGate(t, nil)
	for _, row := range tableRows(t, section, "| request headers | kind |") {
		where := protocolDoc + " section 1: " + row[0]
		req := "GET /api/notes HTTP/1.1\nHost: app.example"
		for _, m := range codeSpan.FindAllStringSubmatch(row[0], -1) {
			req += "\n" + m[1]
		}
		res, _ := pg.send(t, where, pg.wire(t, where, req))
		var kind string
		switch {
		case res.StatusCode == http.StatusSeeOther:
			kind = "Navigation"
		case res.Header.Get("Authgate-Login") != "" && res.Header.Get("WWW-Authenticate") == "":
			kind = "Script"
		case res.StatusCode == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") != "":
			kind = "Machine"
		default:
			t.Errorf("%s: answered %s, which is no kind's answer", where, res.Status)
			continue
		}
		if kind != row[1] {
			t.Errorf("%s: answered as %s, the document says %s", where, kind, row[1])
		}
	}
}

// TestProtocolReasons checks that section 3's table lists exactly the
// reasons the package defines.
func TestProtocolReasons(t *testing.T) {
	section := docSection(t, protocolDoc, "## 3. ")
	var got []string
	for _, row := range tableRows(t, section, "| reason | meaning |") {
		got = append(got, strings.Trim(row[0], "`"))
	}
	want := []string{
		string(authgate.ReasonNone), string(authgate.ReasonExpired),
		string(authgate.ReasonRevoked), string(authgate.ReasonInvalid),
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("section 3 lists the reasons %v, the package has %v", got, want)
	}
}

// clientSource is the readable source of the client script.
func clientSource(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("client/authgate.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// camel turns data-keepalive-url into keepaliveUrl, the name a dataset
// property has.
func camel(attr string) string {
	parts := strings.Split(strings.TrimPrefix(attr, "data-"), "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// TestProtocolScriptAttributes checks section 5: the example tag is what
// ScriptTag prints, every data- attribute the gate writes or the script
// reads is in the table, and the script's defaults are the table's.
func TestProtocolScriptAttributes(t *testing.T) {
	section := docSection(t, protocolDoc, "## 5. ")
	src := clientSource(t)
	pg := newProtocolGate(t, nil)

	// The example tag.
	examples := fencedBlocks(t, protocolDoc, "html")
	if len(examples) != 1 {
		t.Fatalf("%s has %d html blocks, want the one example tag", protocolDoc, len(examples))
	}
	r := httptest.NewRequest(http.MethodGet, "https://app.example/notes", nil)
	r = r.WithContext(authgate.NewContext(r.Context(), &authgate.Identity{UserID: "u1", UserName: "Ada", Method: authgate.MethodSession}))
	tag := string(pg.gate.ScriptTag(r, authgate.ClientOptions{}))
	want := strings.TrimSpace(examples[0].text)
	if !headerPattern("Tag", want).MatchString("Tag: " + tag) {
		t.Errorf("%s: ScriptTag prints\n%s\nthe document shows\n%s", examples[0].where, tag, want)
	}

	// The table.
	rows := tableRows(t, section, "| attribute | `ClientOptions` field | default | what it does |")
	documented := map[string]bool{}
	for _, row := range rows {
		attr := strings.Trim(row[0], "`")
		documented[attr] = true
		if field, ok := strings.CutPrefix(row[1], "`"); ok {
			field = strings.TrimSuffix(field, "`")
			if _, ok := reflect.TypeFor[authgate.ClientOptions]().FieldByName(field); !ok {
				t.Errorf("section 5.1 names ClientOptions.%s for %s; there is no such field", field, attr)
			}
		}
		prop := camel(attr)
		if !regexp.MustCompile(`\bdata\.` + prop + `\b`).MatchString(src) {
			t.Errorf("section 5.1 lists %s, which the script does not read (data.%s)", attr, prop)
		}
		if m := codeSpan.FindStringSubmatch(row[2]); m != nil {
			// data.x || "default", or path(data.x, "default") for the URLs.
			def := regexp.MustCompile(`\bdata\.` + prop + `(\s*\|\|\s*|\s*,\s*)"?` + regexp.QuoteMeta(m[1]) + `"?`)
			if !def.MatchString(src) {
				t.Errorf("section 5.1 says %s defaults to %s; the script says otherwise", attr, m[1])
			}
		}
	}
	for _, m := range regexp.MustCompile(`(?:^|[^.\w])data\.(\w+)`).FindAllStringSubmatch(src, -1) {
		attr := "data-" + strings.ToLower(regexp.MustCompile(`([A-Z])`).ReplaceAllString(m[1], "-$1"))
		if !documented[attr] {
			t.Errorf("the script reads %s, which section 5.1 does not list", attr)
		}
	}
	full := string(pg.gate.ScriptTag(httptest.NewRequest(http.MethodGet, "https://app.example/", nil), authgate.ClientOptions{
		Mode: authgate.ClientRedirect, User: "ada", UserID: "u1", WarnSeconds: 30, ExtendOnActivity: true,
	}))
	for _, attr := range regexp.MustCompile(`\b(data-[a-z-]+)=`).FindAllStringSubmatch(full, -1) {
		if !documented[attr[1]] {
			t.Errorf("ScriptTag writes %s, which section 5.1 does not list", attr[1])
		}
	}

	// window.authgate and the tabs' channel.
	for _, row := range tableRows(t, section, "| member | what it is |") {
		for _, m := range codeSpan.FindAllStringSubmatch(row[0], -1) {
			name, _, _ := strings.Cut(m[1], "(")
			if !regexp.MustCompile(`\b` + name + `\s*:|\bA\.` + name + `\s*=`).MatchString(src) {
				t.Errorf("section 5.3 lists window.authgate.%s, which the script does not set", name)
			}
		}
	}
	if !strings.Contains(src, `BroadcastChannel("authgate")`) {
		t.Error(`section 5.2 says the tabs talk on a BroadcastChannel named "authgate"; the script names another`)
	}
}
