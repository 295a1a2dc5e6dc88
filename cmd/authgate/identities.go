package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/authgate/authgate"
)

func (c *cli) usersIdentities(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users identities", "users identities LOGIN\n\n"+
		"Lists the accounts at identity providers (OpenID Connect) linked to the user:\n"+
		"each one's issuer and subject, as 'authgate users unlink' takes them.")
	st, u, err := c.parseUser(ctx, fs, sf, args)
	if err != nil {
		return err
	}
	defer st.Close()
	links, err := st.UserIdentities(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("listing the identities of %q: %w", u.Login, err)
	}
	if len(links) == 0 {
		fmt.Fprintf(c.stdout, "no identities linked to %s\n", u.Login)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ISSUER\tSUBJECT")
	for _, l := range links {
		fmt.Fprintf(tw, "%s\t%s\n", printable(l.Issuer), printable(l.Subject))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(links) == authgate.MaxUserIdentities {
		fmt.Fprintf(c.stdout, "(the first %d; unlink some to see the others)\n", authgate.MaxUserIdentities)
	}
	return nil
}

func (c *cli) usersUnlink(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("users unlink", "users unlink LOGIN ISSUER SUBJECT\n\n"+
		"Unlinks the user's account at an identity provider, named by its issuer and\n"+
		"subject as 'authgate users identities' lists them: signing in with it no longer\n"+
		"finds the user. The user's sessions stay; 'authgate sessions revoke --user'\n"+
		"ends them.")
	pos, err := c.parse(fs, args, 3, 3)
	if err != nil {
		return err
	}
	login, issuer, subject := pos[0], pos[1], pos[2]
	if issuer == "" || subject == "" || len(issuer) > 255 || len(subject) > 255 {
		return usageError("users unlink: an issuer and a subject are 1 to 255 bytes each")
	}
	st, u, err := c.openUser(ctx, *sf, login)
	if err != nil {
		return err
	}
	defer st.Close()
	what := fmt.Sprintf("the account %q at %q", printable(subject), printable(issuer))
	switch err := st.UnlinkIdentity(ctx, issuer, subject, u.ID); {
	case errors.Is(err, authgate.ErrNotFound):
		return notFound("%s is not linked to %s", what, u.Login)
	case err != nil:
		return fmt.Errorf("unlinking %s: %w", what, err)
	}
	fmt.Fprintf(c.stdout, "unlinked %s from %s\n", what, u.Login)
	return nil
}
