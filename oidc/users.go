package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/authgate/authgate"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// claimSet is what the gate reads from a verified ID token.
type claimSet struct {
	Issuer   string
	Subject  string
	Nonce    string
	Email    string // "" when absent
	Verified bool   // email_verified is true (or "true")
	Name     string
	Groups   []string
}

// readClaims reads the claims the gate uses from a verified ID token.
func readClaims(idt *gooidc.IDToken, groupsClaim string) (*claimSet, error) {
	var raw map[string]json.RawMessage
	if err := idt.Claims(&raw); err != nil {
		return nil, err
	}
	c := &claimSet{Issuer: idt.Issuer, Subject: idt.Subject, Nonce: idt.Nonce}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(raw[k], &s)
		return s
	}
	c.Email = str("email")
	c.Name = str("name")
	if c.Name == "" {
		c.Name = str("preferred_username")
	}
	var b bool
	if json.Unmarshal(raw["email_verified"], &b) == nil {
		c.Verified = b
	} else {
		c.Verified = str("email_verified") == "true"
	}
	if g, ok := raw[groupsClaim]; ok {
		if json.Unmarshal(g, &c.Groups) != nil {
			var one string
			if json.Unmarshal(g, &one) == nil {
				c.Groups = []string{one}
			}
		}
	}
	if c.Subject == "" || len(c.Subject) > 255 || len(c.Issuer) > 255 {
		return nil, errors.New("oidc: the ID token's subject is empty or too long")
	}
	return c, nil
}

// Refusals, shown to the user.
const (
	textDomain = "Your account at the sign-in service is not one this application admits."
	textNoUser = "Your account at the sign-in service is not linked to a user of this application. Ask an administrator to add you."
	textTaken  = "A user with your e-mail address exists here, but it cannot be linked to your account at the sign-in service. Ask an administrator."
)

// user finds the user claims c signs in: the one linked to its issuer and
// subject (a link to a user who no longer exists is removed and counts as
// none); else, when the configuration allows, the local user whose login
// is its verified e-mail address (then linked); else, when allowed, a new
// one (then linked). A non-zero status is a refusal; err is a store
// failure.
func (p *Provider) user(ctx context.Context, pr *authgate.ProviderRequest, c *claimSet) (authgate.User, int, string, error) {
	if !p.admits(c) {
		return authgate.User{}, http.StatusForbidden, textDomain, nil
	}
	store := pr.Store()
	links, ok := store.(authgate.IdentityStore)
	if !ok {
		return authgate.User{}, 0, "", errors.New("the store does not implement authgate.IdentityStore")
	}
	id, err := links.IdentityUser(ctx, c.Issuer, c.Subject)
	switch {
	case err == nil:
		u, err := store.User(ctx, id)
		if !errors.Is(err, authgate.ErrNotFound) {
			return u, 0, "", err
		}
		// The link names a user who is gone (a store that deletes a user
		// and its links apart, or a user table kept elsewhere): the
		// account is as good as unlinked.
		if err := unlinkStale(ctx, pr, links, c, id); err != nil {
			return authgate.User{}, 0, "", err
		}
	case !errors.Is(err, authgate.ErrNotFound):
		return authgate.User{}, 0, "", err
	}
	email := ""
	if c.Verified {
		email = c.Email
	}
	if p.cfg.LinkByEmail && email != "" {
		u, err := store.UserByLogin(ctx, email)
		switch {
		case err == nil:
			return p.link(ctx, links, store, c, u)
		case !errors.Is(err, authgate.ErrNotFound):
			return authgate.User{}, 0, "", err
		}
	}
	if !p.cfg.CreateUsers {
		return authgate.User{}, http.StatusForbidden, textNoUser, nil
	}
	login := email
	if login == "" {
		login = p.cfg.Name + ":" + c.Subject
	}
	u := authgate.User{ID: "u-" + random(12), Login: login, Name: c.Name, CreatedAt: pr.Now()}
	if err := store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, authgate.ErrDuplicate) {
			return authgate.User{}, http.StatusForbidden, textTaken, nil
		}
		return authgate.User{}, 0, "", err
	}
	return p.link(ctx, links, store, c, u)
}

// unlinkStale removes the link of c's issuer and subject to the user id
// gone, who no longer exists. The store removes it only while it names
// gone: a link another sign-in has just made in its place stays.
func unlinkStale(ctx context.Context, pr *authgate.ProviderRequest, links authgate.IdentityStore, c *claimSet, gone string) error {
	switch err := links.UnlinkIdentity(ctx, c.Issuer, c.Subject, gone); {
	case errors.Is(err, authgate.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	pr.Logger().LogAttrs(ctx, slog.LevelInfo, "authgate: oidc sign-in: removed a link to a user who no longer exists",
		slog.String("subject", truncate(c.Subject, 64)), slog.String("user", gone))
	return nil
}

// link links c's issuer and subject to u. When another request linked
// them first, the user it linked wins.
func (p *Provider) link(ctx context.Context, links authgate.IdentityStore, store authgate.Store, c *claimSet, u authgate.User) (authgate.User, int, string, error) {
	err := links.LinkIdentity(ctx, c.Issuer, c.Subject, u.ID)
	switch {
	case err == nil:
		return u, 0, "", nil
	case errors.Is(err, authgate.ErrDuplicate):
		id, err := links.IdentityUser(ctx, c.Issuer, c.Subject)
		if err != nil {
			return authgate.User{}, 0, "", err
		}
		won, err := store.User(ctx, id)
		return won, 0, "", err
	}
	return authgate.User{}, 0, "", err
}

// admits reports whether the allow-lists let c in: a verified e-mail
// address in AllowedDomains, and a group in AllowedGroups, each when set.
func (p *Provider) admits(c *claimSet) bool {
	if len(p.cfg.AllowedDomains) > 0 {
		at := strings.LastIndexByte(c.Email, '@')
		// ASCII only: strings.ToLower folds some other letters into
		// ASCII ones (the Kelvin sign into k), which would admit a
		// domain that is not on the list.
		if !c.Verified || at < 0 || !isASCII(c.Email[at+1:]) || !slices.Contains(p.cfg.AllowedDomains, strings.ToLower(c.Email[at+1:])) {
			return false
		}
	}
	if len(p.cfg.AllowedGroups) > 0 && !slices.ContainsFunc(c.Groups, func(g string) bool { return slices.Contains(p.cfg.AllowedGroups, g) }) {
		return false
	}
	return true
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
