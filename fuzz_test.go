package authgate_test

// Native fuzz targets for the return_to path and the login endpoint's body,
// which run on memstore through the real handler. Each has seeds here and
// committed corpus files in testdata/fuzz/<FuzzName>/; .ci/run runs each
// one for about 15 seconds:
//
//	go test -run '^$' -fuzz '^FuzzSafeReturnTo$' -fuzztime 15s .

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// maxReturnTo is the longest return_to that SafeReturnTo keeps.
const maxReturnTo = 2048

// fuzzPassword is alice's password in FuzzLoginBody's seeds and corpus.
const fuzzPassword = "fuzz-pw-4e1b"

// FuzzSafeReturnTo checks that every return_to SafeReturnTo lets through
// keeps a browser on this origin: it starts with a single '/', holds only
// printable ASCII without backslashes, resolves to this origin in Go's and a
// browser's reading, does not become a scheme-relative or backslash path
// when decoded once or twice, and is p itself minus its fragment.
func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range []string{
		"/", "/notes?id=1", "/a/b#frag", "//evil.example", "/\\evil.example", "\\\\evil.example",
		"/%2F%2Fevil.example", "/%252F%252Fevil.example", "/%5Cevil.example", "https://evil.example",
		"javascript:alert(1)", "/\t/evil.example", "/ok?next=//evil.example", "/@evil.example",
		"http://app.example@evil.example/", "/%", "/%zz", "/é", "/" + strings.Repeat("a", 2047),
		"/" + strings.Repeat("a", 2048), "/.%2F/evil.example", "/%2e%2e%2f%2fevil.example",
		"//evil。example", "/#//evil.example", "/?@evil.example", "", "?x", "#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := authgate.SafeReturnTo(p)
		if got == "" {
			return
		}
		if why := landsOnOrigin(got); why != "" {
			t.Fatalf("authgate.SafeReturnTo(%q) = %q, which %s", p, got, why)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x21 || c > 0x7e || c == '\\' {
				t.Fatalf("authgate.SafeReturnTo(%q) = %q holds byte %#x", p, got, c)
			}
		}
		if len(got) > maxReturnTo {
			t.Fatalf("authgate.SafeReturnTo(%q) is %d bytes, over %d", p, len(got), maxReturnTo)
		}
		if !strings.HasPrefix(p, got) || (len(p) > len(got) && p[len(got)] != '#') {
			t.Fatalf("authgate.SafeReturnTo(%q) = %q is not the input minus its fragment", p, got)
		}
		if again := authgate.SafeReturnTo(got); again != got {
			t.Fatalf("SafeReturnTo is not idempotent: %q -> %q -> %q", p, got, again)
		}
		d := got
		for range 2 {
			next, err := url.PathUnescape(d)
			if err != nil {
				break
			}
			if strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(browserClean(next), "//") {
				t.Fatalf("authgate.SafeReturnTo(%q) = %q decodes to %q", p, got, next)
			}
			d = next
		}
	})
}

// FuzzLoginBody posts fuzzed bodies to the login endpoint with the real
// handler: it never panics and never answers 5xx, every status is one the
// login endpoint documents, and a successful sign-in lands on this origin.
func FuzzLoginBody(f *testing.F) {
	const form, js = "application/x-www-form-urlencoded", "application/json"
	for _, s := range []struct {
		ct, body string
		nav      bool
	}{
		{form, "username=alice&password=" + fuzzPassword + "&return_to=%2Fnotes", true},
		{form, "username=alice&password=" + fuzzPassword + "&return_to=%2F%2Fevil.example", true},
		{form, "username=alice&password=wrong", true},
		{form, "username=nobody&password=x", false},
		{form, "username=al%00ice&password=x", true},
		{form, "username=%zz", true},
		{form, "username=" + strings.Repeat("a", 300) + "&password=x", true},
		{form, strings.Repeat("a=b&", 3000), true},
		{form + "; charset=utf-8", "username=alice&password=" + fuzzPassword + "&return_to=/a;b", true},
		{js, `{"username":"alice","password":"` + fuzzPassword + `","return_to":"/x?y=1"}`, false},
		{js, `{"username":"alice","password":"` + fuzzPassword + `","return_to":"https://evil.example"}`, false},
		{js, `{"username":"alice","password":"` + fuzzPassword + `"} {}`, false},
		{js, `{"username":"alice","extra":1}`, false},
		{js, `{"username":1}`, false},
		{js, `null`, false},
		{js, `[`, false},
		{js, `{"username":"\u0000","password":"x"}`, false},
		{"application/problem+json", `{"username":"alice","password":"` + fuzzPassword + `"}`, false},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--x--\r\n", true},
		{"text/plain", "username=alice", true},
		{"", "", true},
		{"application/json; charset=\"", "{}", false},
	} {
		f.Add(s.ct, s.body, s.nav)
	}
	g := fuzzGate(f)
	f.Fuzz(func(t *testing.T, ct, body string, nav bool) {
		r := httptest.NewRequest(http.MethodPost, origin+"/login", strings.NewReader(body))
		if ct != "" {
			r.Header["Content-Type"] = []string{ct}
		}
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if nav {
			r.Header.Set("Sec-Fetch-Mode", "navigate")
		} else {
			r.Header.Set("Sec-Fetch-Mode", "cors")
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusOK, http.StatusSeeOther, http.StatusBadRequest, http.StatusUnauthorized,
			http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		default:
			t.Fatalf("POST /login (%q, %q) answered %d", ct, body, w.Code)
		}
		switch {
		case w.Code == http.StatusSeeOther:
			if why := landsOnOrigin(w.Header().Get("Location")); why != "" {
				t.Fatalf("sign-in redirects to %q, which %s", w.Header().Get("Location"), why)
			}
		case w.Code == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"):
			var resp struct {
				UserID   string `json:"user_id"`
				ReturnTo string `json:"return_to"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatalf("sign-in answered JSON that does not parse: %v", err)
			}
			if why := landsOnOrigin(resp.ReturnTo); why != "" || resp.UserID != testUserID {
				t.Fatalf("sign-in answered %+v; return_to %s", resp, why)
			}
		}
	})
}

// fuzzGate is a gate on memstore whose user alice has the password
// fuzzPassword. Throttling is set out of reach so that the fuzzer keeps
// reaching the successful path, and nothing is logged or recorded, so
// that a long run does not grow.
func fuzzGate(tb testing.TB) *authgate.Gate {
	e := newEnv(tb, func(c *authgate.Config) {
		c.Hasher = testkit.Hasher
		c.Throttle = authgate.ThrottleConfig{Account: 1 << 30, Address: 1 << 30, MaxEntries: 1000}
		c.Logger = slog.New(slog.DiscardHandler)
	})
	ph, err := testkit.Hasher.Hash(fuzzPassword)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.mem.SetPassword(context.Background(), testUserID, ph); err != nil {
		tb.Fatal(err)
	}
	return e.gate
}
