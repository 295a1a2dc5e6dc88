package authgate

// Native fuzz targets for the parsers that read attacker-controlled input
// on every request: classification, the session cookie and token, HTTP
// Basic and the companion cookie. Each target has seeds here (f.Add) and a
// few committed corpus files in testdata/fuzz/<FuzzName>/, and checks a
// property that can fail, not only the absence of a panic. .ci/run runs
// each one for about 15 seconds:
//
//	go test -run '^$' -fuzz '^FuzzParseBasic$' -fuzztime 15s .
//
// The fuzz targets of the return_to and the login body, which need a
// store, are in fuzz_test.go. TestParsersDoNotAllocate replays the
// classification and cookie seeds and corpus files and checks that those
// hot-path parsers never allocate, which is too slow to check inside the
// fuzz loop itself.

import (
	"bufio"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// classifySeed is one set of the headers classification reads.
type classifySeed struct {
	mode, hx, xrw, accept, ua string
	rule                      bool
}

var classifySeeds = []classifySeed{
	{"navigate", "", "", "text/html,application/xhtml+xml,*/*;q=0.8", "Mozilla/5.0", true},
	{"cors", "", "", "*/*", "Mozilla/5.0", true},
	{"same-origin", "true", "", "*/*", "Mozilla/5.0", true},
	{"", "true", "", "text/html", "", true},
	{"", "", "XMLHttpRequest", "text/html", "", true},
	{"", "", "xmlhttprequest", "", "", false},
	{"no-cors", "", "", "", "", true},
	{"websocket", "", "", "", "", true},
	{"", "", "", "text/html", "curl/8.5.0", true},
	{"", "", "", "text/html;q=0", "Mozilla/5.0", true},
	{"", "", "", "text/html; q=0.000", "Mozilla/5.0", false},
	{"", "", "", "TEXT/HTML ; Q=0.5", "", true},
	{"", "", "", "application/json, text/html;level=1;q=0", "", true},
	{"", "", "", "*/*", "Mozilla/5.0 (X11; Linux x86_64)", true},
	{"", "", "", "*/*", "Mozilla/5.0 (X11; Linux x86_64)", false},
	{"", "", "", "", "python-requests/2.32", true},
	{"", "", "", ",,,;;;==", "Mozilla/", true},
	{"", "false", "XMLHttpRequest2", "text/htm", "Mozilla", true},
	{"NAVIGATE", "TRUE", "", "", "", true},
	{"", "", "", "text/html;q=", "", true},
	{"", "", "", "text/html;q=0.", "", true},
	{"", "", "", "text/html;q=0.0.0", "", true},
	{"", "", "", "text/html\t;\tq=0", "", true},
}

// classifyHeader builds the header map classification reads, leaving out the
// headers whose value is empty.
func classifyHeader(s classifySeed) http.Header {
	h := http.Header{}
	for _, kv := range [][2]string{
		{"Sec-Fetch-Mode", s.mode}, {"Hx-Request", s.hx}, {"X-Requested-With", s.xrw},
		{"Accept", s.accept}, {"User-Agent", s.ua},
	} {
		if kv[1] != "" {
			h[kv[0]] = []string{kv[1]}
		}
	}
	return h
}

// asciiFold is strings.EqualFold restricted to ASCII, as HTTP header
// values compare.
func asciiFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if a[i] >= 0x80 {
			return false
		}
	}
	return strings.EqualFold(a, b)
}

