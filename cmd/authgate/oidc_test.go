package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/oidctest"
)

func TestMain(m *testing.M) { oidctest.Main(m) }

// oidcEnvFor is the environment that gives the provider called sso the
// client of idp.
func oidcEnvFor(idp *oidctest.Provider) map[string]string {
	return map[string]string{
		"AUTHGATE_OIDC_SSO_CLIENT_ID":     idp.Client.ID,
		"AUTHGATE_OIDC_SSO_CLIENT_SECRET": idp.Client.Secret,
	}
}

// jarClient is a browser: it keeps cookies and follows no redirect.
func jarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func navigate(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestOIDCCommands signs a user in through the test provider with each
// command that serves the gate, configured by --oidc and the environment:
// the login page offers the provider, the callback makes a session, and
// the session opens what the command guards.
func TestOIDCCommands(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "upstream for "+r.Header.Get("X-Authgate-User"))
	}))
	t.Cleanup(up.Close)
	tests := []struct {
		cmd    string
		args   []string
		page   string // a guarded page
		signed string // what it says once signed in
	}{
		{"demo", nil, "/", "Signed in as"},
		{"proxy", []string{"--upstream", up.URL}, "/notes", "upstream for bob@example.com"},
		{"forward-auth", nil, "/.authgate/keepalive", ""},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "authgate.db")
			args := append([]string{"--db", db, "--oidc", "sso=" + idp.Issuer, "--oidc-label", "sso=Test SSO",
				"--oidc-create-users", "--oidc-allowed-domain", "example.com"}, tc.args...)
			run := startServingEnv(t, oidcEnvFor(idp), tc.cmd, args...)
			base := strings.TrimSuffix(run.base, "/")
			b := jarClient()
			resp, body := navigate(t, b, base+"/login?return_to=%2Fnotes")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/.authgate/oidc/sso/start?return_to=%2Fnotes">Sign in with Test SSO</a>`) {
				t.Fatalf("the login page offers no provider: %s\n%s", resp.Status, body)
			}
			resp, _ = navigate(t, b, base+"/.authgate/oidc/sso/start?return_to=%2Fnotes")
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("start: %s", resp.Status)
			}
			back := idp.Browse(t, b, resp.Header.Get("Location"), oidctest.Bob)
			if !strings.HasPrefix(back, base+"/.authgate/oidc/sso/callback?") {
				t.Fatalf("the provider sent the browser to %s", back)
			}
			resp, body = navigate(t, b, back)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notes" {
				t.Fatalf("callback: %s to %q\n%s", resp.Status, resp.Header.Get("Location"), body)
			}
			if tc.signed == "" {
				// forward-auth guards nothing of its own: the keepalive
				// answers 204 to a session.
				req, _ := http.NewRequest("POST", base+tc.page, nil)
				req.Header.Set("Sec-Fetch-Mode", "cors")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("Origin", base)
				r, err := b.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusNoContent {
					t.Errorf("keepalive after the sign-in: %s, want 204", r.Status)
				}
				return
			}
			resp, body = navigate(t, b, base+tc.page)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, tc.signed) {
				t.Errorf("GET %s after the sign-in: %s, want %q\n%.500s", tc.page, resp.Status, tc.signed, body)
			}
			if strings.Contains(run.stdout.String(), idp.Client.Secret) {
				t.Error("the output holds the client secret")
			}
		})
	}
}

// TestOIDCFlagErrors: bad provider settings stop the command with a clear
// message, exit code 2, and never the secret.
func TestOIDCFlagErrors(t *testing.T) {
	const secret = "s3cret-never-shown"
	dir := t.TempDir()
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(dir, "shared.secret")
	if err := os.WriteFile(shared, []byte(secret+strings.Repeat("k", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	withID := map[string]string{"AUTHGATE_OIDC_SSO_CLIENT_ID": "authgate"}
	sharedSecret := map[string]string{"AUTHGATE_OIDC_SSO_CLIENT_ID": "authgate", "AUTHGATE_OIDC_SSO_CLIENT_SECRET_FILE": shared}
	full := map[string]string{"AUTHGATE_OIDC_SSO_CLIENT_ID": "authgate", "AUTHGATE_OIDC_SSO_CLIENT_SECRET": secret}
	both := map[string]string{"AUTHGATE_OIDC_SSO_CLIENT_ID": "authgate", "AUTHGATE_OIDC_SSO_CLIENT_SECRET": secret,
		"AUTHGATE_OIDC_SSO_CLIENT_SECRET_FILE": short}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no NAME=", full, []string{"--oidc", "https://sso.example.com"}, `--oidc "https://sso.example.com" is not NAME=ISSUER_URL`},
		{"no client id", nil, []string{"--oidc", "sso=https://sso.example.com"}, "$AUTHGATE_OIDC_SSO_CLIENT_ID is not set"},
		{"no secret", withID, []string{"--oidc", "sso=https://sso.example.com"}, "set the client secret in $AUTHGATE_OIDC_SSO_CLIENT_SECRET"},
		{"two secrets", both, []string{"--oidc", "sso=https://sso.example.com"}, "set one"},
		{"missing secret file", map[string]string{"AUTHGATE_OIDC_SSO_CLIENT_ID": "authgate", "AUTHGATE_OIDC_SSO_CLIENT_SECRET_FILE": filepath.Join(dir, "none")},
			[]string{"--oidc", "sso=https://sso.example.com"}, "CLIENT_SECRET_FILE"},
		{"bad issuer", full, []string{"--oidc", "sso=sso.example.com"}, "is not an http(s) URL"},
		{"bad name", map[string]string{"AUTHGATE_OIDC_S_O_CLIENT_ID": "a", "AUTHGATE_OIDC_S_O_CLIENT_SECRET": secret}, []string{"--oidc", "s o=https://sso.example.com"}, "provider name"},
		{"secret file others may read", sharedSecret, []string{"--oidc", "sso=https://sso.example.com"}, "$AUTHGATE_OIDC_SSO_CLIENT_SECRET_FILE: the file's mode is 0644"},
		{"key file others may read", full, []string{"--oidc", "sso=https://sso.example.com", "--oidc-key-file", shared}, "--oidc-key-file: the file's mode is 0644"},
		{"http issuer off loopback", full, []string{"--oidc", "sso=http://sso.example.com"}, "plain http"},
		{"short key", full, []string{"--oidc", "sso=https://sso.example.com", "--oidc-key-file", short}, "at least 32 bytes"},
		{"label for nobody", full, []string{"--oidc", "sso=https://sso.example.com", "--oidc-label", "other=Other"}, `--oidc-label names "other"`},
		{"options without a provider", nil, []string{"--oidc-create-users"}, "need at least one --oidc provider"},
		{"create users, no allow-list", full, []string{"--oidc", "sso=https://sso.example.com", "--oidc-create-users"}, "--oidc-allow-any-account"},
		{"no password, no provider", nil, []string{"--no-password-sign-in"}, "--no-password-sign-in needs at least one --oidc provider"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb strings.Builder
			c := newCLI(strings.NewReader(""), &out, &errb)
			c.lookupEnv = func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			args := append([]string{"proxy", "--addr", "127.0.0.1:0", "--upstream", "http://127.0.0.1:9", "--db", filepath.Join(t.TempDir(), "a.db")}, tc.args...)
			r := result{c.main(t.Context(), args), out.String(), errb.String()}
			r.expect(t, exitUsage, tc.want)
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("the output shows the secret: %s", r.stderr)
			}
		})
	}
}

