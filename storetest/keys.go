package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

var keyTests = []test{
	{"RoundTrip", testKeyRoundTrip},
	{"Duplicate", testKeyDuplicate},
	{"NotFound", testKeyNotFound},
	{"Touch", testKeyTouch},
	{"Revoke", testKeyRevoke},
	{"RevokeUser", testKeyRevokeUser},
	{"UserKeys", testUserKeys},
}

func mustKey(t *testing.T, s authgate.Store, id string) authgate.APIKey {
	t.Helper()
	got, err := s.Key(context.Background(), id)
	if err != nil {
		t.Fatalf("Key(%q): %v", id, err)
	}
	return got
}

func createKey(t *testing.T, s authgate.Store, k authgate.APIKey) {
	t.Helper()
	if err := s.CreateKey(context.Background(), k); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
}

func testKeyRoundTrip(t *testing.T, s authgate.Store) {
	now := time.Now()
	user := NewUserID()
	tests := []struct {
		name   string
		modify func(*authgate.APIKey)
	}{
		{"never expires, never used", func(*authgate.APIKey) {}},
		{"expires and used", func(k *authgate.APIKey) {
			k.ExpiresAt = now.Add(90 * 24 * time.Hour)
			k.LastUsed = now.Add(-time.Minute)
		}},
		{"already expired", func(k *authgate.APIKey) { k.ExpiresAt = now.Add(-time.Hour) }},
		{"revoked", func(k *authgate.APIKey) { k.Revoked = true }},
		{"sub-millisecond times", func(k *authgate.APIKey) {
			k.CreatedAt = time.Date(2030, 1, 2, 3, 4, 5, 678_901_234, time.UTC)
			k.ExpiresAt = k.CreatedAt.Add(time.Hour + 999*time.Microsecond)
		}},
		{"empty name", func(k *authgate.APIKey) { k.Name = "" }},
		{"unicode name", func(k *authgate.APIKey) { k.Name = "CI déploiement 🚀 'prod'" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := NewKey(user, now)
			tc.modify(&want)
			createKey(t, s, want)
			if d := KeyDiff(want, mustKey(t, s, want.ID)); d != "" {
				t.Errorf("round trip: %s", d)
			}
		})
	}
}

func testKeyDuplicate(t *testing.T, s authgate.Store) {
	now := time.Now()
	first := NewKey(NewUserID(), now)
	createKey(t, s, first)
	second := NewKey(NewUserID(), now.Add(time.Second))
	second.ID = first.ID
	err := s.CreateKey(context.Background(), second)
	if !errors.Is(err, authgate.ErrDuplicate) {
		t.Errorf("CreateKey with a taken id: error %v, want one that is ErrDuplicate", err)
	}
	if d := KeyDiff(first, mustKey(t, s, first.ID)); d != "" {
		t.Errorf("the first key changed: %s", d)
	}
	if list, err := s.UserKeys(context.Background(), second.UserID); err != nil || len(list) != 0 {
		t.Errorf("UserKeys of the refused key's user = %d keys, %v; want none", len(list), err)
	}
}

func testKeyNotFound(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	createKey(t, s, NewKey(NewUserID(), time.Now()))
	missing := NewKey("", time.Now()).ID
	tests := []struct {
		name string
		call func() error
	}{
		{"Key", func() error { _, err := s.Key(ctx, missing); return err }},
		{"Key empty id", func() error { _, err := s.Key(ctx, ""); return err }},
		{"TouchKey", func() error { return s.TouchKey(ctx, missing, time.Now()) }},
		{"RevokeKey", func() error { return s.RevokeKey(ctx, missing) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, authgate.ErrNotFound) {
				t.Errorf("%s of an unknown id: error %v, want one that is ErrNotFound", tc.name, err)
			}
		})
	}
	if _, err := s.Key(ctx, missing); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("TouchKey or RevokeKey of an unknown id created it: Key error %v", err)
	}
}

