package oidc

import (
	"strings"
	"testing"
)

// TestNewRefuses: New refuses a configuration that would admit more than
// it says, such as CreateUsers with no allow-list at a public provider, or
// an issuer over plain http anywhere but on loopback, where anyone on the
// way could change its keys.
func TestNewRefuses(t *testing.T) {
	base := func() Config {
		return Config{Name: "sso", Label: "SSO", Issuer: "https://sso.example.com", ClientID: "id", ClientSecret: "secret", Key: testKey}
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want string // "" when New accepts it
	}{
		{"create users, no allow-list", func(c *Config) { c.CreateUsers = true }, "AllowAnyAccount"},
		{"create users, any account", func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true }, ""},
		{"create users, a domain", func(c *Config) { c.CreateUsers, c.AllowedDomains = true, []string{"example.com"} }, ""},
		{"create users, a group", func(c *Config) { c.CreateUsers, c.AllowedGroups = true, []string{"staff"} }, ""},
		{"linked users only", func(c *Config) {}, ""},
		{"a domain that is not ASCII", func(c *Config) { c.AllowedDomains = []string{"exämple.com"} }, "not an e-mail domain"},
		{"an http issuer", func(c *Config) { c.Issuer = "http://sso.example.com" }, "plain http"},
		{"an http issuer named localhost-like", func(c *Config) { c.Issuer = "http://localhost.example.com" }, "plain http"},
		{"an http issuer on a private address", func(c *Config) { c.Issuer = "http://10.0.0.1:8080" }, "plain http"},
		{"an http issuer on 127.0.0.1", func(c *Config) { c.Issuer = "http://127.0.0.1:9998" }, ""},
		{"an http issuer on 127.3.2.1", func(c *Config) { c.Issuer = "http://127.3.2.1" }, ""},
		{"an http issuer on ::1", func(c *Config) { c.Issuer = "http://[::1]:9998/realms/x" }, ""},
		{"an http issuer on localhost", func(c *Config) { c.Issuer = "http://LocalHost:9998" }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.mod(&cfg)
			_, err := New(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// TestAdmitsASCII: allowed domains compare with ASCII case folding only;
// a letter that Unicode folds into an ASCII one does not make a domain on
// the list.
func TestAdmitsASCII(t *testing.T) {
	p, err := New(Config{Name: "sso", Label: "SSO", Issuer: "https://sso.example.com", ClientID: "id", ClientSecret: "secret", Key: testKey,
		AllowedDomains: []string{"ok.example"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		email string
		want  bool
	}{
		{"bob@ok.example", true},
		{"bob@OK.Example", true},
		{"bob@o\u212a.example", false}, // the Kelvin sign, which Unicode folds into k
		{"bob@ok.example.evil", false},
	}
	for _, tc := range tests {
		if got := p.admits(&claimSet{Email: tc.email, Verified: true}); got != tc.want {
			t.Errorf("admits(%q) = %v, want %v", tc.email, got, tc.want)
		}
	}
}
