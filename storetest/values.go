package storetest

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// NewHash returns a random hash, as a session id or key secret hash.
func NewHash() authgate.Hash {
	var h authgate.Hash
	_, _ = rand.Read(h[:]) // never fails; see crypto/rand.Read
	return h
}

// NewSession returns a live session of userID, signed in at now, with a
// random id, a 30-minute idle timeout and a 12-hour lifetime.
func NewSession(userID string, now time.Time) authgate.Session {
	return authgate.Session{
		ID:          NewHash(),
		UserID:      userID,
		UserName:    "User " + userID,
		CreatedAt:   now,
		LastSeen:    now,
		IdleTimeout: 30 * time.Minute,
		Expires:     now.Add(12 * time.Hour),
		UserAgent:   "Mozilla/5.0 (X11; Linux x86_64) storetest",
		Address:     "192.0.2.1",
	}
}

// NewKey returns an unused, unexpired API key of userID made at now, with a
// random id and secret hash.
func NewKey(userID string, now time.Time) authgate.APIKey {
	return authgate.APIKey{
		ID:         "key_" + strings.ToLower(rand.Text()),
		SecretHash: NewHash(),
		Name:       "storetest key",
		UserID:     userID,
		CreatedAt:  now,
	}
}

// NewUser returns a user with the given login, made at now, with a random id
// and a well-formed but made-up password hash.
func NewUser(login string, now time.Time) authgate.User {
	return authgate.User{
		ID:           NewUserID(),
		Login:        login,
		Name:         "Name of " + login,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c3RvcmV0ZXN0c2FsdA$" + strings.ToLower(rand.Text()),
		CreatedAt:    now,
	}
}

// NewUserID returns a random user id, so that tests sharing a backend do not
// see each other's sessions and keys.
func NewUserID() string { return "user_" + strings.ToLower(rand.Text()) }

// sameTime reports whether two times are equal to the millisecond, or both
// zero.
func sameTime(want, got time.Time) bool {
	if want.IsZero() || got.IsZero() {
		return want.IsZero() && got.IsZero()
	}
	return want.Truncate(time.Millisecond).Equal(got.Truncate(time.Millisecond))
}

// diffs collects the fields in which two values differ.
type diffs []string

func (d *diffs) str(field, want, got string) {
	if want != got {
		*d = append(*d, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

func (d *diffs) time(field string, want, got time.Time) {
	if !sameTime(want, got) {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

func (d *diffs) bool(field string, want, got bool) {
	if want != got {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

func (d *diffs) hash(field string, want, got authgate.Hash) {
	if want != got {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

func (d *diffs) String() string { return strings.Join(*d, "; ") }

// SessionDiff describes how got differs from want, to the precision a
// store keeps, or returns "" when they match.
func SessionDiff(want, got authgate.Session) string {
	var d diffs
	d.hash("ID", want.ID, got.ID)
	d.str("UserID", want.UserID, got.UserID)
	d.str("UserName", want.UserName, got.UserName)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("LastSeen", want.LastSeen, got.LastSeen)
	if w, g := want.IdleTimeout.Truncate(time.Millisecond), got.IdleTimeout.Truncate(time.Millisecond); w != g {
		d = append(d, fmt.Sprintf("IdleTimeout = %v, want %v", g, w))
	}
	d.time("Expires", want.Expires, got.Expires)
	d.bool("Revoked", want.Revoked, got.Revoked)
	d.str("UserAgent", want.UserAgent, got.UserAgent)
	d.str("Address", want.Address, got.Address)
	return d.String()
}

// KeyDiff describes how got differs from want, to the precision a store
// keeps, or returns "" when they match.
func KeyDiff(want, got authgate.APIKey) string {
	var d diffs
	d.str("ID", want.ID, got.ID)
	d.hash("SecretHash", want.SecretHash, got.SecretHash)
	d.str("Name", want.Name, got.Name)
	d.str("UserID", want.UserID, got.UserID)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("ExpiresAt", want.ExpiresAt, got.ExpiresAt)
	d.time("LastUsed", want.LastUsed, got.LastUsed)
	d.bool("Revoked", want.Revoked, got.Revoked)
	return d.String()
}

// UserDiff describes how got differs from want, to the precision a store
// keeps, or returns "" when they match.
func UserDiff(want, got authgate.User) string {
	var d diffs
	d.str("ID", want.ID, got.ID)
	d.str("Login", want.Login, got.Login)
	d.str("Name", want.Name, got.Name)
	if want.PasswordHash != got.PasswordHash {
		d = append(d, "PasswordHash differs") // not printed: hashes stay out of logs
	}
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	return d.String()
}
