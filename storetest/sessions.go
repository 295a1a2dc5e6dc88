package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

var sessionTests = []test{
	{"RoundTrip", testSessionRoundTrip},
	{"NotFound", testSessionNotFound},
	{"Touch", testSessionTouch},
	{"TouchConcurrentMax", testSessionTouchMax},
	{"Revoke", testSessionRevoke},
	{"RevokeUser", testSessionRevokeUser},
	{"UserSessions", testUserSessions},
	{"ExpiredAtCreate", testSessionExpiredAtCreate},
}

// mustSession reads a session and fails the test if it cannot.
func mustSession(t *testing.T, s authgate.Store, id authgate.Hash) authgate.Session {
	t.Helper()
	got, err := s.Session(context.Background(), id)
	if err != nil {
		t.Fatalf("Session(%v): %v", id, err)
	}
	return got
}

func createSession(t *testing.T, s authgate.Store, sess authgate.Session) {
	t.Helper()
	if err := s.CreateSession(context.Background(), sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}

func testSessionRoundTrip(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	user := NewUserID()
	tests := []struct {
		name   string
		modify func(*authgate.Session)
	}{
		{"plain", func(*authgate.Session) {}},
		{"revoked", func(x *authgate.Session) { x.Revoked = true }},
		{"sub-millisecond times", func(x *authgate.Session) {
			base := time.Date(2031, 5, 6, 7, 8, 9, 999_999_999, time.UTC)
			x.CreatedAt, x.LastSeen, x.Expires = base, base.Add(1234567*time.Nanosecond), base.Add(time.Hour+1)
		}},
		{"other location", func(x *authgate.Session) {
			zone := time.FixedZone("UTC+5:30", 5*3600+1800)
			x.CreatedAt, x.LastSeen = now.In(zone), now.In(zone)
		}},
		{"idle timeout with milliseconds", func(x *authgate.Session) { x.IdleTimeout = 90*time.Second + 250*time.Millisecond }},
		{"empty strings", func(x *authgate.Session) { x.UserName, x.UserAgent, x.Address = "", "", "" }},
		{"unicode and quotes", func(x *authgate.Session) {
			x.UserName = "Zoë O'Brien \"ZO\" 日本"
			x.UserAgent = "Mozilla/5.0 (compatible; ünïcode\t\x01) 'quoted' \"double\""
			x.Address = "2001:db8::1"
		}},
		{"bytes that are not UTF-8", func(x *authgate.Session) {
			// HTTP header values may hold any byte from 0x80 up.
			x.UserAgent = "Mozilla/5.0 \xff\xfe\x80 caf\xe9"
			x.UserName = "Jos\xe9"
		}},
		{"long user agent", func(x *authgate.Session) {
			b := make([]byte, 4096)
			for i := range b {
				b[i] = 'a' + byte(i%26)
			}
			x.UserAgent = string(b)
		}},
		{"far future", func(x *authgate.Session) { x.Expires = time.Date(2399, 12, 31, 23, 59, 59, 0, time.UTC) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := NewSession(user, now)
			tc.modify(&want)
			createSession(t, s, want)
			got, err := s.Session(ctx, want.ID)
			if err != nil {
				t.Fatalf("Session after CreateSession: %v", err)
			}
			if d := SessionDiff(want, got); d != "" {
				t.Errorf("round trip: %s", d)
			}
		})
	}
}

func testSessionNotFound(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	// A stored session, so that the store is not trivially empty.
	createSession(t, s, NewSession(NewUserID(), time.Now()))
	missing := NewHash()
	tests := []struct {
		name string
		call func() error
	}{
		{"Session", func() error { _, err := s.Session(ctx, missing); return err }},
		{"TouchSession", func() error { return s.TouchSession(ctx, missing, time.Now()) }},
		{"RevokeSession", func() error { return s.RevokeSession(ctx, missing) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, authgate.ErrNotFound) {
				t.Errorf("%s of an unknown id: error %v, want one that is ErrNotFound", tc.name, err)
			}
		})
	}
	if _, err := s.Session(ctx, missing); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("TouchSession or RevokeSession of an unknown id created it: Session error %v", err)
	}
	var zero authgate.Hash
	if _, err := s.Session(ctx, zero); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("Session(zero hash): error %v, want ErrNotFound", err)
	}
}

