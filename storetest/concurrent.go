package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// testConcurrent has many goroutines create, touch, read, revoke and list
// at once, and then checks that every write landed. Run it with -race.
func testConcurrent(t *testing.T, s authgate.Store) {
	const (
		workers  = 8
		sessions = 20 // per worker
	)
	ctx := context.Background()
	now := time.Now()

	// Shared records that every worker touches.
	shared := NewSession(NewUserID(), now)
	createSession(t, s, shared)
	sharedKey := NewKey(NewUserID(), now)
	createKey(t, s, sharedKey)
	contested := newLogin("contested")
	var contestedWins atomic.Int32

	type result struct {
		user string
		live []authgate.Session
	}
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			user := NewUserID()
			results[w].user = user
			fail := func(format string, args ...any) {
				t.Errorf("worker %d: %s", w, fmt.Sprintf(format, args...))
			}
			for i := range sessions {
				x := NewSession(user, now.Add(time.Duration(i)*time.Millisecond))
				if err := s.CreateSession(ctx, x); err != nil {
					fail("CreateSession: %v", err)
					return
				}
				if got, err := s.Session(ctx, x.ID); err != nil {
					fail("Session: %v", err)
				} else if d := SessionDiff(x, got); d != "" {
					fail("Session: %s", d)
				}
				x.LastSeen = x.LastSeen.Add(time.Minute)
				if err := s.TouchSession(ctx, x.ID, x.LastSeen); err != nil {
					fail("TouchSession: %v", err)
				}
				seen := now.Add(time.Duration(w*sessions+i+1) * time.Millisecond)
				if err := s.TouchSession(ctx, shared.ID, seen); err != nil {
					fail("TouchSession(shared): %v", err)
				}
				if err := s.TouchKey(ctx, sharedKey.ID, seen); err != nil {
					fail("TouchKey(shared): %v", err)
				}
				if _, err := s.Session(ctx, shared.ID); err != nil {
					fail("Session(shared): %v", err)
				}
				if _, err := s.Key(ctx, sharedKey.ID); err != nil {
					fail("Key(shared): %v", err)
				}
				if i%2 == 1 {
					if err := s.RevokeSession(ctx, x.ID); err != nil {
						fail("RevokeSession: %v", err)
					}
				} else {
					results[w].live = append(results[w].live, x)
				}
				if i%5 == 0 {
					if _, err := s.UserSessions(ctx, user); err != nil {
						fail("UserSessions: %v", err)
					}
					if _, err := s.Users(ctx); err != nil {
						fail("Users: %v", err)
					}
				}
			}
			k := NewKey(user, now)
			if err := s.CreateKey(ctx, k); err != nil {
				fail("CreateKey: %v", err)
			}
			if err := s.CreateUser(ctx, NewUser(newLogin("worker"), now)); err != nil {
				fail("CreateUser: %v", err)
			}
			switch err := s.CreateUser(ctx, NewUser(contested, now)); {
			case err == nil:
				contestedWins.Add(1)
			case !errors.Is(err, authgate.ErrDuplicate):
				fail("CreateUser(contested login): %v", err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	if n := contestedWins.Load(); n != 1 {
		t.Errorf("%d workers created a user with the same login, want exactly 1", n)
	}
	last := now.Add(workers * sessions * time.Millisecond)
	shared.LastSeen = last
	if d := SessionDiff(shared, mustSession(t, s, shared.ID)); d != "" {
		t.Errorf("shared session after concurrent touches: %s", d)
	}
	sharedKey.LastUsed = last
	if d := KeyDiff(sharedKey, mustKey(t, s, sharedKey.ID)); d != "" {
		t.Errorf("shared key after concurrent touches: %s", d)
	}
	for w, r := range results {
		got, err := s.UserSessions(ctx, r.user)
		if err != nil {
			t.Fatalf("UserSessions: %v", err)
		}
		if len(got) != len(r.live) {
			t.Errorf("worker %d: UserSessions lists %d sessions, want %d", w, len(got), len(r.live))
			continue
		}
		for i := range got {
			want := r.live[len(r.live)-1-i] // newest first
			if d := SessionDiff(want, got[i]); d != "" {
				t.Errorf("worker %d: UserSessions[%d]: %s", w, i, d)
			}
		}
		keys, err := s.UserKeys(ctx, r.user)
		if err != nil || len(keys) != 1 {
			t.Errorf("worker %d: UserKeys = %d keys, %v; want 1", w, len(keys), err)
		}
	}
}
