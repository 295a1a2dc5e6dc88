package authgate

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Reason says why a request is not signed in. It is sent in the
// Authgate-Login header and the problem body.
type Reason string

// The reasons a request needs a login.
const (
	ReasonNone    Reason = "none"    // no credentials
	ReasonExpired Reason = "expired" // idle timeout or lifetime passed
	ReasonRevoked Reason = "revoked" // signed out elsewhere, or by an admin
	ReasonInvalid Reason = "invalid" // a bad API key or password
)

// Signal is what a script call gets when it needs a login, in the form
// ParseSignal reads: "401", "418" or "body:TEXT". The zero value means
// Signal401.
//
// Every mode sends the headers Authgate-Login (the reason), Location (the
// login URL), HX-Redirect (to htmx requests) and Cache-Control: no-store, and
// never WWW-Authenticate, so the browser raises no password dialog.
type Signal string

const (
	// Signal401 answers 401 with a problem+json body of type
	// urn:authgate:login-required. It is the default.
	Signal401 Signal = "401"
	// Signal418 answers 418 with the same headers and body, for pages whose
	// code already handles 418 (as in "$.ajaxSetup({statusCode: {418: ...}})").
	Signal418 Signal = "418"
)

const sentinelPrefix = "body:"

// SignalBody answers 200 with exactly text as a text/plain body, for pages
// that compare the response text with a sentinel such as
// "MASONITE_LOGIN_REQUIRED". The text must be 1 to 200 printable ASCII
// characters; New and ParseSignal check it.
func SignalBody(text string) Signal { return Signal(sentinelPrefix + text) }

// ParseSignal parses "401", "418" or "body:TEXT" and checks it.
func ParseSignal(s string) (Signal, error) {
	sig := Signal(s)
	if err := sig.check(); err != nil {
		return "", err
	}
	return sig, nil
}

// Status returns the HTTP status the signal is sent with.
func (s Signal) Status() int {
	switch {
	case s == Signal418:
		return http.StatusTeapot
	case strings.HasPrefix(string(s), sentinelPrefix):
		return http.StatusOK
	}
	return http.StatusUnauthorized
}

// sentinel returns the fixed body of the sentinel mode, or "".
func (s Signal) sentinel() string {
	t, _ := strings.CutPrefix(string(s), sentinelPrefix)
	if t == string(s) {
		return ""
	}
	return t
}

func (s Signal) check() error {
	switch {
	case s == "" || s == Signal401 || s == Signal418:
		return nil
	case strings.HasPrefix(string(s), sentinelPrefix):
		t := s.sentinel()
		if len(t) == 0 || len(t) > 200 {
			return errors.New("authgate: a sentinel body is 1 to 200 characters")
		}
		for i := 0; i < len(t); i++ {
			if c := t[i]; c < 0x20 || c > 0x7e {
				return errors.New("authgate: a sentinel body is printable ASCII")
			}
		}
		return nil
	}
	return fmt.Errorf("authgate: signal %q is not 401, 418 or body:TEXT", string(s))
}

// Problem types, sent in problem+json bodies (RFC 9457).
const (
	ProblemLoginRequired = "urn:authgate:login-required"
	ProblemUnavailable   = "urn:authgate:unavailable"
	ProblemTooMany       = "urn:authgate:too-many-attempts"
	ProblemCrossOrigin   = "urn:authgate:cross-origin"
	ProblemBadRequest    = "urn:authgate:bad-request"
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
		if first(r.Header, "Hx-Request") == "true" {
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
