package oidc

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/oidctest"
)

// TestStaleLink: an account linked to a user who no longer exists signs
// in as an account not linked: the link goes, then linking by verified
// e-mail, creating a user or refusing, as the configuration says.
func TestStaleLink(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		// stale makes the stale link: it returns the user id it names.
		stale  func(t *testing.T, e *env) string
		local  []string // local users, by login
		status int      // the callback's answer
		as     string   // who is then signed in: a local login, "new", or ""
		// removes says whether the sign-in finds the stale link and
		// removes it (DeleteUser takes the link itself).
		removes bool
	}{
		{name: "linked by e-mail instead", mod: func(c *Config) { c.LinkByEmail = true }, stale: linkNobody,
			local: []string{"alice@example.com"}, status: http.StatusSeeOther, as: "alice@example.com", removes: true},
		{name: "a new user instead", mod: func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true }, stale: linkNobody,
			status: http.StatusSeeOther, as: "new", removes: true},
		{name: "refused, and unlinked", stale: linkNobody, status: http.StatusForbidden, removes: true},
		{name: "the user was removed", mod: func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true }, stale: signInThenRemove,
			status: http.StatusSeeOther, as: "new"},
	}
	idp := oidctest.Start(t, oidctest.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, idp, 1, tc.mod)
			gone := tc.stale(t, e)
			for _, l := range tc.local {
				e.addUser(l)
			}
			b := newBrowser(t)
			r := e.signIn(b, oidctest.Alice)
			if got := e.logs.Contains("removed a link to a user who no longer exists"); got != tc.removes {
				t.Errorf("the log says a stale link was removed: %v, want %v", got, tc.removes)
			}
			if tc.status != http.StatusSeeOther {
				wantPage(t, r, tc.status, textNoUser)
				if id := e.linked(oidctest.Alice); id != "" {
					t.Errorf("after the refusal the account is linked to %q, want the stale link gone", id)
				}
				return
			}
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("callback: %s, want 303\n%s", r.Status, r.body)
			}
			who := e.whoAmI(b)
			u, err := e.store.User(context.Background(), who)
			if err != nil {
				t.Fatalf("signed in as %q, whom the store does not know: %v", who, err)
			}
			switch {
			case who == gone:
				t.Errorf("signed in as the removed user %q", gone)
			case tc.as == "new" && strings.HasPrefix(u.ID, "local-"):
				t.Errorf("signed in as the local user %s, want a new one", u.Login)
			case tc.as != "new" && u.Login != tc.as:
				t.Errorf("signed in as %s, want %s", u.Login, tc.as)
			}
			if id := e.linked(oidctest.Alice); id != u.ID {
				t.Errorf("the account is linked to %q, want %q", id, u.ID)
			}
		})
	}
}

// linkNobody links Alice's account to a user id that no user has, as a
// store that deletes a user and its links apart may leave it.
func linkNobody(t *testing.T, e *env) string {
	const gone = "u-removed"
	if err := e.store.LinkIdentity(context.Background(), e.idp.Issuer, oidctest.Alice.Subject, gone); err != nil {
		t.Fatal(err)
	}
	return gone
}

// signInThenRemove signs Alice in, which makes her user, then removes the
// user, which takes the link with it.
func signInThenRemove(t *testing.T, e *env) string {
	if r := e.signIn(newBrowser(t), oidctest.Alice); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %s\n%s", r.Status, r.body)
	}
	id := e.linked(oidctest.Alice)
	if id == "" {
		t.Fatal("the first sign-in linked nothing")
	}
	if err := e.store.DeleteUser(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got := e.linked(oidctest.Alice); got != "" {
		t.Fatalf("after DeleteUser the account is still linked to %q", got)
	}
	return id
}
