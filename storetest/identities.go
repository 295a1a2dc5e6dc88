package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/authgate/authgate"
)

// identityTests check authgate.IdentityStore. Run runs them on a store
// that implements it and skips them otherwise.
var identityTests = []test{
	{"RoundTrip", testIdentityRoundTrip},
	{"Duplicate", testIdentityDuplicate},
	{"Race", testIdentityRace},
	{"Cancel", testIdentityCancel},
	{"Lifecycle", testIdentityLifecycle},
	{"ListBound", testIdentityListBound},
}

// identities returns s as an IdentityStore, or skips the test.
func identities(t *testing.T, s authgate.Store) authgate.IdentityStore {
	t.Helper()
	is, ok := s.(authgate.IdentityStore)
	if !ok {
		t.Skipf("%T does not implement authgate.IdentityStore", s)
	}
	return is
}

// newIssuer returns an issuer URL of its own for one test.
func newIssuer() string { return "https://idp-" + strings.ToLower(rand.Text()) + ".example.com/realm" }

func testIdentityRoundTrip(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	ctx := context.Background()
	iss, other := newIssuer(), newIssuer()
	pairs := []struct{ issuer, subject, user string }{
		{iss, "248289761001", NewUserID()},
		{iss, "248289761002", NewUserID()},
		{other, "248289761001", NewUserID()}, // the same subject at another issuer is another account
		{iss, "sub with spaces, ünïcode and a very long tail " + strings.Repeat("x", 180), NewUserID()},
	}
	for _, p := range pairs {
		if err := is.LinkIdentity(ctx, p.issuer, p.subject, p.user); err != nil {
			t.Fatalf("LinkIdentity(%q, %q): %v", p.issuer, p.subject, err)
		}
	}
	for _, p := range pairs {
		got, err := is.IdentityUser(ctx, p.issuer, p.subject)
		if err != nil || got != p.user {
			t.Errorf("IdentityUser(%q, %q) = %q, %v; want %q", p.issuer, p.subject, got, err, p.user)
		}
	}
	// Neither part alone nor a shifted split of the same bytes matches.
	for _, miss := range [][2]string{{iss, "248289761003"}, {iss + "/", "248289761001"}, {iss + "2", "48289761001"}, {iss[:len(iss)-1], "m248289761001"}} {
		if _, err := is.IdentityUser(ctx, miss[0], miss[1]); !errors.Is(err, authgate.ErrNotFound) {
			t.Errorf("IdentityUser(%q, %q): %v, want ErrNotFound", miss[0], miss[1], err)
		}
	}
}

func testIdentityDuplicate(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	ctx := context.Background()
	iss, first := newIssuer(), NewUserID()
	if err := is.LinkIdentity(ctx, iss, "sub", first); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{first, NewUserID()} {
		if err := is.LinkIdentity(ctx, iss, "sub", user); !errors.Is(err, authgate.ErrDuplicate) {
			t.Errorf("linking the pair again to %q: %v, want ErrDuplicate", user, err)
		}
	}
	if got, err := is.IdentityUser(ctx, iss, "sub"); err != nil || got != first {
		t.Errorf("IdentityUser after a refused link = %q, %v; want %q", got, err, first)
	}
}

// testIdentityRace links one pair from many goroutines at once: exactly
// one wins, and every reader sees the winner.
func testIdentityRace(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	ctx := context.Background()
	iss := newIssuer()
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []string
	)
	for range n {
		user := NewUserID()
		wg.Go(func() {
			err := is.LinkIdentity(ctx, iss, "sub", user)
			switch {
			case err == nil:
				mu.Lock()
				wins = append(wins, user)
				mu.Unlock()
			case !errors.Is(err, authgate.ErrDuplicate):
				t.Errorf("LinkIdentity: %v", err)
			}
		})
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d links of one pair succeeded, want 1", len(wins))
	}
	if got, err := is.IdentityUser(ctx, iss, "sub"); err != nil || got != wins[0] {
		t.Errorf("IdentityUser = %q, %v; want the winner %q", got, err, wins[0])
	}
}

func testIdentityCancel(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	iss := newIssuer()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := is.LinkIdentity(ctx, iss, "sub", NewUserID()); !errors.Is(err, context.Canceled) {
		t.Errorf("LinkIdentity with a cancelled context: %v", err)
	}
	if _, err := is.IdentityUser(ctx, iss, "sub"); !errors.Is(err, context.Canceled) {
		t.Errorf("IdentityUser with a cancelled context: %v", err)
	}
	if _, err := is.IdentityUser(context.Background(), iss, "sub"); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("a link made with a cancelled context exists: %v", err)
	}
	user := NewUserID()
	if err := is.LinkIdentity(context.Background(), iss, "kept", user); err != nil {
		t.Fatal(err)
	}
	if err := is.UnlinkIdentity(ctx, iss, "kept", user); !errors.Is(err, context.Canceled) {
		t.Errorf("UnlinkIdentity with a cancelled context: %v", err)
	}
	if _, err := is.UserIdentities(ctx, user); !errors.Is(err, context.Canceled) {
		t.Errorf("UserIdentities with a cancelled context: %v", err)
	}
	if got, err := is.IdentityUser(context.Background(), iss, "kept"); err != nil || got != user {
		t.Errorf("after an unlink with a cancelled context: %q, %v; want the link to %q", got, err, user)
	}
}
