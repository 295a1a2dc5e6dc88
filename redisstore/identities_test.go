package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// TestSlotMate: the index of a user's links shares the user record's
// cluster slot whenever Redis's hash tag rules allow it.
func TestSlotMate(t *testing.T) {
	tests := []struct {
		key, want string
		together  bool
	}{
		{"ag:user:u-1", "{ag:user:u-1}:idps", true},
		{"ag:user:{team}x", "ag:user:{team}x:idps", true}, // the id's own tag decides for both
		{"ag:user:a{b", "{ag:user:a{b}:idps", true},
		{"ag:user:{}x", "{ag:user:{}x}:idps", false}, // an empty tag: the whole key is hashed
		{"ag:user:a}b", "{ag:user:a}b}:idps", false},
	}
	for _, tc := range tests {
		got, together := slotMate(tc.key, ":idps")
		if got != tc.want || together != tc.together {
			t.Errorf("slotMate(%q) = %q, %v; want %q, %v", tc.key, got, together, tc.want, tc.together)
		}
	}
}

// leftoverLink returns a store whose pair (iss, sub) has a key naming the
// user "gone" whose index lost the pair: what a failure between the two
// deletions of an unlink leaves.
func leftoverLink(t *testing.T) (s *Store, iss, sub string) {
	t.Helper()
	srv := redistest.Start(t)
	s = openStore(t, Options{Addrs: []string{srv.Addr}})
	ctx := context.Background()
	iss, sub = "https://idp.example.com", "248289761001"
	if err := s.LinkIdentity(ctx, iss, sub, "gone"); err != nil {
		t.Fatal(err)
	}
	index, _ := s.keys.userIdentities("gone")
	if err := s.client.Do(ctx, s.client.B().Del().Key(index).Build()).Error(); err != nil {
		t.Fatal(err)
	}
	return s, iss, sub
}

// TestLinkLeftover: a pair's key left behind when its user's index lost
// the pair (a failure between the two deletions) links nobody, and the
// next link of the pair takes it over.
func TestLinkLeftover(t *testing.T) {
	s, iss, sub := leftoverLink(t)
	ctx := context.Background()
	if id, err := s.IdentityUser(ctx, iss, sub); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("IdentityUser of a leftover = %q, %v; want ErrNotFound", id, err)
	}
	if err := s.UnlinkIdentity(ctx, iss, sub, "gone"); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("UnlinkIdentity of a leftover: %v, want ErrNotFound", err)
	}
	if err := s.LinkIdentity(ctx, iss, sub, "new"); err != nil {
		t.Fatalf("linking over a leftover: %v", err)
	}
	if id, err := s.IdentityUser(ctx, iss, sub); err != nil || id != "new" {
		t.Errorf("IdentityUser = %q, %v; want new", id, err)
	}
	if err := s.LinkIdentity(ctx, iss, sub, "third"); !errors.Is(err, authgate.ErrDuplicate) {
		t.Errorf("linking a held pair: %v, want ErrDuplicate", err)
	}
	if l, err := s.UserIdentities(ctx, "third"); err != nil || len(l) != 0 {
		t.Errorf("the refused user's links: %v, %v; want none", l, err)
	}
}

// TestLinkLeftoverRace: instances linking a pair over a leftover at once
// take it over exactly once; every loser's index is left without the
// pair.
func TestLinkLeftoverRace(t *testing.T) {
	s, iss, sub := leftoverLink(t)
	ctx := context.Background()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.LinkIdentity(ctx, iss, sub, fmt.Sprintf("user-%d", i)) })
	}
	wg.Wait()
	winner := ""
	for i, err := range errs {
		user := fmt.Sprintf("user-%d", i)
		switch {
		case err == nil && winner == "":
			winner = user
		case err == nil:
			t.Errorf("both %s and %s linked the pair", winner, user)
		case !errors.Is(err, authgate.ErrDuplicate):
			t.Errorf("%s: %v", user, err)
		}
	}
	if id, err := s.IdentityUser(ctx, iss, sub); err != nil || id != winner || winner == "" {
		t.Fatalf("IdentityUser = %q, %v; want the winner %q", id, err, winner)
	}
	for i := range n {
		user := fmt.Sprintf("user-%d", i)
		index, _ := s.keys.userIdentities(user)
		held, err := s.client.Do(ctx, s.client.B().Zcard().Key(index).Build()).AsInt64()
		want := int64(0)
		if user == winner {
			want = 1
		}
		if err != nil || held != want {
			t.Errorf("the index of %s (winner %s) holds %d links, %v; want %d", user, winner, held, err, want)
		}
	}
}
