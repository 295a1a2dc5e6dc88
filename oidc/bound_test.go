package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// signer signs ID tokens (ES256) for the verification tests that need
// tokens no provider would issue.
type signer struct {
	key *ecdsa.PrivateKey
}

func newSigner(t *testing.T) *signer {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{key: key}
}

// sign returns claims as a signed JWT.
func (s *signer) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	input := enc([]byte(`{"alg":"ES256","typ":"JWT"}`)) + "." + enc(body)
	sum := sha256.Sum256([]byte(input))
	r, ss, err := ecdsa.Sign(rand.Reader, s.key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return input + "." + enc(sig)
}

// verifier is go-oidc's verifier for issuer and the client "authgate", with
// s's key.
func (s *signer) verifier(issuer string, now time.Time) *gooidc.IDTokenVerifier {
	return gooidc.NewVerifier(issuer, &gooidc.StaticKeySet{PublicKeys: []crypto.PublicKey{s.key.Public()}},
		&gooidc.Config{ClientID: "authgate", SupportedSigningAlgs: []string{"ES256"}, Now: func() time.Time { return now }})
}

// TestVerifyBounds: after go-oidc's checks, the gate refuses an ID token
// with several audiences and no azp, or an azp that is another client
// (OpenID Connect Core 3.1.3.7), and one whose issuer or subject is longer
// than the stores keep, saying which and how long; it removes control and
// format characters from the e-mail address and the name, cuts the name
// at a rune boundary, and drops an e-mail address too long to be one,
// with its verification. These are tokens the test provider does not
// issue, signed here; TestVerifyAudience shows azp with the provider's.
func TestVerifyBounds(t *testing.T) {
	const iss = "https://sso.example.com"
	longIss := "https://sso.example.com/" + strings.Repeat("i", 240)
	longName := strings.Repeat("é", 200) // 400 bytes
	longEmail := strings.Repeat("a", 250) + "@example.com"
	tests := []struct {
		name   string
		iss    string
		claims map[string]any
		err    string // "" when accepted
		email  string
		ok     bool // email_verified as the gate keeps it
		uname  string
	}{
		{name: "plain", claims: map[string]any{"email": "bob@example.com", "email_verified": true, "name": "Bob"},
			email: "bob@example.com", ok: true, uname: "Bob"},
		{name: "several audiences, azp ours", claims: map[string]any{"aud": []string{"authgate", "other"}, "azp": "authgate"}},
		{name: "several audiences, no azp", claims: map[string]any{"aud": []string{"authgate", "other"}}, err: "several audiences and no azp"},
		{name: "several audiences, azp another client", claims: map[string]any{"aud": []string{"other", "authgate"}, "azp": "other"}, err: "azp (authorized party) is another client"},
		{name: "one audience, azp another client", claims: map[string]any{"azp": "other"}, err: "azp (authorized party) is another client"},
		{name: "subject of 255 bytes", claims: map[string]any{"sub": strings.Repeat("s", 255)}},
		{name: "subject of 256 bytes", claims: map[string]any{"sub": strings.Repeat("s", 256)}, err: "subject is 256 bytes long, more than the 255"},
		{name: "issuer of 264 bytes", iss: longIss, err: "issuer is 264 bytes long, more than the 255"},
		{name: "control characters", claims: map[string]any{"email": "bob@exa\x00mple.com\r\n", "email_verified": true, "name": "B\x1bo\u202eb\u0085"},
			email: "bob@example.com", ok: true, uname: "Bob"},
		{name: "a long name", claims: map[string]any{"name": longName}, uname: longName[:254]},
		{name: "an e-mail address of 254 bytes", claims: map[string]any{"email": longEmail[8:], "email_verified": true},
			email: longEmail[8:], ok: true},
		{name: "an e-mail address of 262 bytes", claims: map[string]any{"email": longEmail, "email_verified": true}},
	}
	s := newSigner(t)
	now := time.Now()
	p, err := New(Config{Name: "sso", Label: "SSO", Issuer: iss, ClientID: "authgate", ClientSecret: "secret", Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			issuer := iss
			if tc.iss != "" {
				issuer = tc.iss
			}
			claims := map[string]any{"iss": issuer, "sub": "sub-bob", "aud": "authgate", "exp": now.Add(time.Minute).Unix(), "iat": now.Unix()}
			for k, v := range tc.claims {
				claims[k] = v
			}
			c, err := p.verifyWith(context.Background(), s.verifier(issuer, now), s.sign(t, claims))
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("verify: %v, want an error saying %q", err, tc.err)
				}
				return
			case err != nil:
				t.Fatalf("verify: %v", err)
			}
			if c.Email != tc.email || c.Verified != tc.ok || c.Name != tc.uname {
				t.Errorf("e-mail %q (verified %v), name %q; want %q (%v), %q", c.Email, c.Verified, c.Name, tc.email, tc.ok, tc.uname)
			}
			if !utf8.ValidString(c.Name) || len(c.Name) > maxName || len(c.Email) > maxEmail {
				t.Errorf("name %q (%d bytes), e-mail of %d bytes", c.Name, len(c.Name), len(c.Email))
			}
		})
	}
}