// FuzzClassify checks that classification returns one of the three kinds
// and follows the order of docs/PROTOCOL.md section 1 for any header values.
func FuzzClassify(f *testing.F) {
	for _, s := range classifySeeds {
		f.Add(s.mode, s.hx, s.xrw, s.accept, s.ua, s.rule)
	}
	f.Fuzz(func(t *testing.T, mode, hx, xrw, accept, ua string, rule bool) {
		s := classifySeed{mode, hx, xrw, accept, ua, rule}
		h := classifyHeader(s)
		k := classify(h, rule)
		switch k {
		case KindNavigation, KindScript, KindMachine:
		default:
			t.Fatalf("classify(%+v) = %d, not one of the three kinds", s, k)
		}
		if r := (&http.Request{Header: h}); (&Gate{cfg: Config{NoUserAgentRule: !rule}}).Classify(r) != k {
			t.Fatalf("Classify and classify disagree on %+v", s)
		}
		script := hx == "true" || asciiFold(xrw, "XMLHttpRequest") || mode != ""
		htmlish := strings.Contains(strings.ToLower(accept), "text/html")
		mozilla := rule && strings.HasPrefix(ua, "Mozilla/")
		var want Kind
		switch {
		case mode == "navigate":
			want = KindNavigation
		case script:
			want = KindScript
		case htmlish:
			// Rule 5 depends on the quality value; only the kinds it can
			// give are checked.
			if k == KindNavigation {
				return
			}
			want = KindMachine
			if mozilla {
				want = KindScript
			}
		case mozilla:
			want = KindScript
		default:
			want = KindMachine
		}
		if k != want {
			t.Fatalf("classify(%+v) = %v, want %v", s, k, want)
		}
		// text/html with a quality of exactly zero is not acceptable.
		if !script && mode == "" {
			h.Set("Accept", "text/html;q=0")
			if classify(h, false) != KindMachine {
				t.Fatalf("Accept text/html;q=0 with %+v is a navigation", s)
			}
			h.Set("Accept", "text/html")
			if classify(h, false) != KindNavigation {
				t.Fatalf("Accept text/html with %+v is not a navigation", s)
			}
		}
	})
}

// FuzzSessionCookie checks the cookie scanner and the token decoder: a value
// found is in the header as name=value or name="value", a token accepted is
// exactly the canonical base64url form of 32 bytes, and its hash is the
// SHA-256 of those bytes.
func FuzzSessionCookie(f *testing.F) {
	tok, _ := newToken()
	for _, s := range [][2]string{
		{"__Host-authgate=" + tok, ""},
		{"a=b; __Host-authgate=" + tok + "; authgate_exp=1.2", ""},
		{"authgate=" + tok, "__Host-authgate=\"" + tok + "\""},
		{"__Host-authgate=", "__Host-authgate=" + tok},
		{";;; = ;__Host-authgate", ""},
		{"__Host-authgate=" + tok[:42] + "=", ""},
		{"__Host-authgate=" + strings.Repeat("A", 43), ""},
		{"__Host-authgate=" + strings.Repeat("_", 42) + "-", ""},
		{strings.Repeat("x=y; ", 2000), "__Host-authgate=" + tok},
		{"\t__Host-authgate=" + tok + "\t", ""},
		{"__host-authgate=" + tok, ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, line1, line2 string) {
		r := &http.Request{Header: http.Header{"Cookie": {line1}}}
		if line2 != "" {
			r.Header["Cookie"] = append(r.Header["Cookie"], line2)
		}
		for _, name := range []string{sessionCookieSecure, sessionCookiePlain, CompanionCookie} {
			v, ok := cookieValue(r, name)
			if !ok {
				if v != "" {
					t.Fatalf("cookieValue(%q) = %q but not found", name, v)
				}
				continue
			}
			if strings.ContainsRune(v, ';') {
				t.Fatalf("cookieValue(%q) = %q holds a ';'", name, v)
			}
			in := name + "=" + v
			quoted := name + `="` + v + `"`
			if v == "" {
				in = name // a bare name, without '=', reads as an empty value
			}
			if !strings.Contains(line1, in) && !strings.Contains(line2, in) &&
				!strings.Contains(line1, quoted) && !strings.Contains(line2, quoted) {
				t.Fatalf("cookieValue(%q) = %q, which is not in the header", name, v)
			}
			checkToken(t, v)
		}
	})
}

// checkToken checks tokenHash against the encoding package.
func checkToken(t *testing.T, tok string) {
	h, ok := tokenHash(tok)
	raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	want := err == nil && len(raw) == 32 && len(tok) == tokenLen
	if ok != want {
		t.Fatalf("tokenHash(%q) ok = %v, want %v", tok, ok, want)
	}
	if !ok {
		if h != (Hash{}) {
			t.Fatalf("tokenHash(%q) refused it but returned a hash", tok)
		}
		return
	}
	if h != HashOf(raw) {
		t.Fatalf("tokenHash(%q) is not the SHA-256 of its bytes", tok)
	}
	if base64.RawURLEncoding.EncodeToString(raw) != tok {
		t.Fatalf("tokenHash accepted the non-canonical form %q", tok)
	}
}

