package authgate

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Problem types, sent as the "type" member of problem+json bodies
// (RFC 9457). A 405 answer has the type "about:blank": it means nothing
// beyond its status.
const (
	// ProblemLoginRequired is the type of a login-required answer (see
	// [Signal] and [Reason]).
	ProblemLoginRequired = "urn:authgate:login-required"
	// ProblemUnavailable answers a request the gate cannot decide because
	// its [Store] failed: 503 with Retry-After.
	ProblemUnavailable = "urn:authgate:unavailable"
	// ProblemTooMany answers a client whose sign-ins or API key attempts
	// failed too often (see [ThrottleConfig]): 429 with Retry-After.
	ProblemTooMany = "urn:authgate:too-many-attempts"
	// ProblemBusy answers a sign-in that found every password hash busy
	// and no room to wait for one (see [HashLimitConfig]): 503 with
	// Retry-After.
	ProblemBusy = "urn:authgate:busy"
	// ProblemCrossOrigin answers a cross-origin write refused after
	// authentication (see [Config.CrossOrigin]): 403.
	ProblemCrossOrigin = "urn:authgate:cross-origin"
	// ProblemBadRequest answers a request to the gate's own endpoints that
	// cannot be parsed or is too large: 400 or 413.
	ProblemBadRequest = "urn:authgate:bad-request"
	// ProblemInvalidCredentials answers a refused sign-in sent as JSON: 401.
	ProblemInvalidCredentials = "urn:authgate:invalid-credentials"
	// ProblemNoPassword answers a password sign-in when
	// [Config.NoPasswordSignIn] is set: 403.
	ProblemNoPassword = "urn:authgate:no-password-sign-in"
)

// loginURL returns the login page's URL with return_to when there is one.
func (g *Gate) loginURL(returnTo string) string {
	if returnTo == "" {
		return g.cfg.LoginPath
	}
	return g.cfg.LoginPath + "?return_to=" + url.QueryEscape(returnTo)
}

// deny answers a request that needs a login, in the way its kind
// understands. The protected handler does not run.
func (g *Gate) deny(w http.ResponseWriter, r *http.Request, kind Kind, reason Reason) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	switch kind {
	case KindNavigation:
		h.Set("Location", g.loginURL(requestReturnTo(r)))
		w.WriteHeader(http.StatusSeeOther)
	case KindScript:
		login := g.loginURL(scriptReturnTo(r))
		h.Set("Authgate-Login", string(reason))
		h.Set("Location", login)
		if headerValue(r.Header, "Hx-Request") == "true" {
			h.Set("Hx-Redirect", login)
		}
		sig := g.cfg.Signal
		if text := sig.sentinel(); text != "" {
			h.Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(sig.Status())
			_, _ = io.WriteString(w, text)
			return
		}
		writeProblem(w, sig.Status(), ProblemLoginRequired, "Login required", reason, login)
	default:
		h.Set("Www-Authenticate", `Basic realm="`+g.cfg.Realm+`", charset="UTF-8"`)
		writeProblem(w, http.StatusUnauthorized, ProblemLoginRequired, "Login required", reason, g.loginURL(""))
	}
}

// unavailable answers when the store fails: never a login signal, never a
// 500, so an outage does not sign everybody out.
func (g *Gate) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	g.log.LogAttrs(r.Context(), errorLevel, "authgate: store unavailable", errAttr(err))
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", "5")
	writeProblem(w, http.StatusServiceUnavailable, ProblemUnavailable, "Service unavailable", "", "")
}

// tooMany answers a client that failed too often.
func tooMany(w http.ResponseWriter, retryAfter int) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", strconv.Itoa(retryAfter))
	writeProblem(w, http.StatusTooManyRequests, ProblemTooMany, "Too many attempts", "", "")
}

// busy answers a sign-in that found no hash free and no room to wait: 503,
// never a login signal.
func busy(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", "1")
	writeProblem(w, http.StatusServiceUnavailable, ProblemBusy, "Too many sign-ins at once", "", "")
}

// crossOrigin answers a cross-origin write refused after authentication.
func crossOrigin(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	writeProblem(w, http.StatusForbidden, ProblemCrossOrigin, "Cross-origin request refused", "", "")
}

// badRequest answers input that cannot be parsed or is too large.
func badRequest(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Cache-Control", "no-store")
	writeProblem(w, status, ProblemBadRequest, title, "", "")
}

// methodNotAllowed answers a method the endpoint does not take, listing the
// ones it does in Allow.
func methodNotAllowed(w http.ResponseWriter, allow string) {
	h := w.Header()
	h.Set("Allow", allow)
	h.Set("Cache-Control", "no-store")
	writeProblem(w, http.StatusMethodNotAllowed, "about:blank", "Method Not Allowed", "", "")
}

// writeProblem writes a problem+json body. Every string in it is either a
// constant or a login URL built from a safe path, and is escaped anyway.
func writeProblem(w http.ResponseWriter, status int, typ, title string, reason Reason, login string) {
	b := make([]byte, 0, 192)
	b = append(b, `{"type":`...)
	b = appendJSONString(b, typ)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	if reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, string(reason))
	}
	if login != "" {
		b = append(b, `,"login_url":`...)
		b = appendJSONString(b, login)
	}
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// appendJSONString appends s as a JSON string, escaping quotes, backslashes,
// control characters and the HTML-significant <, > and &.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
