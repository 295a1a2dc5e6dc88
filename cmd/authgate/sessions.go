package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/authgate/authgate"
)

func (c *cli) sessionsList(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("sessions list", "sessions list --user LOGIN\n\n"+
		"Lists a user's sessions that have not ended for good: when each began, when it\n"+
		"was last seen, its address and browser. The ID is the SHA-256 of the session's\n"+
		"token, never the token; pass it to 'authgate sessions revoke'.")
	login := fs.String("user", "", "the `LOGIN` whose sessions to list (required)")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *login == "" {
		return usageError("sessions list: --user is required")
	}
	st, u, err := c.openUser(ctx, *sf, *login)
	if err != nil {
		return err
	}
	defer st.Close()
	sessions, err := st.UserSessions(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("listing the sessions of %q: %w", u.Login, err)
	}
	if len(sessions) == 0 {
		fmt.Fprintf(c.stdout, "no sessions for %s\n", u.Login)
		return nil
	}
	now := c.now()
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCREATED\tLAST SEEN\tADDRESS\tUSER AGENT")
	for _, s := range sessions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, sessionState(&s, now), stamp(s.CreatedAt),
			stamp(s.LastSeen), printable(s.Address), printable(clip(s.UserAgent, 80)))
	}
	return tw.Flush()
}

func sessionState(s *authgate.Session, now time.Time) string {
	switch {
	case s.Revoked:
		return "revoked"
	case !now.Before(s.IdleDeadline()):
		return "expired"
	}
	return "active"
}

func (c *cli) sessionsRevoke(ctx context.Context, args []string) error {
	fs, sf := c.newStoreFlags("sessions revoke", "sessions revoke (--user LOGIN | ID)\n\n"+
		"Signs out one session, by the ID that 'sessions list' shows, or every session of\n"+
		"a user. A running server sees it within a second.")
	login := fs.String("user", "", "revoke every session of this `LOGIN`")
	pos, err := c.parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	if (*login == "") == (len(pos) == 0) {
		return usageError("sessions revoke: give either --user LOGIN or one session ID")
	}
	var id authgate.Hash
	if len(pos) == 1 {
		if id, err = authgate.ParseHash(pos[0]); err != nil {
			return usageError("sessions revoke: %q is not a session ID (64 hex digits, as 'sessions list' shows)", pos[0])
		}
	}
	st, err := c.openStore(ctx, *sf, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if *login != "" {
		u, err := userByLogin(ctx, st, *login)
		if err != nil {
			return err
		}
		n, err := st.RevokeUserSessions(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("revoking the sessions of %q: %w", u.Login, err)
		}
		fmt.Fprintf(c.stdout, "revoked %s of %s\n", count(n, "session"), u.Login)
		return nil
	}
	return c.revoked(st.RevokeSession(ctx, id), "session "+id.String())
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
