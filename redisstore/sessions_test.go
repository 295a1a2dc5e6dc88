package redisstore

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
	"github.com/authgate/authgate/storetest"
)

// TestSessionRoundTrip checks that a session comes back exactly as stored,
// from Redis and then from the client-side cache, with and without caching.
func TestSessionRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	for _, noCache := range []bool{false, true} {
		t.Run("nocache="+strconv.FormatBool(noCache), func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, Options{Addrs: []string{srv.Addr}, NoCache: noCache, Prefix: "rt" + strconv.FormatBool(noCache) + ":"})
			want := newSession("u1")
			if err := s.CreateSession(ctx, want); err != nil {
				t.Fatalf("CreateSession: %v", err)
			}
			for range 2 {
				got, err := s.Session(ctx, want.ID)
				if err != nil {
					t.Fatalf("Session: %v", err)
				}
				if d := storetest.SessionDiff(want, got); d != "" {
					t.Errorf("Session: %s", d)
				}
			}
			if err := s.CreateSession(ctx, want); !errors.Is(err, authgate.ErrDuplicate) {
				t.Errorf("CreateSession again: %v, want ErrDuplicate", err)
			}
			if _, err := s.Session(ctx, newSession("u1").ID); !errors.Is(err, authgate.ErrNotFound) {
				t.Errorf("Session of an unknown id: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestSessionExpiresInRedis checks that a session's record and its user's
// index expire in Redis at the session's absolute deadline.
func TestSessionExpiresInRedis(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s := openStore(t, Options{Addrs: []string{srv.Addr}})
	early, late := newSession("u1"), newSession("u1")
	early.Expires = time.Now().Add(time.Hour)
	late.Expires = time.Now().Add(2 * time.Hour)
	for _, sess := range []authgate.Session{late, early} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	tests := []struct {
		key  string
		want time.Time
	}{
		{s.keys.session(early.ID), early.Expires},
		{s.keys.session(late.ID), late.Expires},
		{s.keys.userSessions("u1"), late.Expires},
	}
	for _, tt := range tests {
		got, err := srv.Do("PEXPIRETIME", tt.key)
		if err != nil {
			t.Fatalf("PEXPIRETIME %s: %v", tt.key, err)
		}
		if want := strconv.FormatInt(unixMillisCeil(tt.want), 10); got != want {
			t.Errorf("PEXPIRETIME %s = %s, want %s", tt.key, got, want)
		}
	}
}

// TestTouchOnlyMovesForward checks that a touch with an earlier time than
// the stored one is ignored, including across a change in digit count.
func TestTouchOnlyMovesForward(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s := openStore(t, Options{Addrs: []string{srv.Addr}})
	sess := newSession("u1")
	base := sess.LastSeen
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		seen, want time.Time
	}{
		{base.Add(time.Minute), base.Add(time.Minute)},
		{base.Add(-time.Minute), base.Add(time.Minute)},
		{base.Add(2 * time.Minute), base.Add(2 * time.Minute)},
		{time.Unix(0, 5), base.Add(2 * time.Minute)},
	}
	for i, st := range steps {
		if err := s.TouchSession(ctx, sess.ID, st.seen); err != nil {
			t.Fatalf("step %d: TouchSession: %v", i, err)
		}
		got, err := s.Session(ctx, sess.ID)
		if err != nil {
			t.Fatalf("step %d: Session: %v", i, err)
		}
		if !got.LastSeen.Equal(st.want.Truncate(time.Microsecond)) {
			t.Errorf("step %d: LastSeen = %v, want %v", i, got.LastSeen, st.want)
		}
	}
	if err := s.TouchSession(ctx, newSession("u1").ID, base); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("TouchSession of an unknown id: %v, want ErrNotFound", err)
	}
}

// TestLaterScript checks the Lua comparison of decimal times against Go's.
func TestLaterScript(t *testing.T) {
	srv := redistest.Start(t)
	tests := []struct {
		a, b string
		want bool
	}{
		{"2", "1", true},
		{"1", "2", false},
		{"10", "9", true},
		{"9", "10", false},
		{"1763700000000000001", "1763700000000000000", true},
		{"1763700000000000000", "1763700000000000001", false},
		{"5", "5", false},
		{"", "1", false},
		{"1", "", true},
		{"", "", false},
		{"-1", "-2", true},
		{"-10", "-9", false},
		{"1", "-1", true},
		{"-1", "1", false},
	}
	for _, tt := range tests {
		got, err := srv.Do("EVAL", luaLater+"return later(ARGV[1], ARGV[2]) and 1 or 0", "0", tt.a, tt.b)
		if err != nil {
			t.Fatalf("EVAL: %v", err)
		}
		if want := map[bool]string{true: "1", false: "0"}[tt.want]; got != want {
			t.Errorf("later(%q, %q) = %s, want %s", tt.a, tt.b, got, want)
		}
	}
}
