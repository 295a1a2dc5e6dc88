package authgate_test

import (
	"context"
	"fmt"
	"html/template"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// appLoginTemplate prints every field of LoginPage, so the test can see what
// the gate gave it.
const appLoginTemplate = `<main id="app-login">
reason=[{{.Reason}}] text=[{{.ReasonText}}] limit=[{{.Limit}}] as=[{{.SignedInAs}}]
error=[{{.Error}}] status=[{{.Status}}] plain=[{{.PlainHTTP}}] compact=[{{.Compact}}]
<form method="post" action="{{.Action}}">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<input name="username" value="{{.Username}}"><input name="password" type="password">
</form></main>`

// templateGate is a gate with the app's login template, a user whose
// display name needs escaping, and a clock the test moves.
type templateGate struct {
	gate  *authgate.Gate
	store *memstore.Store
	now   atomic.Int64 // unix nanos
	user  authgate.User
}

const templatePassword = "correct horse battery staple"

func newTemplateGate(t *testing.T, lifetime time.Duration) *templateGate {
	t.Helper()
	tg := &templateGate{store: memstore.New()}
	tg.now.Store(time.Now().UnixNano())
	hasher := authgate.Argon2id{Memory: 64, Time: 1}
	gate, err := authgate.New(authgate.Config{
		Store:         tg.store,
		IdleTimeout:   30 * time.Minute,
		Lifetime:      lifetime,
		Hasher:        hasher,
		Throttle:      authgate.ThrottleConfig{Account: 2},
		LoginTemplate: template.Must(template.New("login").Parse(appLoginTemplate)),
		Now:           func() time.Time { return time.Unix(0, tg.now.Load()) },
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	tg.gate = gate
	hash, err := hasher.Hash(templatePassword)
	if err != nil {
		t.Fatal(err)
	}
	tg.user = authgate.User{ID: "u1", Login: "ada", Name: `Ada <b>"Lovelace"</b>`, PasswordHash: hash, CreatedAt: time.Now()}
	if err := tg.store.CreateUser(context.Background(), tg.user); err != nil {
		t.Fatal(err)
	}
	return tg
}

// signIn returns the Cookie header of a new session.
func (tg *templateGate) signIn(t *testing.T, gate *authgate.Gate) string {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := gate.SignIn(context.Background(), rec, httptest.NewRequest("POST", "https://app.test/login", nil), tg.user); err != nil {
		t.Fatal(err)
	}
	var cookie string
	for _, c := range rec.Result().Cookies() {
		cookie += c.Name + "=" + c.Value + "; "
	}
	return cookie
}

// page loads the login page as a browser on https://app.test does.
func (tg *templateGate) page(target, cookie string) (int, string) {
	r := httptest.NewRequest("GET", "https://app.test"+target, nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "none")
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	tg.gate.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

// post signs in with a form, as a browser on https://app.test does.
func (tg *templateGate) post(form url.Values) (int, string) {
	r := httptest.NewRequest("POST", "https://app.test/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Origin", "https://app.test")
	rec := httptest.NewRecorder()
	tg.gate.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

// TestLoginTemplateForEachReason: the app's template renders the login page
// for every reason the gate knows, with the fields documented on LoginPage.
func TestLoginTemplateForEachReason(t *testing.T) {
	tg := newTemplateGate(t, 12*time.Hour)
	other := newTemplateGate(t, 12*time.Hour) // its sessions are unknown to tg's store
	short := newTemplateGate(t, 30*time.Minute)

	tests := []struct {
		name   string
		target string
		cookie func() string // the Cookie header; the test may move the clock
		want   []string
	}{
		{"first visit", "/login?return_to=%2Fnotes%3Fx%3D1", func() string { return "" },
			[]string{"reason=[]", "text=[]", `value="/notes?x=1"`, `action="/login"`, "status=[200]", "compact=[false]"}},
		{"signed out", "/login?signed_out=1", func() string { return "" },
			[]string{"reason=[signed-out]", "text=[You have signed out.]"}},
		{"ended", "/login", func() string { return other.signIn(t, other.gate) },
			[]string{"reason=[ended]", "text=[Your session has ended. Please sign in again.]"}},
		{"revoked", "/login", func() string {
			c := tg.signIn(t, tg.gate)
			if _, err := tg.store.RevokeUserSessions(context.Background(), tg.user.ID); err != nil {
				t.Fatal(err)
			}
			return c
		}, []string{"reason=[revoked]", "text=[You were signed out, from another window"}},
		{"idle", "/login", func() string {
			c := tg.signIn(t, tg.gate)
			tg.now.Add(int64(31 * time.Minute))
			return c
		}, []string{"reason=[idle]", "limit=[30m0s]", "text=[Your session expired after 30 minutes without activity."}},
		{"lifetime", "/login", func() string {
			// A gate whose lifetime is its idle timeout: the lifetime
			// is what the page names.
			c := short.signIn(t, short.gate)
			short.now.Add(int64(31 * time.Minute))
			return c
		}, []string{"reason=[lifetime]", "limit=[30m0s]", "text=[Your session reached its limit of 30 minutes."}},
		{"signed in", "/login?compact=1", func() string { return tg.signIn(t, tg.gate) },
			[]string{"reason=[signed-in]", "as=[Ada &lt;b&gt;&#34;Lovelace&#34;&lt;/b&gt;]", "compact=[true]", `action="/login?compact=1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := tg.page
			if tt.name == "lifetime" {
				page = short.page
			}
			code, body := page(tt.target, tt.cookie())
			if code != 200 || !strings.Contains(body, `<main id="app-login">`) {
				t.Fatalf("GET %s: %d, not the app's template:\n%s", tt.target, code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: the page lacks %q:\n%s", tt.target, w, body)
				}
			}
			if strings.Contains(body, "<b>") {
				t.Errorf("GET %s: the user's name reached the page unescaped:\n%s", tt.target, body)
			}
		})
	}
}

// TestLoginTemplateFailedSignIn: a wrong password and too many attempts
// render the app's template, escaped, with the name typed kept.
func TestLoginTemplateFailedSignIn(t *testing.T) {
	tg := newTemplateGate(t, 12*time.Hour)
	form := url.Values{"username": {`ada"><script>alert(1)</script>`}, "password": {"wrong"}, "return_to": {`/notes?q="><script>`}}
	code, body := tg.post(form)
	for _, w := range []string{`<main id="app-login">`, "error=[Wrong user name or password.]", "status=[401]", "reason=[]",
		`value="ada&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`} {
		if !strings.Contains(body, w) {
			t.Errorf("a wrong password: the page lacks %q:\n%s", w, body)
		}
	}
	if code != http.StatusUnauthorized || strings.Contains(body, "<script>") {
		t.Errorf("a wrong password: %d, or a <script> reached the page unescaped:\n%s", code, body)
	}

	form.Set("username", "ada")
	for range 3 { // the limit is 2 failures per account
		code, body = tg.post(form)
	}
	if code != http.StatusTooManyRequests || !strings.Contains(body, "status=[429]") || !strings.Contains(body, "error=[Too many attempts.") {
		t.Errorf("too many attempts: %d\n%s", code, body)
	}
}

// TestLoginTemplateChecked: New refuses a template that fails with the
// documented data, and the built-in page is used when none is given.
func TestLoginTemplateChecked(t *testing.T) {
	bad := template.Must(template.New("login").Parse(`{{if .Error}}{{.Nope}}{{end}}`))
	_, err := authgate.New(authgate.Config{Store: memstore.New(), LoginTemplate: bad})
	if err == nil || !strings.Contains(err.Error(), "LoginTemplate") {
		t.Errorf("New with a template naming a missing field: err %v, want one naming LoginTemplate", err)
	}
}

// An app renders its own login page: the gate executes the app's template
// with a LoginPage, here after a wrong password. Every value is escaped.
func ExampleConfig_loginTemplate() {
	page := template.Must(template.New("login").Parse(`{{with .Error}}<p role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="return_to" value="{{.ReturnTo}}">
<input name="username" value="{{.Username}}"> <input name="password" type="password">
</form>`))
	gate, err := authgate.New(authgate.Config{Store: memstore.New(), LoginTemplate: page})
	if err != nil {
		log.Fatal(err)
	}

	form := url.Values{"username": {`<ada>`}, "password": {"wrong"}, "return_to": {"/notes"}}
	r := httptest.NewRequest("POST", "https://example.com/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	gate.ServeHTTP(w, r)
	fmt.Println(w.Code)
	fmt.Println(w.Body.String())
	// Output:
	// 401
	// <p role="alert">Wrong user name or password.</p>
	// <form method="post" action="/login">
	// <input type="hidden" name="return_to" value="/notes">
	// <input name="username" value="&lt;ada&gt;"> <input name="password" type="password">
	// </form>
}