func testSessionTouch(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	start := time.Now()
	tests := []struct {
		name    string
		touches []time.Duration // offsets from the session's LastSeen, in order
		want    time.Duration   // the LastSeen offset afterwards
	}{
		{"forward", []time.Duration{90 * time.Second}, 90 * time.Second},
		{"backward is ignored", []time.Duration{-90 * time.Second}, 0},
		{"same time", []time.Duration{0}, 0},
		{"forward then back", []time.Duration{2 * time.Minute, time.Minute}, 2 * time.Minute},
		{"several forward", []time.Duration{time.Minute, 2 * time.Minute, 3*time.Minute + 7*time.Millisecond}, 3*time.Minute + 7*time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := NewSession(NewUserID(), start)
			createSession(t, s, want)
			for _, off := range tc.touches {
				if err := s.TouchSession(ctx, want.ID, want.LastSeen.Add(off)); err != nil {
					t.Fatalf("TouchSession(%+v): %v", off, err)
				}
			}
			want.LastSeen = want.LastSeen.Add(tc.want)
			if d := SessionDiff(want, mustSession(t, s, want.ID)); d != "" {
				t.Errorf("after touches %v: %s", tc.touches, d)
			}
		})
	}
}

// testSessionTouchMax touches one session from many goroutines at once; the
// latest time must win whatever the order.
func testSessionTouchMax(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	want := NewSession(NewUserID(), time.Now())
	createSession(t, s, want)
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		// Spread the times so that the largest is not the last started.
		seen := want.LastSeen.Add(time.Duration((i*7)%n+1) * time.Second)
		go func() { errs <- s.TouchSession(ctx, want.ID, seen) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("TouchSession: %v", err)
		}
	}
	want.LastSeen = want.LastSeen.Add(n * time.Second)
	if d := SessionDiff(want, mustSession(t, s, want.ID)); d != "" {
		t.Errorf("after concurrent touches: %s", d)
	}
}

func testSessionRevoke(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	user := NewUserID()
	now := time.Now()
	a, b := NewSession(user, now), NewSession(user, now.Add(time.Millisecond))
	createSession(t, s, a)
	createSession(t, s, b)
	if err := s.RevokeSession(ctx, a.ID); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	a.Revoked = true
	if d := SessionDiff(a, mustSession(t, s, a.ID)); d != "" {
		t.Errorf("revoked session: %s", d)
	}
	if d := SessionDiff(b, mustSession(t, s, b.ID)); d != "" {
		t.Errorf("other session of the same user: %s", d)
	}
	// Revoking again is not an error, and a touch does not bring it back.
	if err := s.RevokeSession(ctx, a.ID); err != nil {
		t.Errorf("RevokeSession of a revoked session: %v", err)
	}
	if err := s.TouchSession(ctx, a.ID, now.Add(time.Minute)); err != nil && !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("TouchSession of a revoked session: %v", err)
	}
	if got := mustSession(t, s, a.ID); !got.Revoked {
		t.Error("a touch made a revoked session live again")
	}
	list, err := s.UserSessions(ctx, user)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	if len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("UserSessions lists %v, want only the live session %v", ids(list), b.ID)
	}
}

