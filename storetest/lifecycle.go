package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// linkFixture is what each lifecycle case starts from: two users, alice
// with three links (two at one issuer, one at another) and bob with one.
type linkFixture struct {
	is          authgate.IdentityStore
	s           authgate.Store
	alice, bob  string // user ids
	iss, other  string // issuers
	aliceLinks  []authgate.LinkedIdentity
	bobLinks    []authgate.LinkedIdentity
	unknownUser string // an id no user has
}

// testIdentityLifecycle links, lists, unlinks and deletes users, and
// checks after each case what every user's list and every pair's lookup
// say.
func testIdentityLifecycle(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	li := func(iss, sub string) authgate.LinkedIdentity {
		return authgate.LinkedIdentity{Issuer: iss, Subject: sub}
	}
	tests := []struct {
		name string
		// act changes the fixture; its error must match err.
		act func(ctx context.Context, f *linkFixture) error
		err error
		// want gives each user's links after act, in any order; nil
		// keeps the fixture's.
		want func(f *linkFixture) (alice, bob []authgate.LinkedIdentity)
	}{
		{name: "link and list", act: func(ctx context.Context, f *linkFixture) error { return nil }},
		{name: "link one more",
			act: func(ctx context.Context, f *linkFixture) error {
				return f.is.LinkIdentity(ctx, f.other, "bob-2", f.bob)
			},
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return f.aliceLinks, append(slices.Clone(f.bobLinks), li(f.other, "bob-2"))
			}},
		{name: "unlink",
			act: func(ctx context.Context, f *linkFixture) error {
				return f.is.UnlinkIdentity(ctx, f.iss, "alice-2", f.alice)
			},
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return []authgate.LinkedIdentity{li(f.iss, "alice-1"), li(f.other, "alice-1")}, f.bobLinks
			}},
		{name: "unlink absent",
			act: func(ctx context.Context, f *linkFixture) error {
				return f.is.UnlinkIdentity(ctx, f.iss, "nobody", f.alice)
			},
			err: authgate.ErrNotFound},
		{name: "unlink at an issuer with no such subject",
			act: func(ctx context.Context, f *linkFixture) error {
				return f.is.UnlinkIdentity(ctx, f.other, "bob-1", f.bob)
			},
			err: authgate.ErrNotFound},
		{name: "unlink naming another user",
			act: func(ctx context.Context, f *linkFixture) error {
				return f.is.UnlinkIdentity(ctx, f.iss, "bob-1", f.alice)
			},
			err: authgate.ErrNotFound},
		{name: "unlink twice",
			act: func(ctx context.Context, f *linkFixture) error {
				if err := f.is.UnlinkIdentity(ctx, f.iss, "bob-1", f.bob); err != nil {
					return fmt.Errorf("the first unlink: %w", err)
				}
				return f.is.UnlinkIdentity(ctx, f.iss, "bob-1", f.bob)
			},
			err: authgate.ErrNotFound,
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return f.aliceLinks, nil
			}},
		{name: "delete user takes its links",
			act: func(ctx context.Context, f *linkFixture) error { return f.s.DeleteUser(ctx, f.alice) },
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return nil, f.bobLinks
			}},
		{name: "delete an absent user leaves links",
			act: func(ctx context.Context, f *linkFixture) error { return f.s.DeleteUser(ctx, f.unknownUser) },
			err: authgate.ErrNotFound},
		{name: "relink after unlink",
			act: func(ctx context.Context, f *linkFixture) error {
				if err := f.is.UnlinkIdentity(ctx, f.iss, "alice-1", f.alice); err != nil {
					return fmt.Errorf("unlink: %w", err)
				}
				return f.is.LinkIdentity(ctx, f.iss, "alice-1", f.bob)
			},
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return []authgate.LinkedIdentity{li(f.iss, "alice-2"), li(f.other, "alice-1")},
					append(slices.Clone(f.bobLinks), li(f.iss, "alice-1"))
			}},
		{name: "relink after delete user",
			act: func(ctx context.Context, f *linkFixture) error {
				if err := f.s.DeleteUser(ctx, f.alice); err != nil {
					return fmt.Errorf("delete: %w", err)
				}
				return f.is.LinkIdentity(ctx, f.other, "alice-1", f.bob)
			},
			want: func(f *linkFixture) ([]authgate.LinkedIdentity, []authgate.LinkedIdentity) {
				return nil, append(slices.Clone(f.bobLinks), li(f.other, "alice-1"))
			}},
		{name: "relink the same user after unlink",
			act: func(ctx context.Context, f *linkFixture) error {
				if err := f.is.UnlinkIdentity(ctx, f.other, "alice-1", f.alice); err != nil {
					return fmt.Errorf("unlink: %w", err)
				}
				return f.is.LinkIdentity(ctx, f.other, "alice-1", f.alice)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newLinkFixture(t, s, is)
			if err := tc.act(ctx, f); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			alice, bob := f.aliceLinks, f.bobLinks
			if tc.want != nil {
				alice, bob = tc.want(f)
			}
			f.check(t, f.alice, alice)
			f.check(t, f.bob, bob)
			f.check(t, f.unknownUser, nil)
			// Every pair the fixture made is found for its user, or not
			// at all once no list shows it.
			for _, l := range slices.Concat(f.aliceLinks, f.bobLinks) {
				owner := ""
				switch {
				case slices.Contains(alice, l):
					owner = f.alice
				case slices.Contains(bob, l):
					owner = f.bob
				}
				got, err := is.IdentityUser(ctx, l.Issuer, l.Subject)
				switch {
				case owner == "" && !errors.Is(err, authgate.ErrNotFound):
					t.Errorf("IdentityUser(%q, %q) = %q, %v; want ErrNotFound", l.Issuer, l.Subject, got, err)
				case owner != "" && (err != nil || got != owner):
					t.Errorf("IdentityUser(%q, %q) = %q, %v; want %q", l.Issuer, l.Subject, got, err, owner)
				}
			}
		})
	}
}

