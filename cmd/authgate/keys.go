package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authgate/authgate"
)

func (c *cli) keysCreate(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("keys create", "keys create --user LOGIN --name NAME [--expires 720h]\n\n"+
		"Makes an API key for a user and prints its id and secret, once. Machine clients\n"+
		"send them as HTTP Basic: curl -u ID:SECRET URL.")
	login := fs.String("user", "", "the `LOGIN` of the key's owner (required)")
	name := fs.String("name", "", "what the key is for, 1 to 100 characters (required)")
	expires := fs.Duration("expires", 0, "the key stops working after this `duration`, such as 720h (default never)")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	switch {
	case *login == "":
		return usageError("keys create: --user is required")
	case *name == "" || len(*name) > 100 || printable(*name) != *name:
		return usageError("keys create: --name is required: 1 to 100 printable characters")
	case *expires < 0:
		return usageError("keys create: --expires must be positive")
	}
	st, u, err := c.openUser(ctx, *sf, *login)
	if err != nil {
		return err
	}
	defer st.Close()
	k, secret, err := c.createKey(ctx, st, u.ID, *name, *expires)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "API key for %s: %s\n", u.Login, printable(k.Name))
	fmt.Fprintf(c.stdout, "  id:      %s\n  secret:  %s\n", k.ID, secret)
	if !k.ExpiresAt.IsZero() {
		fmt.Fprintf(c.stdout, "  expires: %s\n", stamp(k.ExpiresAt))
	}
	fmt.Fprintln(c.stdout, "The secret is shown only now. Use it as HTTP Basic: curl -u ID:SECRET URL")
	return nil
}

// createKey makes and stores an API key; expires 0 means never.
func (c *cli) createKey(ctx context.Context, st authgate.KeyStore, userID, name string, expires time.Duration) (authgate.APIKey, string, error) {
	now := c.now()
	var until time.Time
	if expires > 0 {
		until = now.Add(expires)
	}
	k, secret, err := authgate.NewAPIKey(userID, name, now, until)
	if err != nil {
		return k, "", usageError("%w", err)
	}
	if err := st.CreateKey(ctx, k); err != nil {
		return k, "", fmt.Errorf("storing the API key: %w", err)
	}
	return k, secret, nil
}

func (c *cli) keysList(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("keys list", "keys list [--user LOGIN]\n\n"+
		"Lists API keys, revoked and expired ones included: a user's, or everybody's.")
	login := fs.String("user", "", "list only the keys of this `LOGIN`")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	st, err := c.openStore(ctx, *sf, false)
	if err != nil {
		return err
	}
	defer st.Close()
	var users []authgate.User
	if *login != "" {
		u, err := userByLogin(ctx, st, *login)
		if err != nil {
			return err
		}
		users = []authgate.User{u}
	} else if users, err = st.Users(ctx); err != nil {
		return fmt.Errorf("listing users: %w", err)
	}
	now := c.now()
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	rows := 0
	for _, u := range users {
		keys, err := st.UserKeys(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("listing the API keys of %q: %w", u.Login, err)
		}
		for _, k := range keys {
			if rows == 0 {
				fmt.Fprintln(tw, "ID\tUSER\tNAME\tSTATE\tCREATED\tEXPIRES\tLAST USED")
			}
			rows++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, printable(u.Login), printable(k.Name),
				keyState(k, now), stamp(k.CreatedAt), stamp(k.ExpiresAt), stamp(lastUsed(k)))
		}
	}
	if rows == 0 {
		fmt.Fprintln(c.stdout, "no API keys")
		return nil
	}
	return tw.Flush()
}

func keyState(k authgate.APIKey, now time.Time) string {
	switch {
	case k.Revoked:
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return "active"
}

func (c *cli) keysRevoke(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("keys revoke", "keys revoke ID\n\nRevokes an API key: it stops working at once.")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	id := pos[0]
	if !strings.HasPrefix(id, "agk_") || len(id) > 64 || printable(id) != id {
		return usageError("keys revoke: %q is not an API key id (they start with agk_)", id)
	}
	st, err := c.openStore(ctx, *sf, false)
	if err != nil {
		return err
	}
	defer st.Close()
	return c.revoked(st.RevokeKey(ctx, id), "API key "+id)
}

// lastUsed is when k was last used, as far as the list can tell: uses are
// stored rounded down to the touch interval (see [authgate.Config]), so a
// key used soon after it was made is shown as used when it was made.
func lastUsed(k authgate.APIKey) time.Time {
	if !k.LastUsed.IsZero() && k.LastUsed.Before(k.CreatedAt) {
		return k.CreatedAt
	}
	return k.LastUsed
}
