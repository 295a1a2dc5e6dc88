package oidctest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// discovery fetches the provider's discovery document.
func discovery(issuer string) (map[string]any, error) {
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc map[string]any
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(resp.Status)
	}
	return doc, json.NewDecoder(resp.Body).Decode(&doc)
}

// TestStartStopRestart checks that the provider serves discovery for its
// issuer, refuses connections once stopped, and serves again at the same
// issuer after a restart.
func TestStartStopRestart(t *testing.T) {
	p := Start(t, Options{})
	doc, err := discovery(p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != p.Issuer || doc["authorization_endpoint"] != p.Issuer+"/authorize" {
		t.Errorf("discovery says issuer %v, authorization_endpoint %v; want %s", doc["issuer"], doc["authorization_endpoint"], p.Issuer)
	}
	p.Stop()
	if _, err := discovery(p.Issuer); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("a stopped provider answered discovery: %v, want connection refused", err)
	}
	p.Restart()
	if doc, err := discovery(p.Issuer); err != nil || doc["issuer"] != p.Issuer {
		t.Errorf("after Restart discovery: %v, %v", doc, err)
	}
}

var formID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signIn runs the authorization code flow for client through the
// provider's password form as a browser would and returns the userinfo
// endpoint's answer for the access token.
func signIn(t *testing.T, p *Provider, client Client, redirect string, u User) map[string]any {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var back *url.URL
	b := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirect) {
			back = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	q := url.Values{"client_id": {client.ID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"s1"}, "nonce": {"n1"}}
	resp, err := b.Get(p.Issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formID.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no sign-in form (%s):\n%s", resp.Status, page)
	}
	resp, err = b.PostForm(p.Issuer+"/login", url.Values{"id": {string(m[1])}, "username": {u.Email}, "password": {u.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if back == nil || back.Query().Get("state") != "s1" || back.Query().Get("code") == "" {
		t.Fatalf("signing in as %s did not come back with a code (%s, %v)", u.Email, resp.Status, back)
	}

	req, _ := http.NewRequest("POST", p.Issuer+"/oauth/token", strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {redirect}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client.ID, client.Secret)
	var tokens struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	fetchJSON(t, req, &tokens)
	if tokens.IDToken == "" || tokens.AccessToken == "" {
		t.Fatalf("the token endpoint gave no ID token or access token")
	}
	req, _ = http.NewRequest("GET", p.Issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
	var info map[string]any
	fetchJSON(t, req, &info)
	return info
}

func fetchJSON(t *testing.T, req *http.Request, v any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s\n%s", req.Method, req.URL.Path, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

// TestUsersAgree signs every user in, with both clients and their secrets,
// back to both default redirect patterns, and checks that the provider's
// claims are what [Users] says.
func TestUsersAgree(t *testing.T) {
	p := Start(t, Options{})
	for _, client := range []Client{p.Client, p.Other} {
		for i, u := range Users() {
			redirect := []string{"http://127.0.0.1:9/back", "http://localhost:9/back"}[i%2]
			t.Run(client.ID+"/"+u.Email, func(t *testing.T) {
				info := signIn(t, p, client, redirect, u)
				var groups []string
				for _, g := range info["groups"].([]any) {
					groups = append(groups, g.(string))
				}
				if info["sub"] != u.Subject || info["email"] != u.Email || info["email_verified"] != u.EmailVerified || !slices.Equal(groups, u.Groups) {
					t.Errorf("userinfo %v, want %+v", info, u)
				}
			})
		}
	}
}