func testKeyTouch(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	tests := []struct {
		name    string
		touches []time.Duration // offsets from now, in order
		want    time.Duration   // LastUsed offset afterwards; -1: still zero
	}{
		{"none", nil, -1},
		{"first use", []time.Duration{time.Second}, time.Second},
		{"forward", []time.Duration{time.Second, time.Minute}, time.Minute},
		{"backward is ignored", []time.Duration{time.Minute, time.Second}, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := NewKey(NewUserID(), now)
			createKey(t, s, want)
			for _, off := range tc.touches {
				if err := s.TouchKey(ctx, want.ID, now.Add(off)); err != nil {
					t.Fatalf("TouchKey(%v): %v", off, err)
				}
			}
			if tc.want >= 0 {
				want.LastUsed = now.Add(tc.want)
			}
			if d := KeyDiff(want, mustKey(t, s, want.ID)); d != "" {
				t.Errorf("after touches %v: %s", tc.touches, d)
			}
		})
	}
}

func testKeyRevoke(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	user := NewUserID()
	now := time.Now()
	a, b := NewKey(user, now), NewKey(user, now)
	createKey(t, s, a)
	createKey(t, s, b)
	if err := s.RevokeKey(ctx, a.ID); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	a.Revoked = true
	if d := KeyDiff(a, mustKey(t, s, a.ID)); d != "" {
		t.Errorf("revoked key: %s", d)
	}
	if d := KeyDiff(b, mustKey(t, s, b.ID)); d != "" {
		t.Errorf("other key of the same user: %s", d)
	}
	if err := s.RevokeKey(ctx, a.ID); err != nil {
		t.Errorf("RevokeKey of a revoked key: %v", err)
	}
	if got := mustKey(t, s, a.ID); !got.Revoked {
		t.Error("revoking twice made the key live again")
	}
}

func testKeyRevokeUser(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	alice, bob := NewUserID(), NewUserID()
	var mine []string
	for i := range 3 {
		k := NewKey(alice, now.Add(time.Duration(i)*time.Second))
		createKey(t, s, k)
		mine = append(mine, k.ID)
	}
	already := NewKey(alice, now)
	already.Revoked = true
	createKey(t, s, already)
	other := NewKey(bob, now)
	createKey(t, s, other)

	tests := []struct {
		name string
		user string
		want int
	}{
		{"live keys", alice, 3},
		{"again", alice, 0},
		{"unknown user", NewUserID(), 0},
	}
	for _, tc := range tests {
		n, err := s.RevokeUserKeys(ctx, tc.user)
		if err != nil {
			t.Fatalf("%s: RevokeUserKeys: %v", tc.name, err)
		}
		if n != tc.want {
			t.Errorf("%s: RevokeUserKeys = %d, want %d", tc.name, n, tc.want)
		}
	}
	for _, id := range mine {
		if !mustKey(t, s, id).Revoked {
			t.Errorf("key %q of the user is not revoked", id)
		}
	}
	if d := KeyDiff(other, mustKey(t, s, other.ID)); d != "" {
		t.Errorf("another user's key changed: %s", d)
	}
}

func testUserKeys(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	user := NewUserID()
	oldest := NewKey(user, now.Add(-3*time.Hour))
	middle := NewKey(user, now.Add(-2*time.Hour))
	middle.Revoked = true
	newest := NewKey(user, now.Add(-time.Hour))
	newest.ExpiresAt = now.Add(-time.Minute) // expired keys are listed too
	other := NewKey(NewUserID(), now)
	for _, k := range []authgate.APIKey{middle, other, newest, oldest} {
		createKey(t, s, k)
	}
	got, err := s.UserKeys(ctx, user)
	if err != nil {
		t.Fatalf("UserKeys: %v", err)
	}
	want := []authgate.APIKey{newest, middle, oldest}
	if len(got) != len(want) {
		t.Fatalf("UserKeys returned %d keys, want %d (revoked and expired included)", len(got), len(want))
	}
	for i := range want {
		if d := KeyDiff(want[i], got[i]); d != "" {
			t.Errorf("UserKeys[%d]: %s", i, d)
		}
	}
	if list, err := s.UserKeys(ctx, NewUserID()); err != nil || len(list) != 0 {
		t.Errorf("UserKeys of an unknown user = %d keys, %v; want none", len(list), err)
	}
}