// FuzzParseBasic checks the Authorization: Basic parser: what it accepts
// has the scheme, fits the size bound, has a non-empty user without a colon,
// a non-empty password, no control character, agrees with net/http's parser
// where that one accepts too, and round-trips.
func FuzzParseBasic(f *testing.F) {
	b := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		"Basic " + b("agk_abc:secret"), "basic " + b("a:b:c"), "BASIC   " + b("a:b") + "\t",
		"Basic " + b(":b"), "Basic " + b("a:"), "Basic " + b("a\x00:b"), "Basic " + b("a:b\x7f"),
		"Basic " + b("a:"+strings.Repeat("x", 600)), "Basic !!!", "Basic", "Bearer " + b("a:b"),
		"Basic " + base64.RawStdEncoding.EncodeToString([]byte("a:bc")), "Basic " + b("é:ü"),
		"Basic " + b("a:b") + " " + b("c:d"), "Basic\t" + b("a:b"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, authz string) {
		user, pass, ok := parseBasic(authz)
		if !ok {
			if user != "" || pass != "" {
				t.Fatalf("parseBasic(%q) refused but returned %q, %q", authz, user, pass)
			}
			return
		}
		switch {
		case len(authz) > maxBasicLen:
			t.Fatalf("parseBasic accepted %d bytes, over %d", len(authz), maxBasicLen)
		case !strings.EqualFold(authz[:6], "basic "):
			t.Fatalf("parseBasic(%q) accepted another scheme", authz)
		case user == "" || pass == "" || strings.Contains(user, ":"):
			t.Fatalf("parseBasic(%q) = %q, %q", authz, user, pass)
		case strings.ContainsFunc(user+pass, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			t.Fatalf("parseBasic(%q) let a control character through", authz)
		}
		r := &http.Request{Header: http.Header{"Authorization": {authz}}}
		if u, p, stdOK := r.BasicAuth(); stdOK && (u != user || p != pass) {
			t.Fatalf("parseBasic(%q) = %q, %q; net/http reads %q, %q", authz, user, pass, u, p)
		}
		again := "Basic " + b(user+":"+pass)
		if u, p, ok := parseBasic(again); !ok || u != user || p != pass {
			t.Fatalf("parseBasic does not round-trip %q, %q", user, pass)
		}
	})
}

// FuzzParseCompanion checks the companion cookie parser: what it accepts is
// two non-negative unix times of at most 12 digits each, in a value that is
// a plain cookie value, and formatting them again parses to the same times.
// It also formats the two fuzzed integers and parses them back.
func FuzzParseCompanion(f *testing.F) {
	for _, s := range []struct {
		v    string
		a, b int64
	}{
		{"1741082400.1741125600", 1741082400, 1741125600},
		{"0.0", 0, 0}, {"1.", 1, 2}, {".1", 0, 999999999999}, {"", 5, 4}, {"1.2.3", -1, 7},
		{"999999999999.999999999999", 1e12, 1e12 - 1}, {"9999999999999.1", 1, 1},
		{"-1.5", 3, 3}, {"+1.+2", 3, 3}, {"0x10.1", 1, 1}, {" 1.2", 1, 1}, {"1\x00.2", 1, 1},
	} {
		f.Add(s.v, s.a, s.b)
	}
	f.Fuzz(func(t *testing.T, v string, a, b int64) {
		idle, life, ok := ParseCompanion(v)
		if !ok {
			if !idle.IsZero() || !life.IsZero() {
				t.Fatalf("ParseCompanion(%q) refused but returned times", v)
			}
		} else {
			for _, x := range []time.Time{idle, life} {
				if x.Unix() < 0 || x.Unix() >= 1e12 {
					t.Fatalf("ParseCompanion(%q) gave unix time %d", v, x.Unix())
				}
			}
			if len(v) > 25 || strings.Count(v, ".") != 1 || strings.ContainsAny(v, "; \t\",\\") {
				t.Fatalf("ParseCompanion accepted %q", v)
			}
			again := string(companionValue(nil, idle, life))
			i2, l2, ok2 := ParseCompanion(again)
			if !ok2 || !i2.Equal(idle) || !l2.Equal(life) {
				t.Fatalf("ParseCompanion(%q) does not round-trip through %q", v, again)
			}
		}
		if a < 0 || b < 0 || a >= 1e12 || b >= 1e12 {
			return
		}
		s := string(companionValue(nil, time.Unix(a, 0), time.Unix(b, 0)))
		i, l, ok := ParseCompanion(s)
		if !ok || i.Unix() != a || l.Unix() != b {
			t.Fatalf("companionValue(%d, %d) = %q parses to %v, %v, %v", a, b, s, i.Unix(), l.Unix(), ok)
		}
	})
}

