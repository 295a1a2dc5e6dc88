// Package oidc lets users sign in to an [authgate.Gate] with an OpenID
// Connect provider (Keycloak, Okta, Entra ID, Google, GitLab, Dex, ...).
//
// Make a [Provider] with [New] and list it in [authgate.Config.Providers]:
//
//	sso, err := oidc.New(oidc.Config{
//		Name: "sso", Label: "Example SSO",
//		Issuer:   "https://sso.example.com",
//		ClientID: "authgate", ClientSecret: os.Getenv("SSO_CLIENT_SECRET"),
//		Key:      key, // 32 random bytes, the same on every instance
//	})
//	gate, err := authgate.New(authgate.Config{Store: store, Providers: []authgate.Provider{sso}})
//
// Register the gate at the provider as a confidential client whose redirect
// URI is the origin, the gate's prefix and "oidc/NAME/callback", such as
// https://app.example.com/.authgate/oidc/sso/callback. The origin is
// [Config.Origin]; without it, the request's scheme and Host header, which
// the client chooses: set it in production.
//
// The sign-in is the Authorization Code flow with PKCE (S256), state and
// nonce. They travel, with the page to come back to, in a short-lived
// HMAC-signed cookie, so a sign-in that starts on one instance of an app
// may finish on another. That cookie also holds the hash of a __Host- bind
// cookie, which only this host can set: a sibling subdomain, which can set
// the flow cookie, cannot plant a flow of its own (login CSRF). The ID token is verified by
// [github.com/coreos/go-oidc/v3/oidc] against the provider's keys, for this
// client, at the gate's time ([authgate.Config.Now]); with several
// audiences, azp must name this client. Issuer and subject must fit the
// stores (255 bytes); e-mail and name lose control characters and are
// bounded. Users are matched by
// issuer and subject through the store's [authgate.IdentityStore]; see
// [Config] for linking by e-mail, creating users and the allow-lists.
//
// The session that follows is an ordinary gate session: it lasts the
// gate's idle timeout and lifetime, whatever the ID token's expiry, and the
// provider is not asked again until the user signs in again.
//
// The provider is discovered on first use, not in New: a provider that is
// down when the app starts does not stop it, and a sign-in attempt while it
// is down gets 503 at the gate's own origin, never a redirect loop.
// Sign-ins that start during the discovery wait for it rather than fail.
// Each answer from the provider is read to at most 1 MiB. The
// discovery is kept once it succeeds; a provider that goes down later is
// found out at the first token call that gets no answer, after which
// sign-ins get 503 until [Config.RetryAfter] has passed and a new discovery
// succeeds. Until that call, a start still sends the browser to the
// provider, where the browser shows its own error.
package oidc
