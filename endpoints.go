package authgate

import (
	"net/http"
	"path"
	"strings"
)

// ownEndpoint reports whether r asks for exactly one of the gate's own
// endpoints: LoginPath, LogoutPath, the keepalive, Prefix+"session", the
// client script (at ScriptURL or Prefix+"client.js") or a provider's start
// and callback. Require and Identify hand such requests to the gate
// itself, so that a router whose every route is wrapped (chi's or
// gorilla/mux's r.Use(gate.Require)) still serves the login page.
//
// Only the exact path counts, as sent: not a path under Prefix, not one
// spelled with escapes (/log%69n), and not one a router would still clean
// (/.authgate/../admin, /login/.), so nothing else gets past the gate this
// way. And the gate serves these itself: next never runs for them.
func (g *Gate) ownEndpoint(r *http.Request) bool {
	p := r.URL.Path
	if r.URL.RawPath != "" {
		return false
	}
	switch {
	case p == g.cfg.LoginPath, p == g.cfg.LogoutPath, p == g.keepPath, p == g.scriptPath:
	case strings.HasPrefix(p, g.cfg.Prefix) && (p[len(g.cfg.Prefix):] == "client.js" || p[len(g.cfg.Prefix):] == "session"):
	default:
		if _, _, ok := g.providerEndpoint(p); ok {
			break
		}
		return false
	}
	c := path.Clean(p)
	return c == p || c+"/" == p // a configured path may end in a slash
}
