// Command oidcprovider is the OpenID provider that authgate's tests sign in
// with: a real OpenID Connect server, built on the OP library of
// github.com/zitadel/oidc (package op), with a fixed configuration held in
// memory. It is a test tool: nothing it holds survives a restart.
//
//	oidcprovider -addr 127.0.0.1:0 -redirect 'http://127.0.0.1:*/**'
//
// Once it listens it prints its issuer URL (http://HOST:PORT) as the first
// line of its standard output; discovery is served at
// ISSUER/.well-known/openid-configuration. Stopping the process is how a test
// makes the provider "down".
//
// What it serves:
//
//   - two confidential clients, "authgate" and "other" (authorization code
//     flow, PKCE S256 accepted, client secret by HTTP Basic or in the form),
//     whose secrets come from the environment: OIDCPROVIDER_SECRET_AUTHGATE
//     and OIDCPROVIDER_SECRET_OTHER, or the same names ending in _FILE naming
//     a file that holds the secret. Both accept the redirect URIs given by
//     -redirect, which may be glob patterns (for instance any port on
//     127.0.0.1);
//   - four users (see users.go): alice@example.com and bob@example.com with
//     verified emails, carol@elsewhere.test (verified, in another domain) and
//     dave@example.com, whose email is not verified; every ID token and
//     userinfo answer carries the user's "groups" claim;
//   - a sign-in page with a password form at /login, which keeps a browser
//     session in a cookie: a later authorization request from the same
//     browser is answered without the form (unless it asks prompt=login),
//     and prompt=none is answered with login_required when there is none.
//     GET /logout ends the browser's session;
//   - ID tokens that live for -id-token-lifetime (short by default, so a test
//     can move a clock past them), for the client that asked (aud and azp);
//     the scope "audience:ID", ID being the other client, adds it to aud, so
//     a test can have a token with several audiences.
package main
