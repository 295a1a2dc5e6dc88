package authgate_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/redisstore"
	"github.com/authgate/authgate/sqlitestore"
)

// capStores are the stores the session cap is checked on: it works through
// the Store interface, so every store honours it.
var capStores = []struct {
	name string
	open func(t *testing.T) authgate.Store
}{
	{"memstore", func(*testing.T) authgate.Store { return memstore.New() }},
	{"sqlitestore", func(t *testing.T) authgate.Store {
		s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "authgate.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"redisstore", func(t *testing.T) authgate.Store {
		srv := redistest.Start(t)
		s, err := redisstore.New(context.Background(), redisstore.Options{Addrs: []string{srv.Addr}, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// capGate returns a gate over st with the given cap whose clock moves a
// second forward at every reading, so that sessions are ordered.
func capGate(t *testing.T, st authgate.Store, limit int) *authgate.Gate {
	t.Helper()
	g, err := authgate.New(authgate.Config{
		Store:           st,
		MaxUserSessions: limit,
		Hasher:          testkit.Hasher,
		Logger:          slog.New(slog.DiscardHandler),
		Now:             testkit.NewClockAt(time.Now().Truncate(time.Second)).Ticking(time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// signIns signs user in n times, each from a new browser, and returns the
// sessions in order.
func signIns(t *testing.T, g *authgate.Gate, user string, n int) []authgate.Session {
	t.Helper()
	out := make([]authgate.Session, n)
	for i := range out {
		r := httptest.NewRequest("POST", "https://app.example/login", nil)
		s, err := g.SignIn(context.Background(), httptest.NewRecorder(), r, authgate.User{ID: user, Login: user})
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		out[i] = s
	}
	return out
}

// TestMaxUserSessions signs a user in more often than the cap allows and
// checks that the oldest sessions end and the newest stay.
func TestMaxUserSessions(t *testing.T) {
	if authgate.DefaultMaxUserSessions != 10 {
		t.Errorf("DefaultMaxUserSessions is %d; README's configuration table says 10", authgate.DefaultMaxUserSessions)
	}
	tests := []struct {
		name     string
		limit    int // Config.MaxUserSessions
		signIns  int
		wantLive int // the newest wantLive stay, every older one is revoked
	}{
		{"under the cap", 3, 2, 2},
		{"at the cap", 3, 3, 3},
		{"over the cap", 3, 7, 3},
		{"a cap of one", 1, 4, 1},
		{"the default", 0, authgate.DefaultMaxUserSessions + 2, authgate.DefaultMaxUserSessions},
		{"no cap", -1, 25, 25},
	}
	for _, st := range capStores {
		for _, tc := range tests {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				store := st.open(t)
				g := capGate(t, store, tc.limit)
				sessions := signIns(t, g, "u-"+tc.name, tc.signIns)
				ctx := context.Background()
				for i, s := range sessions {
					got, err := store.Session(ctx, s.ID)
					if err != nil {
						t.Fatalf("Session %d: %v", i, err)
					}
					if wantRevoked := i < len(sessions)-tc.wantLive; got.Revoked != wantRevoked {
						t.Errorf("sign-in %d of %d: revoked %v, want %v", i+1, len(sessions), got.Revoked, wantRevoked)
					}
				}
				live, err := store.UserSessions(ctx, sessions[0].UserID)
				if err != nil {
					t.Fatal(err)
				}
				if len(live) != tc.wantLive {
					t.Errorf("%d live sessions, want %d", len(live), tc.wantLive)
				}
			})
		}
	}
}

// TestMaxUserSessionsInstances signs one user in concurrently through two
// gates over one store, as two instances of an app would, and checks that
// the cap holds once the sign-ins are done.
func TestMaxUserSessionsInstances(t *testing.T) {
	const limit, workers, each = 3, 8, 5
	for _, st := range capStores {
		t.Run(st.name, func(t *testing.T) {
			store := st.open(t)
			gates := []*authgate.Gate{capGate(t, store, limit), capGate(t, store, limit)}
			var wg sync.WaitGroup
			for i := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						r := httptest.NewRequest("POST", "https://app.example/login", nil)
						if _, err := gates[i%len(gates)].SignIn(context.Background(), httptest.NewRecorder(), r, authgate.User{ID: "racer"}); err != nil {
							t.Errorf("SignIn: %v", err)
						}
					}
				}()
			}
			wg.Wait()
			live, err := store.UserSessions(context.Background(), "racer")
			if err != nil {
				t.Fatal(err)
			}
			if len(live) > limit {
				t.Errorf("%d live sessions after %d concurrent sign-ins, want at most %d", len(live), workers*each, limit)
			}
		})
	}
}
