package demo_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/demo"
)

func TestPageSignedIn(t *testing.T) {
	f := newFixture(t, `Alice <script>alert("x")</script>`)
	cookies := f.signIn("alice")
	if _, err := f.notes.Add(t.Context(), f.user.ID, `<img src=x onerror=alert(1)>`, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w := f.serve(withCookies(navigate(httptest.NewRequest(http.MethodGet, "/", nil)), cookies))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	body := w.Body.String()
	for _, want := range []string{
		`<strong id="who">Alice &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</strong>`,
		`<form method="post" action="/logout">`,
		`id="notes"`, `id="note-text"`, `id="save"`, `id="form-text"`, `id="form-save"`, `id="status"`, `id="refresh"`,
		`<form id="note-form" method="post" action="/notes">`,
		`<li>&lt;img src=x onerror=alert(1)&gt; `,
		`<script src="/.authgate/client.`,
		`data-mode="dialog"`,
		`<script src="/demo.js?v=`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Error("the page holds unescaped user text")
	}
	if strings.Index(body, "/.authgate/client.") > strings.Index(body, "/demo.js") {
		t.Error("the client script must load before the page's script, so it sees the first fetch")
	}
	for name, want := range map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-store",
	} {
		if got := w.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func TestFormPost(t *testing.T) {
	f := newFixture(t, "Alice")
	cookies := f.signIn("alice")
	tests := []struct {
		name   string
		text   string
		status int
		stored string // "" when nothing is stored
	}{
		{"saved", "  buy milk\r\nand eggs ", http.StatusSeeOther, "buy milk\nand eggs"},
		{"empty", "   ", http.StatusUnprocessableEntity, ""},
		{"too long", strings.Repeat("é", demo.MaxNoteLen+1), http.StatusUnprocessableEntity, ""},
		{"control character", "bell\a", http.StatusUnprocessableEntity, ""},
		{"at the limit", strings.Repeat("é", demo.MaxNoteLen), http.StatusSeeOther, strings.Repeat("é", demo.MaxNoteLen)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.notesOf(f.user.ID))
			r := withCookies(navigate(formPost("/notes", tc.text)), cookies)
			r.Header.Set("Origin", "http://example.com")
			w := f.serve(r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.status, w.Body.String())
			}
			got := f.notesOf(f.user.ID)
			switch {
			case tc.stored == "" && len(got) != before:
				t.Errorf("a refused note was stored: %q", got[0])
			case tc.stored != "" && (len(got) != before+1 || got[0] != tc.stored):
				t.Errorf("notes = %q, want %q first", got, tc.stored)
			}
			if tc.status == http.StatusSeeOther {
				if loc := w.Header().Get("Location"); loc != "/" {
					t.Errorf("Location = %q, want /", loc)
				}
			} else if !strings.Contains(w.Body.String(), `role="alert"`) {
				t.Errorf("the refusal page does not say why: %q", w.Body.String())
			}
		})
	}
}

func TestAPINotesSession(t *testing.T) {
	f := newFixture(t, "Alice")
	cookies := f.signIn("alice")
	w := f.serve(withCookies(script(jsonPost("/api/notes", `{"text":"<b>from xhr</b>"}`)), cookies))
	if w.Code != http.StatusCreated {
		t.Fatalf("POST: status %d, want 201; body %q", w.Code, w.Body.String())
	}
	var created demo.Note
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || created.Text != "<b>from xhr</b>" || created.ID == 0 {
		t.Fatalf("POST answered %q (%v)", w.Body.String(), err)
	}
	if strings.Contains(w.Body.String(), "<b>") {
		t.Errorf("JSON holds raw HTML characters: %q", w.Body.String())
	}
	w = f.serve(withCookies(script(httptest.NewRequest(http.MethodGet, "/api/notes", nil)), cookies))
	list := decodeList(t, w)
	if len(list.Notes) != 1 || list.Notes[0].ID != created.ID {
		t.Fatalf("GET listed %+v, want the note just made", list.Notes)
	}
}

func TestAPINotesRefusals(t *testing.T) {
	f := newFixture(t, "Alice")
	cookies := f.signIn("alice")
	tests := []struct {
		name   string
		ctype  string
		body   string
		status int
	}{
		{"form body", "application/x-www-form-urlencoded", "text=hi", http.StatusUnsupportedMediaType},
		{"no content type", "", `{"text":"hi"}`, http.StatusUnsupportedMediaType},
		{"not JSON", "application/json", `text=hi`, http.StatusBadRequest},
		{"unknown field", "application/json", `{"text":"hi","user_id":"u2"}`, http.StatusBadRequest},
		{"two values", "application/json", `{"text":"hi"}{"text":"again"}`, http.StatusBadRequest},
		{"empty note", "application/json", `{"text":"  "}`, http.StatusUnprocessableEntity},
		{"too large", "application/json", `{"text":"` + strings.Repeat("a", 20<<10) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := script(jsonPost("/api/notes", tc.body))
			r.Header.Set("Content-Type", tc.ctype)
			w := f.serve(withCookies(r, cookies))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.status, w.Body.String())
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if n := len(f.notesOf(f.user.ID)); n != 0 {
				t.Errorf("%d notes stored, want none", n)
			}
		})
	}
}

