package authgate_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// allKinds are the three kinds of caller.
var allKinds = []authgate.Kind{authgate.KindNavigation, authgate.KindScript, authgate.KindMachine}

// newReq builds a request to origin+target with headers set in canonical
// form from name, value pairs.
func newReq(method, target string, hdr ...string) *http.Request {
	var r *http.Request
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, origin+target, nil)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r
}

// kindReq makes a request to the app's origin from clientAddr as a
// same-origin caller of the given kind would send it (see
// [testkit.AsKind]).
func kindReq(method, path string, kind authgate.Kind, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, origin+path, body)
	r.RemoteAddr = clientAddr
	return testkit.AsKind(r, kind)
}

// withBody sets r's body and Content-Type.
func withBody(r *http.Request, contentType, body string) *http.Request {
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Type", contentType)
	return r
}

// withSession adds the session cookie to r.
func withSession(r *http.Request, token string) *http.Request {
	r.AddCookie(&http.Cookie{Name: secureCookie, Value: token})
	return r
}

// withCookie adds a raw Cookie header line, as a browser or an attacker
// would send it, without net/http's sanitising.
func withCookie(r *http.Request, name, value string) *http.Request {
	r.Header.Add("Cookie", name+"="+value)
	return r
}

// formBody encodes a login form.
func formBody(user, pw, returnTo string) io.Reader {
	v := url.Values{"username": {user}, "password": {pw}}
	if returnTo != "" {
		v.Set("return_to", returnTo)
	}
	return strings.NewReader(v.Encode())
}

// jsonBody encodes a JSON login.
func jsonBody(user, pw, returnTo string) io.Reader {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw, "return_to": returnTo})
	return bytes.NewReader(b)
}

// formLogin is the login form posted by a browser.
func formLogin(user, password, returnTo string) *http.Request {
	form := url.Values{"username": {user}, "password": {password}, "return_to": {returnTo}}
	r := newReq("POST", "/login",
		"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "document",
		"Origin", origin, "Accept", "text/html", "User-Agent", browserUA)
	return withBody(r, "application/x-www-form-urlencoded", form.Encode())
}

// jsonLogin is the JSON login posted by a script.
func jsonLogin(user, password string) *http.Request {
	return withBody(newReq("POST", "/login", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"),
		"application/json", `{"username":"`+user+`","password":"`+password+`"}`)
}

// basicAuth is the Authorization header value for an API key.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// cookieNamed returns the cookie rec sets under name, or nil.
func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// unknownToken returns a well-formed session token that no session has.
func unknownToken(b byte) string {
	return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// tokenID returns the store id of a session token: SHA-256 of the token's
// 32 decoded bytes.
func tokenID(t testing.TB, token string) authgate.Hash {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", token, err)
	}
	return authgate.HashOf(raw)
}

// readRequestFile parses a raw HTTP request from testdata/requests.
func readRequestFile(t testing.TB, name string) *http.Request {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "requests", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// problem is a problem+json body as the gate writes it.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Reason   string `json:"reason,omitempty"`
	LoginURL string `json:"login_url,omitempty"`
}

// parseProblem decodes a problem+json body strictly.
func parseProblem(t testing.TB, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; status %d, body %q", ct, rec.Code, rec.Body.String())
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body.String(), err)
	}
	return p
}

// assertServed checks that w is the protected app's answer for userID.
func assertServed(t testing.TB, w *httptest.ResponseRecorder, userID string) {
	t.Helper()
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "hello "+userID+" by ") {
		t.Fatalf("got %d %q, want the app's answer for %s", w.Code, w.Body, userID)
	}
}

// assertDenied checks that w is the login-required answer for kind with
// reason (docs/PROTOCOL.md section 3).
func assertDenied(t testing.TB, w *httptest.ResponseRecorder, kind authgate.Kind, reason authgate.Reason) {
	t.Helper()
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("a login signal without Cache-Control: no-store")
	}
	switch kind {
	case authgate.KindNavigation:
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Fatalf("navigation got %d Location %q, want 303 to /login", w.Code, w.Header().Get("Location"))
		}
	case authgate.KindScript:
		if w.Code != http.StatusUnauthorized || w.Header().Get("Authgate-Login") != string(reason) {
			t.Fatalf("script got %d Authgate-Login %q, want 401 %q", w.Code, w.Header().Get("Authgate-Login"), reason)
		}
		if w.Header().Get("Www-Authenticate") != "" {
			t.Fatal("a script call got WWW-Authenticate")
		}
		if p := parseProblem(t, w); p.Type != authgate.ProblemLoginRequired || p.Reason != string(reason) {
			t.Fatalf("script got problem %+v, want login-required %q", p, reason)
		}
	default:
		if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("Www-Authenticate"), "Basic ") {
			t.Fatalf("machine got %d WWW-Authenticate %q, want 401 Basic", w.Code, w.Header().Get("Www-Authenticate"))
		}
		if p := parseProblem(t, w); p.Type != authgate.ProblemLoginRequired || p.Reason != string(reason) {
			t.Fatalf("machine got problem %+v, want login-required %q", p, reason)
		}
	}
}

// assertUnavailable checks that w is the 503 answer of docs/PROTOCOL.md
// section 3: problem+json urn:authgate:unavailable with Retry-After and
// Cache-Control: no-store, no login signal, no challenge, no redirect, and
// no cookie at all, since an outage must not sign anybody out.
func assertUnavailable(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("answered %d %q, want 503", w.Code, w.Body)
	}
	h := w.Header()
	if n, err := strconv.Atoi(h.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("503 with Retry-After %q, want a positive number of seconds", h.Get("Retry-After"))
	}
	for _, name := range []string{"Authgate-Login", "Www-Authenticate", "Location", "Hx-Redirect"} {
		if v := h.Values(name); v != nil {
			t.Errorf("503 carries %s: %q", name, v)
		}
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("503 with Cache-Control %q, want no-store", h.Get("Cache-Control"))
	}
	if c := h.Values("Set-Cookie"); c != nil {
		t.Errorf("503 sets cookies %q: an outage must not sign anybody out", c)
	}
	p := parseProblem(t, w)
	if want := (problem{Type: authgate.ProblemUnavailable, Title: p.Title, Status: 503}); p != want || p.Title == "" {
		t.Errorf("503 body %+v, want type %s, a title, status 503, no reason or login_url", p, authgate.ProblemUnavailable)
	}
}

// assertTooMany checks that w is the 429 answer, with a Retry-After of
// 1..maxSeconds and no login signal or challenge, and returns its seconds.
// A problem+json answer must be urn:authgate:too-many-requests.
func assertTooMany(t testing.TB, w *httptest.ResponseRecorder, maxSeconds int) int {
	t.Helper()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("answered %d %q, want 429", w.Code, w.Body)
	}
	n, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || n < 1 || n > maxSeconds {
		t.Fatalf("Retry-After %q, want 1..%d", w.Header().Get("Retry-After"), maxSeconds)
	}
	if w.Header().Get("Authgate-Login") != "" || w.Header().Get("Www-Authenticate") != "" {
		t.Errorf("a 429 carries a login signal: %v", w.Header())
	}
	if w.Header().Get("Content-Type") == "application/problem+json" {
		if p := parseProblem(t, w); p.Type != authgate.ProblemTooMany || p.Status != http.StatusTooManyRequests {
			t.Errorf("429 with problem %+v", p)
		}
	}
	return n
}
