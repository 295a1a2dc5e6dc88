package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/authgate/authgate"
)

func (c *cli) usersAdd(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users add", "users add LOGIN [--name NAME] [--password-stdin]\n\n"+
		"Adds a user who signs in as LOGIN. The password is typed twice at the terminal,\n"+
		"or read from standard input with --password-stdin.")
	name := fs.String("name", "", "the display `name` (default LOGIN)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	login := pos[0]
	if err := checkLogin(login); err != nil {
		return err
	}
	if err := checkName(*name); err != nil {
		return err
	}
	st, err := c.openStore(ctx, *sf, true)
	if err != nil {
		return err
	}
	defer st.Close()
	// Say so before asking for a password that would be thrown away.
	switch _, err := st.UserByLogin(ctx, login); {
	case err == nil:
		return withCode(exitDuplicate, "a user with login %q already exists", login)
	case !errors.Is(err, authgate.ErrNotFound):
		return fmt.Errorf("looking up user %q: %w", login, err)
	}
	pw, err := c.readPassword(ctx, login, *fromStdin)
	if err != nil {
		return err
	}
	u, err := c.createUser(ctx, st, login, *name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "added user %s (id %s)\n", u.Login, u.ID)
	return nil
}

// createUser hashes pw and stores a new user.
func (c *cli) createUser(ctx context.Context, st authgate.UserStore, login, name, pw string) (authgate.User, error) {
	hash, err := c.hasher.Hash(pw)
	if err != nil {
		return authgate.User{}, fmt.Errorf("hashing the password: %w", err)
	}
	if name == "" {
		name = login
	}
	u := authgate.User{ID: newUserID(), Login: login, Name: name, PasswordHash: hash, CreatedAt: c.now()}
	if err := st.CreateUser(ctx, u); err != nil {
		if errors.Is(err, authgate.ErrDuplicate) {
			return authgate.User{}, withCode(exitDuplicate, "a user with login %q already exists", login)
		}
		return authgate.User{}, fmt.Errorf("adding user %q: %w", login, err)
	}
	return u, nil
}

func (c *cli) usersList(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users list", "users list\n\nLists every user, by login.")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	st, err := c.openStore(ctx, *sf, false)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(ctx)
	if err != nil {
		return fmt.Errorf("listing users: %w", err)
	}
	if len(users) == 0 {
		fmt.Fprintln(c.stdout, "no users")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tNAME\tID\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", printable(u.Login), printable(u.Name), u.ID, stamp(u.CreatedAt))
	}
	return tw.Flush()
}

func (c *cli) usersPasswd(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users passwd", "users passwd LOGIN [--password-stdin]\n\n"+
		"Sets a new password for LOGIN and signs out all of the user's sessions.")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	st, u, err := c.parseUser(ctx, fs, sf, args)
	if err != nil {
		return err
	}
	defer st.Close()
	pw, err := c.readPassword(ctx, u.Login, *fromStdin)
	if err != nil {
		return err
	}
	hash, err := c.hasher.Hash(pw)
	if err != nil {
		return fmt.Errorf("hashing the password: %w", err)
	}
	if err := st.SetPassword(ctx, u.ID, hash); err != nil {
		return fmt.Errorf("setting the password of %q: %w", u.Login, err)
	}
	n, err := st.RevokeUserSessions(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("the password of %q is changed, but signing out its sessions failed: %w", u.Login, err)
	}
	fmt.Fprintf(c.stdout, "changed the password of %s; signed out %s\n", u.Login, count(n, "session"))
	return nil
}

func (c *cli) usersRemove(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users remove", "users remove LOGIN\n\n"+
		"Revokes the user's sessions and API keys, then removes the user and the links of\n"+
		"its accounts at identity providers.")
	st, u, err := c.parseUser(ctx, fs, sf, args)
	if err != nil {
		return err
	}
	defer st.Close()
	sessions, err := st.RevokeUserSessions(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("revoking the sessions of %q: %w", u.Login, err)
	}
	keys, err := st.RevokeUserKeys(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("revoking the API keys of %q: %w", u.Login, err)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		return fmt.Errorf("removing %q: %w", u.Login, err)
	}
	fmt.Fprintf(c.stdout, "removed user %s; revoked %s and %s\n", u.Login, count(sessions, "session"), count(keys, "API key"))
	return nil
}

// userByLogin finds a user, with exit code 5 when there is none.
func userByLogin(ctx context.Context, st authgate.UserStore, login string) (authgate.User, error) {
	u, err := st.UserByLogin(ctx, login)
	switch {
	case errors.Is(err, authgate.ErrNotFound):
		return u, notFound("no user with login %q", login)
	case err != nil:
		return u, fmt.Errorf("looking up user %q: %w", login, err)
	}
	return u, nil
}

// checkLogin accepts 1 to 64 lower-case letters, digits and . _ - @ +,
// starting with a letter or digit: a name that needs no quoting anywhere.
func checkLogin(login string) error {
	if len(login) == 0 || len(login) > 64 {
		return usageError("a login is 1 to 64 characters")
	}
	for i, r := range login {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case i > 0 && strings.ContainsRune("._-@+", r):
		default:
			return usageError("login %q: use lower-case letters, digits and . _ - @ + (starting with a letter or digit)", login)
		}
	}
	return nil
}

// checkName accepts a display name of up to 100 printable characters.
func checkName(name string) error {
	if len(name) > 100 || printable(name) != name {
		return usageError("a name is at most 100 printable characters")
	}
	return nil
}

// newUserID returns a random user id such as "usr_mfrggzdfmztwq2lk".
func newUserID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return "usr_" + strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}
