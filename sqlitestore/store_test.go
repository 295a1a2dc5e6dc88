package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

// openTemp opens a store on a new file in a temporary directory and closes
// it when the test ends.
func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "authgate.db"), defaultConfig())
}

func openAt(t testing.TB, path string, cfg config) *Store {
	t.Helper()
	s, err := open(context.Background(), path, cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) authgate.Store {
		s := openTemp(t)
		t.Cleanup(func() {
			if err := s.Check(context.Background()); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
		return s
	})
}

func TestClock(t *testing.T) {
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) authgate.Store {
		cfg := defaultConfig()
		WithClock(now)(&cfg)
		return openAt(t, filepath.Join(t.TempDir(), "authgate.db"), cfg)
	})
}

// TestConformanceUncached runs the suite with the cache always bypassed,
// so that the SQL alone is tested too.
func TestConformanceUncached(t *testing.T) {
	storetest.Run(t, func(t *testing.T) authgate.Store {
		cfg := defaultConfig()
		cfg.staleAfter = -time.Hour // never fresh
		return openAt(t, filepath.Join(t.TempDir(), "authgate.db"), cfg)
	})
}

func TestRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "authgate.db")
	now := time.Now()
	x := storetest.NewSession(storetest.NewUserID(), now)
	k := storetest.NewKey(x.UserID, now)
	u := storetest.NewUser("restart", now)

	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{a.CreateSession(ctx, x), a.CreateKey(ctx, k), a.CreateUser(ctx, u)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	b := openAt(t, path, defaultConfig())
	got, err := b.Session(ctx, x.ID)
	if err != nil {
		t.Fatalf("Session after reopening: %v", err)
	}
	if d := storetest.SessionDiff(x, got); d != "" {
		t.Errorf("session after reopening: %s", d)
	}
	if got, err := b.Key(ctx, k.ID); err != nil || storetest.KeyDiff(k, got) != "" {
		t.Errorf("key after reopening: %v %s", err, storetest.KeyDiff(k, got))
	}
	if got, err := b.UserByLogin(ctx, u.Login); err != nil || storetest.UserDiff(u, got) != "" {
		t.Errorf("user after reopening: %v %s", err, storetest.UserDiff(u, got))
	}
	if err := b.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// TestOtherProcessRevocation revokes a session through a second store on
// the same file, standing for the authgate command run beside a server,
// and waits for the first store, which has the session cached, to see it.
func TestOtherProcessRevocation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "authgate.db")
	a := openAt(t, path, defaultConfig())
	b := openAt(t, path, defaultConfig())

	x := storetest.NewSession(storetest.NewUserID(), time.Now())
	k := storetest.NewKey(x.UserID, time.Now())
	if err := a.CreateSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.sessions.Get(x.ID); !ok {
		t.Fatal("the session is not cached after CreateSession")
	}
	if _, ok := a.keys.Get(k.ID); !ok {
		t.Fatal("the key is not cached after CreateKey")
	}

	tests := []struct {
		name    string
		revoke  func() error
		revoked func() (bool, error)
	}{
		{"session", func() error { return b.RevokeSession(ctx, x.ID) }, func() (bool, error) {
			got, err := a.Session(ctx, x.ID)
			return got.Revoked, err
		}},
		{"key", func() error { _, err := b.RevokeUserKeys(ctx, k.UserID); return err }, func() (bool, error) {
			got, err := a.Key(ctx, k.ID)
			return got.Revoked, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.revoke(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Second)
			poll := time.NewTicker(5 * time.Millisecond)
			defer poll.Stop()
			for {
				revoked, err := tc.revoked()
				if err != nil {
					t.Fatal(err)
				}
				if revoked {
					return
				}
				if time.Now().After(deadline) {
					t.Fatal("the other store's revocation is not seen after a second")
				}
				<-poll.C
			}
		})
	}
}

