package authgate_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

var (
	keyIDRE     = regexp.MustCompile(`^agk_[a-z2-7]{16}$`)
	keySecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
)

// TestNewAPIKey checks the shape of a new key and its secret.
func TestNewAPIKey(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := now.Add(24 * time.Hour)
	k, secret, err := authgate.NewAPIKey("u-1", "deploy bot", now, exp)
	if err != nil {
		t.Fatal(err)
	}
	if !keyIDRE.MatchString(k.ID) {
		t.Errorf("id %q does not match %v", k.ID, keyIDRE)
	}
	if !keySecretRE.MatchString(secret) {
		t.Errorf("secret %q does not match %v", secret, keySecretRE)
	}
	if k.SecretHash != authgate.HashOf([]byte(secret)) {
		t.Error("SecretHash is not SHA-256 of the secret")
	}
	if k.Name != "deploy bot" || k.UserID != "u-1" || !k.CreatedAt.Equal(now) || !k.ExpiresAt.Equal(exp) || k.Revoked || !k.LastUsed.IsZero() {
		t.Errorf("key = %+v", k)
	}
	if strings.Contains(k.ID, secret) || strings.Contains(secret, k.ID[4:]) {
		t.Error("the id and the secret share text")
	}
	k2, secret2, _ := authgate.NewAPIKey("u-1", "deploy bot", now, time.Time{})
	if k2.ID == k.ID || secret2 == secret {
		t.Error("two keys share an id or a secret")
	}
	if !k2.ExpiresAt.IsZero() {
		t.Error("a zero expiry was changed")
	}
	for _, tt := range []struct {
		user, name string
		expires    time.Time
	}{
		{"", "x", time.Time{}},
		{"u", "", time.Time{}},
		{"u", strings.Repeat("n", 101), time.Time{}},
		{"u", "x", now},
		{"u", "x", now.Add(-time.Second)},
	} {
		if _, s, err := authgate.NewAPIKey(tt.user, tt.name, now, tt.expires); err == nil || s != "" {
			t.Errorf("NewAPIKey(%q, %q, %v) = %q, %v; want an error", tt.user, tt.name, tt.expires, s, err)
		}
	}
}

// TestAPIKeyAuth: Basic auth with a key works, and each failure gives its
// reason to a machine client.
func TestAPIKeyAuth(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *env) string // the Authorization header
		status int
		reason string
	}{
		{"valid", func(e *env) string { return basicAuth(e.newKey(time.Time{})) }, 200, ""},
		{"valid, lower-case scheme", func(e *env) string {
			return "basic" + basicAuth(e.newKey(time.Time{}))[5:]
		}, 200, ""},
		{"wrong secret", func(e *env) string {
			id, secret := e.newKey(time.Time{})
			return basicAuth(id, secret[:42]+flip(secret[42]))
		}, 401, "invalid"},
		{"unknown id", func(e *env) string {
			_, secret := e.newKey(time.Time{})
			return basicAuth("agk_aaaaaaaaaaaaaaaa", secret)
		}, 401, "invalid"},
		{"revoked", func(e *env) string {
			id, secret := e.newKey(time.Time{})
			if err := e.store.RevokeKey(context.Background(), id); err != nil {
				e.t.Fatal(err)
			}
			return basicAuth(id, secret)
		}, 401, "revoked"},
		{"revoked, wrong secret", func(e *env) string {
			id, _ := e.newKey(time.Time{})
			_ = e.store.RevokeKey(context.Background(), id)
			return basicAuth(id, "nope")
		}, 401, "invalid"},
		{"expired", func(e *env) string {
			id, secret := e.newKey(e.clock.Now().Add(time.Hour))
			e.clock.Add(time.Hour)
			return basicAuth(id, secret)
		}, 401, "expired"},
		{"not yet expired", func(e *env) string {
			id, secret := e.newKey(e.clock.Now().Add(time.Hour))
			e.clock.Add(time.Hour - time.Second)
			return basicAuth(id, secret)
		}, 200, ""},
		{"owner's revoke-all", func(e *env) string {
			id, secret := e.newKey(time.Time{})
			_, _ = e.store.RevokeUserKeys(context.Background(), testUserID)
			return basicAuth(id, secret)
		}, 401, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			authz := tt.setup(e)
			rec := e.do(newReq("GET", "/data", "Authorization", authz, "User-Agent", "curl/8"))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tt.status, rec.Body.String())
			}
			if tt.status == 200 {
				if rec.Body.String() != "hello u-alice by apikey" {
					t.Errorf("body %q", rec.Body.String())
				}
				return
			}
			p := parseProblem(t, rec)
			if p.Reason != tt.reason {
				t.Errorf("reason %q, want %q", p.Reason, tt.reason)
			}
			if rec.Header().Get("Www-Authenticate") == "" {
				t.Error("no Basic challenge for a machine")
			}
			if e.ran.Load() != 0 {
				t.Error("the handler ran")
			}
		})
	}
}