// TestParsersDoNotAllocate checks that classification, the cookie
// scanner and the token decoder, which run on every request, allocate
// nothing on any seed or committed corpus input of their fuzz targets.
func TestParsersDoNotAllocate(t *testing.T) {
	seeds := append([]classifySeed(nil), classifySeeds...)
	for _, args := range corpusFiles(t, "FuzzClassify") {
		if len(args) != 6 {
			t.Fatalf("a FuzzClassify corpus file has %d values, want 6", len(args))
		}
		seeds = append(seeds, classifySeed{args[0], args[1], args[2], args[3], args[4], args[5] == "true"})
	}
	if len(corpusFiles(t, "FuzzClassify")) == 0 {
		t.Fatal("no committed corpus for FuzzClassify")
	}
	for _, s := range seeds {
		h := classifyHeader(s)
		if n := testing.AllocsPerRun(20, func() { classify(h, s.rule) }); n != 0 {
			t.Errorf("classify(%+v) allocates %v times", s, n)
		}
	}
	lines := corpusFiles(t, "FuzzSessionCookie")
	tok, _ := newToken()
	lines = append(lines, []string{"a=b; __Host-authgate=" + tok}, []string{"__Host-authgate=\"" + tok + "\""})
	for _, l := range lines {
		var hdr []string
		for _, v := range l {
			if v != "" {
				hdr = append(hdr, v)
			}
		}
		r := &http.Request{Header: http.Header{"Cookie": hdr}}
		if n := testing.AllocsPerRun(20, func() {
			v, _ := cookieValue(r, sessionCookieSecure)
			tokenHash(v)
		}); n != 0 {
			t.Errorf("cookieValue and tokenHash on %.60q allocate %v times", l, n)
		}
	}
}

// corpusFiles reads the committed corpus files of a fuzz target, each as
// its values in order; strings are unquoted, other values kept as written.
func corpusFiles(t *testing.T, name string) [][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var args []string
		for i := 0; sc.Scan(); i++ {
			line := sc.Text()
			if i == 0 {
				if line != "go test fuzz v1" {
					t.Fatalf("%s: not a fuzz corpus file", file)
				}
				continue
			}
			typ, rest, ok := strings.Cut(line, "(")
			if !ok || !strings.HasSuffix(rest, ")") {
				t.Fatalf("%s: cannot read %q", file, line)
			}
			v := strings.TrimSuffix(rest, ")")
			if typ == "string" {
				if v, err = strconv.Unquote(v); err != nil {
					t.Fatalf("%s: %v", file, err)
				}
			}
			args = append(args, v)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		out = append(out, args)
	}
	return out
}

// TestCorpusFilesValid checks that every committed corpus file is
// well formed for its target, so that a stale file fails here and not
// halfway through a fuzzing run.
func TestCorpusFilesValid(t *testing.T) {
	want := map[string]int{
		"FuzzClassify": 6, "FuzzSafeReturnTo": 1, "FuzzSessionCookie": 2,
		"FuzzParseBasic": 1, "FuzzParseCompanion": 3, "FuzzLoginBody": 3,
	}
	for name, n := range want {
		files := corpusFiles(t, name)
		if len(files) < 2 {
			t.Errorf("%s has %d committed corpus files, want at least 2", name, len(files))
		}
		for _, args := range files {
			if len(args) != n {
				t.Errorf("%s: a corpus file has %d values, want %d", name, len(args), n)
			}
		}
	}
}

// TestFuzzTargetsInCI checks that CI fuzzes every target of the
// package's test files and that each has committed corpus files, so that a
// new target cannot be forgotten.
func TestFuzzTargetsInCI(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(src), "\n") {
			if name, ok := strings.CutPrefix(line, "func Fuzz"); ok {
				name, _, _ = strings.Cut(name, "(")
				targets = append(targets, "Fuzz"+name)
			}
		}
	}
	if len(targets) < 6 {
		t.Fatalf("found only %d fuzz targets: %v", len(targets), targets)
	}
	for _, name := range targets {
		if !strings.Contains(string(ci), " "+name+" ") && !strings.Contains(string(ci), " "+name+";") {
			t.Errorf(".ci/run does not fuzz %s", name)
		}
		if len(corpusFiles(t, name)) == 0 {
			t.Errorf("%s has no committed corpus in testdata/fuzz/%s", name, name)
		}
	}
}