// TestOwnWritesUpdateCache checks that the cache follows the store's own
// writes at once, with no wait for a data_version check.
func TestOwnWritesUpdateCache(t *testing.T) {
	ctx := context.Background()
	cfg := defaultConfig()
	cfg.checkEvery = time.Hour // no check during the test
	cfg.staleAfter = 2 * time.Hour
	s := openAt(t, filepath.Join(t.TempDir(), "authgate.db"), cfg)
	now := time.Now()
	x := storetest.NewSession("u1", now)
	if err := s.CreateSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		write func() error
		edit  func(*authgate.Session)
	}{
		{"touch", func() error { return s.TouchSession(ctx, x.ID, now.Add(time.Minute)) },
			func(x *authgate.Session) { x.LastSeen = now.Add(time.Minute) }},
		{"touch back", func() error { return s.TouchSession(ctx, x.ID, now) }, func(*authgate.Session) {}},
		{"revoke", func() error { return s.RevokeSession(ctx, x.ID) }, func(x *authgate.Session) { x.Revoked = true }},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		st.edit(&x)
		cached, ok := s.sessions.Get(x.ID)
		if !ok {
			t.Fatalf("%s: the session left the cache", st.name)
		}
		if d := storetest.SessionDiff(x, cached); d != "" {
			t.Errorf("%s: cached session: %s", st.name, d)
		}
		stored, err := s.loadSession(ctx, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := storetest.SessionDiff(x, stored); d != "" {
			t.Errorf("%s: stored session: %s", st.name, d)
		}
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	now := time.Now()
	tests := []struct {
		name    string
		expires time.Duration // from now
		kept    bool
	}{
		{"live", time.Hour, true},
		{"expired an hour ago", -time.Hour, true},
		{"expired two days ago", -48 * time.Hour, false},
	}
	for _, tc := range tests {
		x := storetest.NewSession("u1", now.Add(tc.expires-12*time.Hour))
		x.Expires = now.Add(tc.expires)
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, err := s.Session(ctx, x.ID)
			if tc.kept && err != nil {
				t.Errorf("%s: purged: %v", tc.name, err)
			}
			if !tc.kept && !errors.Is(err, authgate.ErrNotFound) {
				t.Errorf("%s: not purged: error %v", tc.name, err)
			}
		})
	}
	n, err := s.purge(ctx, now)
	if err != nil {
		t.Fatalf("purge: %v", err)
	}
	if n != 1 {
		t.Errorf("purge deleted %d sessions, want 1", n)
	}
}

func TestCacheBounded(t *testing.T) {
	ctx := context.Background()
	cfg := defaultConfig()
	cfg.maxSessions = 10
	s := openAt(t, filepath.Join(t.TempDir(), "authgate.db"), cfg)
	var ids []authgate.Hash
	for range 25 {
		x := storetest.NewSession("u1", time.Now())
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	for _, id := range ids {
		if _, err := s.Session(ctx, id); err != nil {
			t.Fatalf("Session: %v", err)
		}
	}
	if n := s.sessions.Len(); n != cfg.maxSessions {
		t.Errorf("%d sessions cached, want the bound %d", n, cfg.maxSessions)
	}
}

func TestCachedSessionDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	x := storetest.NewSession("u1", time.Now())
	if err := s.CreateSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(1000, func() {
		if _, err := s.Session(ctx, x.ID); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("a cached Session allocates %v times, want 0", n)
	}
}

// TestStaleCacheBypassed stops the data_version checks (as if the watcher
// were stuck behind a long write) and checks that reads stop trusting the
// cache, so another process's revocation is still seen in time.
func TestStaleCacheBypassed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "authgate.db")
	cfg := defaultConfig()
	cfg.checkEvery = time.Hour
	cfg.staleAfter = 100 * time.Millisecond
	a := openAt(t, path, cfg)
	b := openAt(t, path, defaultConfig())
	x := storetest.NewSession(storetest.NewUserID(), time.Now())
	if err := a.CreateSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	if got, ok := a.sessions.Get(x.ID); !ok || got.Revoked {
		t.Fatal("the live session is not cached")
	}
	if err := b.RevokeSession(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		got, err := a.Session(ctx, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revoked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the revocation is not seen after a second without checks")
		}
		<-poll.C
	}
}

// TestDurableWrites checks that revocations, password changes and user
// deletions land, and leave the writer at synchronous=NORMAL for the writes
// that follow.
func TestDurableWrites(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	now := time.Now()
	x := storetest.NewSession("u1", now)
	k := storetest.NewKey("u1", now)
	u := storetest.NewUser("durable", now)
	for _, err := range []error{s.CreateSession(ctx, x), s.CreateKey(ctx, k), s.CreateUser(ctx, u)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	writes := []struct {
		name  string
		write func() error
	}{
		{"RevokeSession", func() error { return s.RevokeSession(ctx, x.ID) }},
		{"RevokeUserSessions", func() error { _, err := s.RevokeUserSessions(ctx, "u1"); return err }},
		{"RevokeKey", func() error { return s.RevokeKey(ctx, k.ID) }},
		{"RevokeUserKeys", func() error { _, err := s.RevokeUserKeys(ctx, "u1"); return err }},
		{"SetPassword", func() error { return s.SetPassword(ctx, u.ID, "$argon2id$new") }},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, u.ID) }},
		{"DeleteUser missing", func() error {
			if err := s.DeleteUser(ctx, u.ID); !errors.Is(err, authgate.ErrNotFound) {
				return fmt.Errorf("error %v, want ErrNotFound", err)
			}
			return nil
		}},
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Errorf("%s: %v", w.name, err)
		}
		var sync int
		if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if sync != 1 {
			t.Errorf("after %s: synchronous = %d, want 1 (NORMAL)", w.name, sync)
		}
	}
	if got, err := s.loadSession(ctx, x.ID); err != nil || !got.Revoked {
		t.Errorf("session: revoked %v, error %v", got.Revoked, err)
	}
	if _, err := s.User(ctx, u.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("deleted user: error %v", err)
	}
}
