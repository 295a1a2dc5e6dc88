package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

var cancelTests = []test{{"Methods", testCancel}}

// testCancel calls every method with a cancelled context: each must fail
// with context.Canceled and change nothing.
func testCancel(t *testing.T, s authgate.Store) {
	now := time.Now()
	sess := NewSession(NewUserID(), now)
	createSession(t, s, sess)
	key := NewKey(sess.UserID, now)
	createKey(t, s, key)
	user := NewUser(newLogin("cancel"), now)
	createUser(t, s, user)

	newSess := NewSession(sess.UserID, now)
	newKey := NewKey(sess.UserID, now)
	newUser := NewUser(newLogin("cancel-new"), now)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateSession", func() error { return s.CreateSession(ctx, newSess) }},
		{"Session", func() error { _, err := s.Session(ctx, sess.ID); return err }},
		{"TouchSession", func() error { return s.TouchSession(ctx, sess.ID, now.Add(time.Hour)) }},
		{"RevokeSession", func() error { return s.RevokeSession(ctx, sess.ID) }},
		{"RevokeUserSessions", func() error { _, err := s.RevokeUserSessions(ctx, sess.UserID); return err }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, sess.UserID); return err }},
		{"CreateKey", func() error { return s.CreateKey(ctx, newKey) }},
		{"Key", func() error { _, err := s.Key(ctx, key.ID); return err }},
		{"TouchKey", func() error { return s.TouchKey(ctx, key.ID, now.Add(time.Hour)) }},
		{"RevokeKey", func() error { return s.RevokeKey(ctx, key.ID) }},
		{"RevokeUserKeys", func() error { _, err := s.RevokeUserKeys(ctx, key.UserID); return err }},
		{"UserKeys", func() error { _, err := s.UserKeys(ctx, key.UserID); return err }},
		{"CreateUser", func() error { return s.CreateUser(ctx, newUser) }},
		{"User", func() error { _, err := s.User(ctx, user.ID); return err }},
		{"UserByLogin", func() error { _, err := s.UserByLogin(ctx, user.Login); return err }},
		{"SetPassword", func() error { return s.SetPassword(ctx, user.ID, newUser.PasswordHash) }},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, user.ID) }},
		{"Users", func() error { _, err := s.Users(ctx); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: error %v, want one that is context.Canceled", tc.name, err)
			}
		})
	}

	// Nothing changed.
	if d := SessionDiff(sess, mustSession(t, s, sess.ID)); d != "" {
		t.Errorf("session changed by cancelled calls: %s", d)
	}
	if d := KeyDiff(key, mustKey(t, s, key.ID)); d != "" {
		t.Errorf("key changed by cancelled calls: %s", d)
	}
	checkUser(t, s, user)
	bg := context.Background()
	if _, err := s.Session(bg, newSess.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("a cancelled CreateSession stored the session: error %v", err)
	}
	if _, err := s.Key(bg, newKey.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("a cancelled CreateKey stored the key: error %v", err)
	}
	if _, err := s.User(bg, newUser.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("a cancelled CreateUser stored the user: error %v", err)
	}
}