// shellWords splits a command line at spaces, keeping text in single
// quotes together, as the README's lines need.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				words = append(words, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		words = append(words, cur.String())
	}
	return words
}

// TestReadmeOIDC runs the README's worked example: the provider with the
// flags and environment it shows (as internal/oidctest runs it), the demo
// with the README's flags and environment, and Bob signing in.
func TestReadmeOIDC(t *testing.T) {
	sec := readmeSection(t, "Sign in with an identity provider (OpenID Connect)")
	_, block, ok := strings.Cut(sec, "```sh\n")
	if !ok {
		t.Fatal("the section has no sh block")
	}
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 4 {
		t.Fatalf("the example has %d lines, want 4:\n%s", len(lines), block)
	}
	// The provider: the flags and secrets internal/oidctest gives it.
	src, err := os.ReadFile("../../internal/oidctest/provider.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"-addr"`, `"-redirect"`, `"OIDCPROVIDER_SECRET_AUTHGATE="`, `"OIDCPROVIDER_SECRET_OTHER="`} {
		name := strings.Trim(strings.TrimSuffix(want, `="`), `"`)
		if !strings.Contains(lines[0]+lines[1], name) {
			t.Errorf("the provider's lines do not use %s", name)
		}
		if !strings.Contains(string(src), want) {
			t.Errorf("internal/oidctest does not give the provider %s, which the README uses", want)
		}
	}
	if !strings.Contains(lines[1], "-redirect 'http://127.0.0.1:8080/.authgate/oidc/test/callback'") {
		t.Errorf("the provider's redirect URI is not the demo's callback: %s", lines[1])
	}

	// The demo's environment and flags, with the test provider's issuer
	// for the README's.
	idp := oidctest.Start(t, oidctest.Options{})
	env := map[string]string{}
	for _, w := range shellWords(strings.TrimPrefix(lines[2], "export ")) {
		k, v, _ := strings.Cut(w, "=")
		switch v {
		case "authgate":
			env[k] = idp.Client.ID
		case "$OIDCPROVIDER_SECRET_AUTHGATE":
			env[k] = idp.Client.Secret
		default:
			t.Fatalf("the README sets %s=%s, which the test does not know", k, v)
		}
	}
	words := shellWords(lines[3])
	if len(words) < 4 || strings.Join(words[:3], " ") != "go run ./cmd/authgate" {
		t.Fatalf("the last line is not go run ./cmd/authgate: %s", lines[3])
	}
	args := words[4:]
	for i, a := range args {
		args[i] = strings.Replace(a, "http://127.0.0.1:9998", idp.Issuer, 1)
	}
	args = append([]string{"--db", filepath.Join(t.TempDir(), "authgate.db")}, args...)
	run := startServingEnv(t, env, words[3], args...)
	base := strings.TrimSuffix(run.base, "/")
	b := jarClient()
	resp, body := navigate(t, b, base+"/login")
	if !strings.Contains(body, ">Sign in with Test provider</a>") {
		t.Fatalf("the login page has no button \"Sign in with Test provider\": %s\n%s", resp.Status, body)
	}
	resp, _ = navigate(t, b, base+"/.authgate/oidc/test/start")
	back := idp.Browse(t, b, resp.Header.Get("Location"), oidctest.Bob)
	resp, body = navigate(t, b, back)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Bob's sign-in: %s\n%s", resp.Status, body)
	}
	for _, u := range []oidctest.User{oidctest.Carol, oidctest.Dave} {
		c := jarClient()
		resp, _ = navigate(t, c, base+"/.authgate/oidc/test/start")
		resp, _ = navigate(t, c, idp.Browse(t, c, resp.Header.Get("Location"), u))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s's sign-in: %s, want 403 as the README says", u.Email, resp.Status)
		}
	}
}