// flip returns a different base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestAPIKeyBeatsCookie: an Authorization: Basic header is what counts,
// even beside a valid session cookie.
func TestAPIKeyBeatsCookie(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	r := withSession(newReq("GET", "/data", "Authorization", basicAuth("agk_aaaaaaaaaaaaaaaa", "x")), tok)
	if rec := e.do(r); rec.Code != 401 {
		t.Errorf("bad key beside a good cookie: status %d, want 401", rec.Code)
	}
	// Other schemes are left to the app: the cookie decides.
	r = withSession(newReq("GET", "/data", "Authorization", "Bearer abc"), tok)
	if rec := e.do(r); rec.Code != 200 {
		t.Errorf("Bearer beside a good cookie: status %d, want 200", rec.Code)
	}
}

// TestAPIKeyLastUsed: last-used is written no more often than the touch
// interval.
func TestAPIKeyLastUsed(t *testing.T) {
	e := newEnv(t)
	id, secret := e.newKey(time.Time{})
	authz := basicAuth(id, secret)
	get := func() {
		t.Helper()
		if rec := e.do(newReq("GET", "/data", "Authorization", authz)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	for range 100 {
		get()
	}
	if n := e.store.Calls("TouchKey"); n != 1 {
		t.Errorf("first burst: %d key touches, want 1", n)
	}
	k, _ := e.store.Key(context.Background(), id)
	if !k.LastUsed.Equal(e.clock.Now()) {
		t.Errorf("LastUsed = %v, want %v", k.LastUsed, e.clock.Now())
	}
	e.clock.Add(59 * time.Second)
	for range 100 {
		get()
	}
	if n := e.store.Calls("TouchKey"); n != 1 {
		t.Errorf("inside the interval: %d key touches, want 1", n)
	}
	e.clock.Add(time.Second)
	for range 100 {
		get()
	}
	if n := e.store.Calls("TouchKey"); n != 2 {
		t.Errorf("after the interval: %d key touches, want 2", n)
	}
	// A failing touch does not refuse the request.
	e.clock.Add(time.Hour)
	e.store.Fail(testkit.WriteMethods...)
	get()
}

// TestAPIKeyMachineStatus: a valid key gets the handler's answer whatever
// the signal mode; only a failure is a 401.
func TestAPIKeyMachineStatus(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) { c.Signal = authgate.SignalBody("LOGIN") })
	id, secret := e.newKey(time.Time{})
	if rec := e.do(newReq("POST", "/data", "Authorization", basicAuth(id, secret))); rec.Code != 200 {
		t.Errorf("status %d", rec.Code)
	}
	rec := e.do(newReq("POST", "/data", "Authorization", basicAuth(id, "bad")))
	if rec.Code != http.StatusUnauthorized || rec.Body.String() == "LOGIN" {
		t.Errorf("bad key in sentinel mode: status %d body %q", rec.Code, rec.Body.String())
	}
}
