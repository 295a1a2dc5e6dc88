// Package proxy puts an [authgate.Gate] in front of an app it does not link
// into: a reverse proxy for an app written in any language.
//
// A [Proxy] serves the gate's own endpoints (the login page, logout,
// keepalive and the client script), lets through to the upstream app only
// requests that are signed in (a session or an API key) or that ask for a
// public path, and answers everyone else as the gate does. The upstream
// learns who is calling from three request headers that no client can
// forge ([HeaderUser], [HeaderUserID], [HeaderMethod]); every header a
// client sends whose name starts with "x-authgate-" (with "_" read as "-")
// is removed first, on every path. HTML pages that a browser loads get the
// client script inserted while they stream, so the warning before the end,
// the sign-in dialog and the re-sending of calls work with no change to the
// app. Everything else (bodies, WebSocket upgrades, server-sent events)
// passes through as it comes. An upstream that is down gets 502 (see
// [ProblemBadGateway]), never a login signal.
//
// A team that already runs nginx, Caddy, Traefik or Envoy uses a
// [ForwardAuth] instead: the service such a proxy asks before every request
// (auth_request, forward_auth, ForwardAuth, ext_authz), which answers 200
// with the same identity headers or the gate's own answer to the original
// request. [WriteForwardConfig] writes each proxy's config for it.
//
// The commands "authgate proxy --upstream URL" and "authgate forward-auth"
// run them; docs/PROTOCOL.md in the repository, section 8, is the contract
// with the upstream and with the proxies.
package proxy