func TestAPINotesKey(t *testing.T) {
	f := newFixture(t, "Alice")
	bob := f.addUser("u2", "bob", "Bob")
	id, secret := f.apiKey(f.user.ID, time.Time{})
	bobID, bobSecret := f.apiKey(bob.ID, time.Time{})

	r := machine(jsonPost("/api/notes", `{"text":"from curl"}`))
	r.SetBasicAuth(id, secret)
	if w := f.serve(r); w.Code != http.StatusCreated {
		t.Fatalf("POST with a key: status %d, want 201; body %q", w.Code, w.Body.String())
	}
	tests := []struct {
		name, id, secret string
		want             []string
	}{
		{"owner", id, secret, []string{"from curl"}},
		{"another user", bobID, bobSecret, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := machine(httptest.NewRequest(http.MethodGet, "/api/notes", nil))
			r.SetBasicAuth(tc.id, tc.secret)
			list := decodeList(t, f.serve(r))
			if len(list.Notes) != len(tc.want) {
				t.Fatalf("listed %+v, want %q", list.Notes, tc.want)
			}
			for i, n := range list.Notes {
				if n.Text != tc.want[i] {
					t.Errorf("note %d = %q, want %q", i, n.Text, tc.want[i])
				}
			}
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		r := machine(httptest.NewRequest(http.MethodGet, "/api/notes", nil))
		r.SetBasicAuth(id, secret+"x")
		w := f.serve(r)
		if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
			t.Errorf("status %d, WWW-Authenticate %q; want 401 with a Basic challenge", w.Code, w.Header().Get("WWW-Authenticate"))
		}
	})
}

// TestAfterExpiry checks each kind of call the page makes once the session
// has passed its idle timeout, and an API key past its expiry: each gets the
// answer its kind understands, and no note is stored.
func TestAfterExpiry(t *testing.T) {
	f := newFixture(t, "Alice")
	cookies := f.signIn("alice")
	keyID, secret := f.apiKey(f.user.ID, f.clock.Now().Add(idle/2))
	f.clock.Add(idle + time.Second)

	withKey := func(r *http.Request) *http.Request { r.SetBasicAuth(keyID, secret); return r }
	withReferer := func(r *http.Request) *http.Request { r.Header.Set("Referer", "http://example.com/"); return r }
	tests := []struct {
		name      string
		req       *http.Request
		status    int
		location  string
		login     string // Authgate-Login
		challenge bool   // WWW-Authenticate: Basic
	}{
		{"page load", withCookies(navigate(httptest.NewRequest(http.MethodGet, "/", nil)), cookies),
			http.StatusSeeOther, "/login?return_to=%2F", "", false},
		{"form post", withCookies(withReferer(navigate(formPost("/notes", "lost?"))), cookies),
			http.StatusSeeOther, "/login?return_to=%2F", "", false},
		{"fetch list", withCookies(script(httptest.NewRequest(http.MethodGet, "/api/notes", nil)), cookies),
			http.StatusUnauthorized, "/login?return_to=%2F", "expired", false},
		{"xhr save", withCookies(script(jsonPost("/api/notes", `{"text":"lost?"}`)), cookies),
			http.StatusUnauthorized, "/login?return_to=%2F", "expired", false},
		{"api key list", withKey(machine(httptest.NewRequest(http.MethodGet, "/api/notes", nil))),
			http.StatusUnauthorized, "", "", true},
		{"api key save", withKey(machine(jsonPost("/api/notes", `{"text":"lost?"}`))),
			http.StatusUnauthorized, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := f.serve(tc.req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.status, w.Body.String())
			}
			if got := w.Header().Get("Location"); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
			if got := w.Header().Get("Authgate-Login"); got != tc.login {
				t.Errorf("Authgate-Login = %q, want %q", got, tc.login)
			}
			if got := w.Header().Get("WWW-Authenticate"); strings.HasPrefix(got, "Basic ") != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want a challenge: %v", got, tc.challenge)
			}
			if strings.Contains(w.Body.String(), "Notes") {
				t.Error("the protected page was served")
			}
			if got := f.notesOf(f.user.ID); len(got) != 0 {
				t.Errorf("notes stored after expiry: %q", got)
			}
		})
	}
}

func TestScriptAsset(t *testing.T) {
	f := newFixture(t, "Alice")
	w := f.serve(httptest.NewRequest(http.MethodGet, "/demo.js", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "window.demoLoadedAt") {
		t.Fatalf("status %d; body lacks window.demoLoadedAt", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	r := httptest.NewRequest(http.MethodGet, "/demo.js", nil)
	r.Header.Set("If-None-Match", w.Header().Get("Etag"))
	if w := f.serve(r); w.Code != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", w.Code)
	}
}

func TestUnknownPath(t *testing.T) {
	f := newFixture(t, "Alice")
	cookies := f.signIn("alice")
	w := f.serve(withCookies(navigate(httptest.NewRequest(http.MethodGet, "/favicon.ico", nil)), cookies))
	if w.Code != http.StatusNotFound {
		t.Errorf("status %d, want 404", w.Code)
	}
}

func decodeList(t *testing.T, w *httptest.ResponseRecorder) struct{ Notes []demo.Note } {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	var list struct{ Notes []demo.Note }
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	return list
}