// newLinkFixture stores the fixture's users and links.
func newLinkFixture(t *testing.T, s authgate.Store, is authgate.IdentityStore) *linkFixture {
	t.Helper()
	now := time.Now()
	a, b := NewUser(newLogin("alice"), now), NewUser(newLogin("bob"), now)
	createUser(t, s, a)
	createUser(t, s, b)
	f := &linkFixture{is: is, s: s, alice: a.ID, bob: b.ID, iss: newIssuer(), other: newIssuer(), unknownUser: NewUserID()}
	f.aliceLinks = []authgate.LinkedIdentity{{Issuer: f.iss, Subject: "alice-1"}, {Issuer: f.iss, Subject: "alice-2"}, {Issuer: f.other, Subject: "alice-1"}}
	f.bobLinks = []authgate.LinkedIdentity{{Issuer: f.iss, Subject: "bob-1"}}
	ctx := context.Background()
	for user, links := range map[string][]authgate.LinkedIdentity{f.alice: f.aliceLinks, f.bob: f.bobLinks} {
		for _, l := range links {
			if err := is.LinkIdentity(ctx, l.Issuer, l.Subject, user); err != nil {
				t.Fatalf("LinkIdentity(%q, %q): %v", l.Issuer, l.Subject, err)
			}
		}
	}
	return f
}

// check fails t unless UserIdentities lists want, ordered by issuer and
// then subject.
func (f *linkFixture) check(t *testing.T, user string, want []authgate.LinkedIdentity) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, compareLinks)
	got, err := f.is.UserIdentities(context.Background(), user)
	if err != nil {
		t.Fatalf("UserIdentities(%q): %v", user, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("UserIdentities(%q) =\n\t%v\nwant\n\t%v", user, got, want)
	}
}

// compareLinks orders links by issuer, then subject, byte-wise.
func compareLinks(a, b authgate.LinkedIdentity) int {
	return cmp.Or(strings.Compare(a.Issuer, b.Issuer), strings.Compare(a.Subject, b.Subject))
}

// testIdentityListBound links more accounts to one user than a list
// returns: the list holds the first authgate.MaxUserIdentities, in order,
// and each unlink shows the next.
func testIdentityListBound(t *testing.T, s authgate.Store) {
	is := identities(t, s)
	ctx := context.Background()
	user, n, shared := NewUserID(), authgate.MaxUserIdentities+3, newIssuer()
	var all []authgate.LinkedIdentity
	for i := range n {
		// Issuers and subjects of varied lengths, linked in no order.
		l := authgate.LinkedIdentity{Issuer: newIssuer()[:20+i%7], Subject: fmt.Sprintf("%d", (i*37)%n)}
		if i%2 == 0 {
			l.Issuer = shared
		}
		if err := is.LinkIdentity(ctx, l.Issuer, l.Subject, user); err != nil {
			t.Fatalf("LinkIdentity #%d: %v", i, err)
		}
		all = append(all, l)
	}
	slices.SortFunc(all, compareLinks)
	got, err := is.UserIdentities(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, all[:authgate.MaxUserIdentities]) {
		t.Fatalf("UserIdentities of a user with %d links: %d links, want the first %d in order\n\t%v", n, len(got), authgate.MaxUserIdentities, got)
	}
	if err := is.UnlinkIdentity(ctx, all[0].Issuer, all[0].Subject, user); err != nil {
		t.Fatal(err)
	}
	got, err = is.UserIdentities(ctx, user)
	if err != nil || !slices.Equal(got, all[1:authgate.MaxUserIdentities+1]) {
		t.Errorf("after an unlink: %d links, %v; want the next %d in order", len(got), err, authgate.MaxUserIdentities)
	}
}
