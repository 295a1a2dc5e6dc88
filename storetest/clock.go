package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// RunClock checks that a store takes the time from the clock it is given,
// never from the wall clock, for what it decides by the time: whether a
// session is past its absolute deadline, in UserSessions and
// RevokeUserSessions. open returns a fresh store that reads the time from
// now; give it to the store as its clock option says (memstore.WithClock,
// sqlitestore.WithClock, redisstore.Options.Now).
//
// The clock it gives stands years ahead of the wall clock, so a store that
// reads the wall clock lists sessions its clock says have ended.
func RunClock(t *testing.T, open func(t *testing.T, now func() time.Time) authgate.Store) {
	t.Helper()
	clock := time.Now().AddDate(10, 0, 0).Truncate(time.Millisecond)
	s := open(t, func() time.Time { return clock })
	ctx := context.Background()
	user := NewUserID()

	ended := NewSession(user, clock.Add(-2*time.Hour))
	ended.Expires = clock.Add(-time.Hour) // past, by the store's clock only
	live := NewSession(user, clock.Add(-time.Hour))
	for _, x := range []authgate.Session{ended, live} {
		createSession(t, s, x)
	}
	got, err := s.UserSessions(ctx, user)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	if len(got) != 1 || got[0].ID != live.ID {
		t.Errorf("UserSessions = %v, want only %v: the other ended an hour ago by the store's clock",
			ids(got), ids([]authgate.Session{live}))
	}
	n, err := s.RevokeUserSessions(ctx, user)
	if err != nil {
		t.Fatalf("RevokeUserSessions: %v", err)
	}
	if n != 1 {
		t.Errorf("RevokeUserSessions = %d, want 1: the other session ended by the store's clock", n)
	}
}
