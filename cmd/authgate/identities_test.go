package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/authgate/authgate"
)

// TestIdentityCommands runs 'users identities' and 'users unlink' on an
// SQLite file; TestRedisStore and TestPostgresStore run them on the other
// stores.
func TestIdentityCommands(t *testing.T) {
	identityCommands(t, "--db", filepath.Join(t.TempDir(), "links.db"))
}

// identityCommands runs the identity commands, and their errors, in order
// on the store that where names (--db FILE or --store URL): each step
// sees what the steps before it did.
func identityCommands(t *testing.T, where ...string) {
	const iss, other = "https://sso.example.com/realms/staff", "https://gitlab.example.com"
	run := func(stdin string, args ...string) result { return runCLI(t, stdin, append(args, where...)...) }
	run("password123", "users", "add", "ivy", "--password-stdin").expect(t, exitOK)
	run("password123", "users", "add", "jon", "--password-stdin").expect(t, exitOK)
	link(t, where, "ivy", iss, "248289761001")
	link(t, where, "ivy", other, "42")
	link(t, where, "jon", iss, "248289761002")

	steps := []struct {
		name string
		args []string
		code int
		want []string
		// rows are lines the output holds, in this order, with their
		// cells' padding as one space; gone are texts it must not hold.
		rows, gone []string
	}{
		{name: "list", args: []string{"users", "identities", "ivy"},
			rows: []string{"ISSUER SUBJECT", other + " 42", iss + " 248289761001"}, gone: []string{"248289761002"}},
		{name: "unknown user", args: []string{"users", "identities", "nobody"},
			code: exitNotFound, want: []string{`no user with login "nobody"`}},
		{name: "missing subject", args: []string{"users", "unlink", "ivy", iss},
			code: exitUsage, want: []string{"missing argument"}},
		{name: "subject too long", args: []string{"users", "unlink", "ivy", iss, strings.Repeat("x", 256)},
			code: exitUsage, want: []string{"1 to 255 bytes"}},
		{name: "another user's account", args: []string{"users", "unlink", "ivy", iss, "248289761002"},
			code: exitNotFound, want: []string{`the account "248289761002" at "` + iss + `" is not linked to ivy`}},
		{name: "no such account", args: []string{"users", "unlink", "ivy", iss, "nope"},
			code: exitNotFound, want: []string{"is not linked to ivy"}},
		{name: "unlink", args: []string{"users", "unlink", "ivy", iss, "248289761001"},
			want: []string{`unlinked the account "248289761001" at "` + iss + `" from ivy`}},
		{name: "unlinked", args: []string{"users", "identities", "ivy"},
			rows: []string{other + " 42"}, gone: []string{"248289761001"}},
		{name: "unlink again", args: []string{"users", "unlink", "ivy", iss, "248289761001"},
			code: exitNotFound, want: []string{"is not linked to ivy"}},
		{name: "the other user keeps its link", args: []string{"users", "identities", "jon"},
			rows: []string{iss + " 248289761002"}},
		{name: "remove a user", args: []string{"users", "remove", "jon"},
			want: []string{"removed user jon"}},
		{name: "unlink the last", args: []string{"users", "unlink", "ivy", other, "42"},
			want: []string{"unlinked"}},
		{name: "none left", args: []string{"users", "identities", "ivy"},
			want: []string{"no identities linked to ivy"}},
	}
	for _, st := range steps {
		ok := t.Run(st.name, func(t *testing.T) {
			r := run("", st.args...)
			r.expect(t, st.code, st.want...)
			var lines []string
			for _, l := range strings.Split(r.stdout, "\n") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			at := 0
			for _, row := range st.rows {
				i := slices.Index(lines[at:], row)
				if i < 0 {
					t.Fatalf("the output lacks the line %q after line %d:\n%s", row, at, r.stdout)
				}
				at += i + 1
			}
			for _, g := range st.gone {
				if strings.Contains(r.stdout, g) {
					t.Errorf("the output holds %q:\n%s", g, r.stdout)
				}
			}
		})
		if !ok {
			t.FailNow() // later steps depend on this one
		}
	}
	// Removing jon took his link with him.
	st := openFor(t, where)
	if id, err := st.IdentityUser(context.Background(), iss, "248289761002"); err == nil {
		t.Errorf("after 'users remove jon' the account is linked to %q", id)
	}
}

// openFor opens the store that where names, as the command does.
func openFor(t *testing.T, where []string) store {
	t.Helper()
	var sf storeFlags
	switch where[0] {
	case "--db":
		sf.db = where[1]
	case "--store":
		sf.url = where[1]
	default:
		t.Fatalf("no store in %q", where)
	}
	st, err := newCLI(nil, nil, nil).openStore(context.Background(), sf, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// link links an account to the user with the given login, as a sign-in
// with an identity provider does.
func link(t *testing.T, where []string, login, issuer, subject string) {
	t.Helper()
	st := openFor(t, where)
	u, err := st.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.LinkIdentity(context.Background(), issuer, subject, u.ID); err != nil {
		t.Fatal(err)
	}
}

// TestReadmeIdentityBound: the README's bound on a listing is the one the
// stores keep.
func TestReadmeIdentityBound(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("`authgate users identities LOGIN` lists a user's linked accounts (issuer and subject,\nthe first %d)", authgate.MaxUserIdentities)
	if !strings.Contains(string(readme), want) {
		t.Errorf("the README does not say %q", want)
	}
}
