package authgate_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/oidc"
)

// newOIDC makes a provider named name at an issuer that nothing serves:
// nothing here contacts it until a sign-in starts.
func newOIDC(t *testing.T, name, label string) *oidc.Provider {
	t.Helper()
	p, err := oidc.New(oidc.Config{Name: name, Label: label, Issuer: "http://127.0.0.1:9/" + name,
		ClientID: "authgate", ClientSecret: "secret", Key: []byte(strings.Repeat("k", 32)), Timeout: 2e9})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func providerGate(t *testing.T, noPassword bool) *authgate.Gate {
	t.Helper()
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher, Logger: testkit.NewLogs().Logger(),
		Providers:        []authgate.Provider{newOIDC(t, "sso", "Example SSO"), newOIDC(t, "git-lab", `Git "Lab" <&>`)},
		NoPasswordSignIn: noPassword})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLoginPageOffersProviders: the login page links each provider's start
// endpoint with the page's return_to, beside the form, or alone without
// password sign-in.
func TestLoginPageOffersProviders(t *testing.T) {
	for _, noPassword := range []bool{false, true} {
		g := providerGate(t, noPassword)
		w := httptest.NewRecorder()
		g.ServeHTTP(w, httptest.NewRequest("GET", "/login?return_to=%2Fnotes%3Fa%3D1", nil))
		body := w.Body.String()
		for _, want := range []string{
			`<a class="provider" href="/.authgate/oidc/sso/start?return_to=%2Fnotes%3Fa%3D1">Sign in with Example SSO</a>`,
			`<a class="provider" href="/.authgate/oidc/git-lab/start?return_to=%2Fnotes%3Fa%3D1">Sign in with Git &#34;Lab&#34; &lt;&amp;&gt;</a>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("noPassword %v: the page lacks %s\n%s", noPassword, want, body)
			}
		}
		if got := strings.Contains(body, `name="password"`); got == noPassword {
			t.Errorf("noPassword %v: the page has a password field: %v", noPassword, got)
		}
	}
}

// TestNoPasswordSignIn: with password sign-in off, a correct password is
// refused with 403, as a form and as JSON.
func TestNoPasswordSignIn(t *testing.T) {
	g := providerGate(t, true)
	for _, ct := range []string{"application/x-www-form-urlencoded", "application/json"} {
		body := "username=ada&password=pw"
		if ct == "application/json" {
			body = `{"username":"ada","password":"pw"}`
		}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), authgate.ProblemNoPassword) {
			t.Errorf("%s: %d %s, want 403 %s", ct, w.Code, w.Body, authgate.ProblemNoPassword)
		}
	}
	if _, err := authgate.New(authgate.Config{Store: memstore.New(), NoPasswordSignIn: true}); err == nil {
		t.Error("New took NoPasswordSignIn without a provider")
	}
}

var dataProviders = regexp.MustCompile(`data-providers="([^"]*)"`)

// TestScriptTagProviders: the script tag lists the providers for the
// sign-in dialog as JSON, and says when there is no password sign-in.
func TestScriptTagProviders(t *testing.T) {
	for _, noPassword := range []bool{false, true} {
		tag := string(providerGate(t, noPassword).ScriptTag(httptest.NewRequest("GET", "/", nil), authgate.ClientOptions{}))
		m := dataProviders.FindStringSubmatch(tag)
		if m == nil {
			t.Fatalf("no data-providers in %s", tag)
		}
		var got []map[string]string
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
			t.Fatalf("data-providers is not JSON: %v\n%s", err, tag)
		}
		want := []map[string]string{
			{"name": "sso", "label": "Example SSO", "url": "/.authgate/oidc/sso/start"},
			{"name": "git-lab", "label": `Git "Lab" <&>`, "url": "/.authgate/oidc/git-lab/start"},
		}
		if len(got) != len(want) || got[0]["url"] != want[0]["url"] || got[1]["label"] != want[1]["label"] || got[1]["name"] != want[1]["name"] {
			t.Errorf("data-providers = %v, want %v", got, want)
		}
		if strings.Contains(tag, `data-password="off"`) != noPassword {
			t.Errorf("noPassword %v: tag %s", noPassword, tag)
		}
	}
	g, _ := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher})
	if tag := g.ScriptTag(httptest.NewRequest("GET", "/", nil), authgate.ClientOptions{}); strings.Contains(string(tag), "data-providers") {
		t.Errorf("a gate without providers lists some: %s", tag)
	}
}

// TestProviderConfigErrors: New refuses providers it cannot route or a
// store that cannot keep their links.
func TestProviderConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		store authgate.Store
		ps    []authgate.Provider
		want  string
	}{
		{"two of a name", memstore.New(), []authgate.Provider{newOIDC(t, "sso", "A"), newOIDC(t, "sso", "B")}, `two providers are named "sso"`},
		{"a bad name", memstore.New(), []authgate.Provider{newOIDC(t, "Sso", "A")}, "provider name"},
		{"a nil provider", memstore.New(), []authgate.Provider{nil}, "is nil"},
		{"a store without links", struct{ authgate.Store }{memstore.New()}, []authgate.Provider{newOIDC(t, "sso", "A")}, "does not implement authgate.IdentityStore"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := authgate.New(authgate.Config{Store: tc.store, Hasher: testkit.Hasher, Providers: tc.ps})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestProviderEndpointsUnderRequire: Require serves exactly the
// providers' start and callback paths itself (a provider that cannot be
// reached gets 503, never the login redirect); any other path under
// Prefix+"oidc/" is the app's, and needs a session.
func TestProviderEndpointsUnderRequire(t *testing.T) {
	g := providerGate(t, false)
	h := g.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("app")) }))
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/.authgate/oidc/sso/start?return_to=%2Fnotes", 503},
		{"GET", "/.authgate/oidc/sso/callback?code=x&state=y", 400},
		{"POST", "/.authgate/oidc/sso/start", 405},
		{"HEAD", "/.authgate/oidc/sso/callback", 405},
		{"GET", "/.authgate/oidc/other/start", 303},
		{"GET", "/.authgate/oidc/sso/other", 303},
		{"GET", "/.authgate/oidc/sso/start/", 303},
		{"GET", "/.authgate/oidc/sso/%73tart", 303},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.status {
			t.Errorf("%s %s: %d, want %d\n%s", tc.method, tc.path, w.Code, tc.status, w.Body)
		}
		if tc.status == 503 && (w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), `href="/.authgate/oidc/sso/start?return_to=%2Fnotes"`)) {
			t.Errorf("the 503 page redirects or has no link to start again:\n%s", w.Body)
		}
	}
}

func TestMain(m *testing.M) { oidctest.Main(m) }
