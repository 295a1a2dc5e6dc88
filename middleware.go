package authgate

import (
	"context"
	"net/http"
)

// Require returns a handler that lets only signed-in requests reach next.
// Anyone else gets the answer for their kind (see [Gate.Classify] and [Signal]), and
// next does not run. A cross-origin write from a signed-in browser is refused
// with 403 after authentication, so an expired session gets the login signal,
// never a cross-origin error. A store failure gets 503 with Retry-After.
//
// Require has the shape of a middleware for net/http's ServeMux, chi and
// gorilla/mux: func(http.Handler) http.Handler. It serves the gate's own
// endpoints itself (exactly LoginPath, LogoutPath, the keepalive, the
// session endpoint and the client script; see [Gate.ServeHTTP]), so it may wrap a whole router,
// as in chi's or gorilla/mux's r.Use(gate.Require), and the login page stays
// reachable.
func (g *Gate) Require(next http.Handler) http.Handler {
	return g.guard(next, func(w http.ResponseWriter, r *http.Request, res *authResult) {
		if res.err != nil {
			g.unavailable(w, r, res.err)
			return
		}
		g.deny(w, r, g.Classify(r), res.reason)
	})
}

// Identify returns a handler that finds out who is signed in, if anyone,
// and always calls next. Signed-in requests carry an [Identity] in their
// context; others carry none. Cross-origin writes that carry credentials are
// refused as in [Gate.Require]; a store failure lets the request through
// unidentified. Like Require, it serves the gate's own endpoints itself.
func (g *Gate) Identify(next http.Handler) http.Handler {
	return g.guard(next, func(w http.ResponseWriter, r *http.Request, res *authResult) {
		if res.err != nil {
			g.log.LogAttrs(r.Context(), errorLevel, "authgate: store unavailable; serving unidentified", errAttr(res.err), pathAttr(r))
		}
		next.ServeHTTP(w, r)
	})
}

// guard is the middleware [Gate.Require] and [Gate.Identify] share: it
// serves the gate's own endpoints, authenticates the request, answers 429
// when the caller must wait and 403 to a signed-in cross-origin write, and
// serves a signed-in request with next. A request that failed to
// authenticate (a store error in res.err, or no valid credentials) goes to
// failed.
func (g *Gate) guard(next http.Handler, failed func(w http.ResponseWriter, r *http.Request, res *authResult)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.ownEndpoint(r) {
			g.ServeHTTP(w, r)
			return
		}
		var res authResult
		g.authenticate(r.Context(), r, &res)
		switch {
		case res.err != nil:
			failed(w, r, &res)
		case res.retry > 0:
			tooMany(w, res.retry)
		case !res.ok:
			failed(w, r, &res)
		case g.cfg.CrossOrigin.Check(r) != nil:
			crossOrigin(w)
		default:
			g.serve(w, r, next, &res)
		}
	})
}

// serve runs next for an authenticated request.
func (g *Gate) serve(w http.ResponseWriter, r *http.Request, next http.Handler, res *authResult) {
	if res.id.Method == MethodSession {
		g.setCompanion(w, r, &res.session, res.companion)
	}
	ctx := &identityContext{Context: r.Context(), id: res.id}
	next.ServeHTTP(w, r.WithContext(ctx))
}

// authenticate fills res from r's credentials: an API key in an
// Authorization: Basic header, else the session cookie (other
// Authorization schemes are left to the app). Any identity a
// client sent in its own headers is ignored: only this can set one.
func (g *Gate) authenticate(ctx context.Context, r *http.Request, res *authResult) {
	now := g.cfg.Now()
	if authz := headerValue(r.Header, "Authorization"); len(authz) > 6 && asciiEqualFold(authz[:6], "basic ") {
		g.keyAuth(ctx, r, authz, now, res)
		return
	}
	g.sessionAuth(ctx, r, now, res)
}
