package authgate

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordHasher hashes passwords for storage and checks them at sign-in.
type PasswordHasher interface {
	// Hash returns a self-describing hash of password, such as a PHC string.
	Hash(password string) (string, error)
	// Verify reports whether password matches hash. An error means the hash
	// cannot be read, not that the password is wrong.
	Verify(password, hash string) (bool, error)
}

// Argon2id hashes passwords with argon2id into PHC strings such as
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". Its zero value uses
// OWASP's recommended parameters: 19 MiB of memory, 2 passes, 1 lane.
// Verify reads the parameters from the hash, so they can be raised later
// without breaking stored hashes.
type Argon2id struct {
	Memory  uint32 // KiB; default 19456
	Time    uint32 // passes; default 2
	Threads uint8  // lanes; default 1
}

const (
	argonSaltLen = 16
	argonKeyLen  = 32
	// maxPasswordLen bounds what the gate will hash, so a huge password
	// costs no more than a normal one.
	maxPasswordLen = 1024
	// maxArgonMemory bounds the memory a stored hash can ask for (256 MiB),
	// so a crafted hash cannot exhaust the server.
	maxArgonMemory = 256 << 10
)

// ErrPasswordTooLong is returned for passwords over 1024 bytes.
var ErrPasswordTooLong = errors.New("authgate: password longer than 1024 bytes")

func (a Argon2id) params() (m, t uint32, p uint8) {
	m, t, p = a.Memory, a.Time, a.Threads
	if m == 0 {
		m = 19456
	}
	if t == 0 {
		t = 2
	}
	if p == 0 {
		p = 1
	}
	return m, t, p
}

// Hash returns the PHC string of password with a fresh random salt.
func (a Argon2id) Hash(password string) (string, error) {
	if len(password) > maxPasswordLen {
		return "", ErrPasswordTooLong
	}
	m, t, p := a.params()
	var salt [argonSaltLen]byte
	_, _ = rand.Read(salt[:])
	key := argon2.IDKey([]byte(password), salt[:], t, m, p, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, m, t, p, enc.EncodeToString(salt[:]), enc.EncodeToString(key)), nil
}

// Verify checks password against a PHC string made by [Argon2id.Hash], in constant
// time.
func (a Argon2id) Verify(password, hash string) (bool, error) {
	ph, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if len(password) > maxPasswordLen {
		return false, nil
	}
	key := argon2.IDKey([]byte(password), ph.salt, ph.t, ph.m, ph.p, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(key, ph.key) == 1, nil
}

type phc struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

var errBadPHC = errors.New("authgate: not an argon2id PHC string")

func parsePHC(s string) (phc, error) {
	var h phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, errBadPHC
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return h, errBadPHC
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return h, errBadPHC
		}
		switch k {
		case "m":
			h.m = uint32(n)
		case "t":
			h.t = uint32(n)
		case "p":
			if n > 255 {
				return h, errBadPHC
			}
			h.p = uint8(n)
		default:
			return h, errBadPHC
		}
	}
	if h.m == 0 || h.t == 0 || h.p == 0 || h.m > maxArgonMemory || h.t > 64 {
		return h, errBadPHC
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return h, errBadPHC
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return h, errBadPHC
	}
	return h, nil
}
