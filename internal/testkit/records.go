package testkit

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// AddUser stores u in s with password hashed by [Hasher], and returns the
// user as stored. It fails t if the store refuses.
func AddUser(t testing.TB, s authgate.UserStore, u authgate.User, password string) authgate.User {
	t.Helper()
	hash, err := Hasher.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = hash
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser %s: %v", u.Login, err)
	}
	return u
}

// AddKey stores a new API key of userID in s, made at now and expiring at
// expires (never if zero), and returns its id and secret. It fails t if the
// store refuses.
func AddKey(t testing.TB, s authgate.KeyStore, userID string, now, expires time.Time) (id, secret string) {
	t.Helper()
	k, secret, err := authgate.NewAPIKey(userID, "test", now, expires)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), k); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return k.ID, secret
}
