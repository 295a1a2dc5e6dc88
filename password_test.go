package authgate_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

// TestArgon2idDefaults hashes once with OWASP's parameters (19 MiB, two
// passes, one lane) and checks the PHC string and the round trip.
func TestArgon2idDefaults(t *testing.T) {
	h, err := authgate.Argon2id{}.Hash("hunter2 but longer")
	if err != nil {
		t.Fatal(err)
	}
	m := phcRE.FindStringSubmatch(h)
	if m == nil || m[1] != "19456" || m[2] != "2" || m[3] != "1" {
		t.Fatalf("hash %q is not a PHC string with m=19456,t=2,p=1", h)
	}
	if ok, err := (authgate.Argon2id{}).Verify("hunter2 but longer", h); !ok || err != nil {
		t.Errorf("Verify(right) = %v, %v", ok, err)
	}
}

// TestArgon2idRoundTrip uses cheap parameters.
func TestArgon2idRoundTrip(t *testing.T) {
	tests := []struct {
		name, pw string
	}{
		{"ascii", "correct horse"},
		{"unicode", "pässwörd 🔑"},
		{"one byte", "x"},
		{"max length", strings.Repeat("p", 1024)},
		{"with dollar and NUL", "a$b\x00c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := testkit.Hasher.Hash(tt.pw)
			if err != nil {
				t.Fatal(err)
			}
			m := phcRE.FindStringSubmatch(h)
			if m == nil || m[1] != "64" || m[2] != "1" || m[3] != "1" {
				t.Fatalf("hash %q", h)
			}
			if ok, err := testkit.Hasher.Verify(tt.pw, h); !ok || err != nil {
				t.Errorf("Verify(right) = %v, %v", ok, err)
			}
			// Verify reads the parameters from the hash, not the hasher.
			if ok, err := (authgate.Argon2id{Memory: 128, Time: 3}).Verify(tt.pw, h); !ok || err != nil {
				t.Errorf("Verify with other parameters = %v, %v", ok, err)
			}
			for _, wrong := range []string{tt.pw + "x", strings.ToUpper(tt.pw) + "!", ""} {
				if ok, err := testkit.Hasher.Verify(wrong, h); ok || err != nil {
					t.Errorf("Verify(wrong %.10q) = %v, %v", wrong, ok, err)
				}
			}
			h2, _ := testkit.Hasher.Hash(tt.pw)
			if h2 == h {
				t.Error("two hashes of one password are equal: no fresh salt")
			}
		})
	}
}

// TestArgon2idTooLong refuses to hash more than 1024 bytes and never
// matches such a password.
func TestArgon2idTooLong(t *testing.T) {
	long := strings.Repeat("p", 1025)
	if _, err := testkit.Hasher.Hash(long); !errors.Is(err, authgate.ErrPasswordTooLong) {
		t.Errorf("Hash(1025 bytes) error = %v", err)
	}
	h, _ := testkit.Hasher.Hash(strings.Repeat("p", 1024))
	if ok, _ := testkit.Hasher.Verify(long, h); ok {
		t.Error("a 1025-byte password matched")
	}
}

// TestLoginVerifyCount: an unknown user costs exactly one Verify, like a
// wrong password, with the same hasher parameters (the dummy hash is made
// by the configured hasher).
func TestLoginVerifyCount(t *testing.T) {
	e := newEnv(t)
	var params []string
	for _, user := range []string{testLogin, "nobody"} {
		before, _ := e.hasher.counts()
		e.do(jsonLogin(user, "wrong password"))
		if got, _ := e.hasher.counts(); got-before != 1 {
			t.Fatalf("%s: %d Verify calls, want 1", user, got-before)
		}
		params = append(params, e.hasher.lastParams())
	}
	if params[0] != params[1] {
		t.Errorf("unknown user verified against %q, wrong password against %q: parameters differ", params[1], params[0])
	}
}
