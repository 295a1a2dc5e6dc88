package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// clientIDs are the provider's two confidential clients: the one authgate
// is configured with, and a second one whose codes and tokens authgate must
// refuse.
var clientIDs = []string{"authgate", "other"}

// groupsScope may be asked for; the groups claim is sent whether or not it is.
const groupsScope = "groups"

// audienceScope, followed by the id of another of the provider's clients,
// adds that client to the ID token's audience, as providers that issue
// tokens for several parties do; azp stays the client that asked.
const audienceScope = "audience:"

// extraAudience returns the client id an audience scope names, if it is
// one of the provider's clients.
func extraAudience(scope string) (string, bool) {
	id, ok := strings.CutPrefix(scope, audienceScope)
	return id, ok && slices.Contains(clientIDs, id)
}

// client is a confidential web client of the authorization code flow. It
// implements [op.HasRedirectGlobs], so its redirect URIs may be patterns.
type client struct {
	id              string
	secret          string
	redirects       []string
	idTokenLifetime time.Duration
}

var _ op.HasRedirectGlobs = (*client)(nil)

func (c *client) GetID() string                        { return c.id }
func (c *client) RedirectURIs() []string               { return c.redirects }
func (c *client) RedirectURIGlobs() []string           { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string     { return c.redirects }
func (c *client) PostLogoutRedirectURIGlobs() []string { return c.redirects }
func (c *client) ApplicationType() op.ApplicationType  { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod          { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return loginPath + "?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return c.idTokenLifetime }
func (c *client) DevMode() bool                       { return false }
func (c *client) IsScopeAllowed(scope string) bool {
	_, aud := extraAudience(scope)
	return scope == groupsScope || aud
}
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(scopes []string) []string { return scopes }
}

// secretEnv is the environment variable that holds the secret of the
// client id; the same name ending in _FILE names a file that holds it.
func secretEnv(id string) string { return "OIDCPROVIDER_SECRET_" + strings.ToUpper(id) }

// clientSecret reads the secret of the client id from the environment
// (getenv), directly or from the file the _FILE variable names.
func clientSecret(id string, getenv func(string) string) (string, error) {
	name := secretEnv(id)
	secret := getenv(name)
	if file := getenv(name + "_FILE"); file != "" {
		if secret != "" {
			return "", fmt.Errorf("both %s and %s_FILE are set", name, name)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading %s_FILE: %w", name, err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
	}
	if secret == "" {
		return "", errors.New("no secret for client " + id + ": set " + name + " or " + name + "_FILE")
	}
	return secret, nil
}
