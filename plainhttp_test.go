package authgate_test

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// lockedBuffer is a log destination that handlers may write concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const plainHTTPLog = "drops the Secure session cookie"

func newPlainGate(t *testing.T, cfg authgate.Config) (*authgate.Gate, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	cfg.Store = memstore.New()
	cfg.Hasher = authgate.Argon2id{Memory: 64, Time: 1}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	gate, err := authgate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gate, logs
}

// loginPageFor loads the login page at target with the given headers, as a
// browser that sends no Fetch Metadata (as on plain http by name) unless
// the headers say otherwise.
func loginPageFor(gate *authgate.Gate, target string, header map[string]string) string {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("User-Agent", "Mozilla/5.0")
	r.Header.Set("Accept", "text/html")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	gate.ServeHTTP(rec, r)
	return rec.Body.String()
}

// TestPlainHTTPByNameWarns: over plain http by a name other than localhost
// the login page says why sign-in cannot stick and what to do, for a page
// load and after a failed sign-in, and the server logs it once.
func TestPlainHTTPByNameWarns(t *testing.T) {
	gate, logs := newPlainGate(t, authgate.Config{})
	for range 3 {
		body := loginPageFor(gate, "http://devbox:8080/login", nil)
		for _, w := range []string{`id="authgate-plain-http"`, "plain http", "https", "insecure cookies", `name="password"`} {
			if !strings.Contains(body, w) {
				t.Fatalf("the login page over plain http by name lacks %q:\n%s", w, body)
			}
		}
	}

	form := url.Values{"username": {"ada"}, "password": {"wrong"}}
	r := httptest.NewRequest("POST", "http://devbox:8080/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "text/html")
	r.Header.Set("User-Agent", "Mozilla/5.0")
	r.Header.Set("Origin", "http://devbox:8080")
	rec := httptest.NewRecorder()
	gate.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `id="authgate-plain-http"`) {
		t.Errorf("a failed sign-in over plain http by name: %d, want 401 with the warning:\n%s", rec.Code, rec.Body.String())
	}

	if n := strings.Count(logs.String(), plainHTTPLog); n != 1 {
		t.Errorf("the server logged the plain-http problem %d times for four pages, want once:\n%s", n, logs)
	}
}

// TestPlainHTTPWarningOnlyWhenItApplies: no warning where the cookie sticks:
// https, localhost, behind a TLS proxy, or with InsecureCookies.
func TestPlainHTTPWarningOnlyWhenItApplies(t *testing.T) {
	tests := []struct {
		name     string
		insecure bool
		target   string
		header   map[string]string
	}{
		{"https", false, "https://devbox/login", nil},
		{"localhost", false, "http://localhost:8080/login", nil},
		{"127.0.0.1", false, "http://127.0.0.1:8080/login", nil},
		{"a .localhost name", false, "http://app.localhost:8080/login", nil},
		{"Fetch Metadata: the browser sees a secure origin", false, "http://devbox/login", map[string]string{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}},
		{"X-Forwarded-Proto", false, "http://devbox/login", map[string]string{"X-Forwarded-Proto": "https"}},
		{"Forwarded", false, "http://devbox/login", map[string]string{"Forwarded": "for=192.0.2.1;proto=https"}},
		{"https Referer", false, "http://devbox/login", map[string]string{"Referer": "https://devbox/notes"}},
		{"InsecureCookies", true, "http://devbox:8080/login", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate, logs := newPlainGate(t, authgate.Config{InsecureCookies: tt.insecure})
			body := loginPageFor(gate, tt.target, tt.header)
			if !strings.Contains(body, `name="password"`) || strings.Contains(body, "authgate-plain-http") {
				t.Errorf("GET %s: want the login page without the plain-http warning:\n%s", tt.target, body)
			}
			if strings.Contains(logs.String(), plainHTTPLog) {
				t.Errorf("GET %s: the plain-http problem was logged:\n%s", tt.target, logs)
			}
		})
	}
}

// TestPlainHTTPWarningInAppTemplate: an app's own login page gets the
// warning as LoginPage.PlainHTTP, escaped like every field.
func TestPlainHTTPWarningInAppTemplate(t *testing.T) {
	tmpl := template.Must(template.New("login").Parse(`{{if .PlainHTTP}}<p class="warn">{{.PlainHTTP}}</p>{{end}}<form action="{{.Action}}"></form>`))
	gate, _ := newPlainGate(t, authgate.Config{LoginTemplate: tmpl})
	body := loginPageFor(gate, "http://devbox:8080/login", nil)
	if !strings.HasPrefix(body, `<p class="warn">Signing in cannot work on this page`) {
		t.Errorf("the app's page over plain http by name lacks the warning:\n%s", body)
	}
}
