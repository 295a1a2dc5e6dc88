package authgate

import (
	"encoding/base64"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestParseBasic checks the Authorization: Basic parser on good, malformed
// and oversized input.
func TestParseBasic(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		user, pass string
		ok         bool
	}{
		{"plain", "Basic " + b64("agk_id:secret"), "agk_id", "secret", true},
		{"scheme lower case", "basic " + b64("a:b"), "a", "b", true},
		{"scheme upper case", "BASIC " + b64("a:b"), "a", "b", true},
		{"colon in password", "Basic " + b64("a:b:c"), "a", "b:c", true},
		{"spaces around the payload", "Basic   " + b64("a:b") + " ", "a", "b", true},
		{"utf-8 password", "Basic " + b64("a:pässword"), "a", "pässword", true},
		{"no colon", "Basic " + b64("ab"), "", "", false},
		{"empty user", "Basic " + b64(":b"), "", "", false},
		{"empty password", "Basic " + b64("a:"), "", "", false},
		{"empty payload", "Basic ", "", "", false},
		{"scheme only", "Basic", "", "", false},
		{"other scheme", "Bearer " + b64("a:b"), "", "", false},
		{"no space", "Basic" + b64("a:b"), "", "", false},
		{"bad base64", "Basic !!!!", "", "", false},
		{"url-safe base64", "Basic " + base64.URLEncoding.EncodeToString([]byte("a>?:b>?")), "", "", false},
		{"unpadded base64", "Basic " + base64.RawStdEncoding.EncodeToString([]byte("a:bc")), "", "", false},
		{"newline in user", "Basic " + b64("a\n:b"), "", "", false},
		{"NUL in password", "Basic " + b64("a:b\x00"), "", "", false},
		{"DEL in password", "Basic " + b64("a:b\x7f"), "", "", false},
		{"tab in the middle", "Basic " + b64("a:b") + "\t" + b64("c"), "", "", false},
		{"oversized", "Basic " + b64("a:"+strings.Repeat("x", 600)), "", "", false},
		{"just under the limit", "Basic " + b64("a:"+strings.Repeat("x", 375)), "a", strings.Repeat("x", 375), true},
		{"empty", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, p, ok := parseBasic(tt.in)
			if ok != tt.ok || u != tt.user || p != tt.pass {
				t.Errorf("parseBasic(%.40q) = %q, %q, %v; want %q, %q, %v", tt.in, u, p, ok, tt.user, tt.pass, tt.ok)
			}
		})
	}
}

// TestParsePHC refuses every malformed or dangerous PHC string.
func TestParsePHC(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if h, err := parsePHC(good); err != nil || h.m != 64 || h.t != 1 || h.p != 1 || len(h.salt) != 16 || len(h.key) != 32 {
		t.Fatalf("parsePHC(good) = %+v, %v", h, err)
	}
	if _, err := parsePHC("$argon2id$v=19$t=1,p=1,m=64$" + salt + "$" + key); err != nil {
		t.Errorf("parameters in another order: %v", err)
	}
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"no leading dollar", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"extra field", good + "$x"},
		{"missing key", "$argon2id$v=19$m=64,t=1,p=1$" + salt},
		{"m=0", "$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key},
		{"t=0", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"p=0", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"missing m", "$argon2id$v=19$t=1,p=1$" + salt + "$" + key},
		{"missing p", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"memory too large", "$argon2id$v=19$m=262145,t=1,p=1$" + salt + "$" + key},
		{"too many passes", "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + key},
		{"too many lanes", "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key},
		{"overflow", "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key},
		{"hex", "$argon2id$v=19$m=0x40,t=1,p=1$" + salt + "$" + key},
		{"unknown parameter", "$argon2id$v=19$m=64,t=1,p=1,x=1$" + salt + "$" + key},
		{"keyid parameter", "$argon2id$v=19$m=64,t=1,p=1,keyid=abc$" + salt + "$" + key},
		{"no equals", "$argon2id$v=19$m64,t=1,p=1$" + salt + "$" + key},
		{"empty parameters", "$argon2id$v=19$$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!!!!!$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString([]byte("1234567")) + "$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 15))},
		{"long key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 65))},
		{"url-safe key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.NewReplacer("+", "-", "/", "_").Replace(base64.RawStdEncoding.EncodeToString([]byte("\xfb\xff\xfe0123456789abcdef")))},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := parsePHC(tt.in); err == nil {
				t.Errorf("parsePHC accepted %q as %+v", tt.in, h)
			}
			if ok, err := (Argon2id{}).Verify("pw", tt.in); ok || err == nil {
				t.Errorf("Verify = %v, %v; want false and an error", ok, err)
			}
		})
	}
}

// TestTokenHash: tokenHash accepts exactly the tokens newToken makes.
func TestTokenHash(t *testing.T) {
	for range 20 {
		tok, h := newToken()
		got, ok := tokenHash(tok)
		if !ok || got != h {
			t.Fatalf("tokenHash(newToken()) = %v, %v", got, ok)
		}
	}
	tok, _ := newToken()
	if n := testing.AllocsPerRun(50, func() { tokenHash(tok) }); n != 0 {
		t.Errorf("tokenHash allocates %v times", n)
	}
}