func testSessionRevokeUser(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	alice, bob := NewUserID(), NewUserID()
	var aliceIDs []authgate.Hash
	for i := range 3 {
		x := NewSession(alice, now.Add(time.Duration(i)*time.Second))
		createSession(t, s, x)
		aliceIDs = append(aliceIDs, x.ID)
	}
	already := NewSession(alice, now)
	createSession(t, s, already)
	if err := s.RevokeSession(ctx, already.ID); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	other := NewSession(bob, now)
	createSession(t, s, other)

	tests := []struct {
		name string
		user string
		want int
	}{
		{"live sessions", alice, 3},
		{"again", alice, 0},
		{"unknown user", NewUserID(), 0},
	}
	for _, tc := range tests {
		n, err := s.RevokeUserSessions(ctx, tc.user)
		if err != nil {
			t.Fatalf("%s: RevokeUserSessions: %v", tc.name, err)
		}
		if n != tc.want {
			t.Errorf("%s: RevokeUserSessions = %d, want %d", tc.name, n, tc.want)
		}
	}
	for _, id := range aliceIDs {
		if got := mustSession(t, s, id); !got.Revoked {
			t.Errorf("session %v of the user is not revoked", id)
		}
	}
	if d := SessionDiff(other, mustSession(t, s, other.ID)); d != "" {
		t.Errorf("another user's session changed: %s", d)
	}
	if list, err := s.UserSessions(ctx, alice); err != nil || len(list) != 0 {
		t.Errorf("UserSessions after revoking all = %v, %v; want none", ids(list), err)
	}
	if list, err := s.UserSessions(ctx, bob); err != nil || len(list) != 1 {
		t.Errorf("UserSessions of another user = %v, %v; want its one session", ids(list), err)
	}
}

func testUserSessions(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	user := NewUserID()

	oldest := NewSession(user, now.Add(-3*time.Hour))
	middle := NewSession(user, now.Add(-2*time.Hour))
	newest := NewSession(user, now.Add(-time.Hour))
	// Past its idle deadline but not its absolute one: still listed.
	idle := NewSession(user, now.Add(-150*time.Minute))
	idle.LastSeen = idle.CreatedAt
	revoked := NewSession(user, now.Add(-30*time.Minute))
	expired := NewSession(user, now.Add(-13*time.Hour))
	expired.Expires = now.Add(-time.Minute)
	other := NewSession(NewUserID(), now)

	// Created out of order, so that the store has to sort.
	for _, x := range []authgate.Session{middle, revoked, oldest, other, expired, newest, idle} {
		createSession(t, s, x)
	}
	if err := s.RevokeSession(ctx, revoked.ID); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	got, err := s.UserSessions(ctx, user)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	want := []authgate.Session{newest, middle, idle, oldest}
	if len(got) != len(want) {
		t.Fatalf("UserSessions = %v, want %v (newest first, no revoked or expired ones)", ids(got), ids(want))
	}
	for i := range want {
		if d := SessionDiff(want[i], got[i]); d != "" {
			t.Errorf("UserSessions[%d]: %s", i, d)
		}
	}

	for _, u := range []string{NewUserID(), ""} {
		list, err := s.UserSessions(ctx, u)
		if err != nil || len(list) != 0 {
			t.Errorf("UserSessions(%q) = %v, %v; want none", u, ids(list), err)
		}
	}
}

// testSessionExpiredAtCreate stores a session already past its absolute
// deadline. The store may keep it or drop it, but must not list it.
func testSessionExpiredAtCreate(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	x := NewSession(NewUserID(), now.Add(-13*time.Hour))
	x.Expires = now.Add(-time.Hour)
	createSession(t, s, x)
	got, err := s.Session(ctx, x.ID)
	switch {
	case errors.Is(err, authgate.ErrNotFound):
	case err != nil:
		t.Errorf("Session of an expired session: %v", err)
	default:
		if d := SessionDiff(x, got); d != "" {
			t.Errorf("expired session: %s", d)
		}
	}
	if list, err := s.UserSessions(ctx, x.UserID); err != nil || len(list) != 0 {
		t.Errorf("UserSessions = %v, %v; want no expired session", ids(list), err)
	}
	if n, err := s.RevokeUserSessions(ctx, x.UserID); err != nil || n != 0 {
		t.Errorf("RevokeUserSessions = %d, %v; want 0 for an expired session", n, err)
	}
}

func ids(list []authgate.Session) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.ID.String()[:8]
	}
	return out
}
