package authgate

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Reason says why a request is not signed in. [Gate.Require] sends it in
// the Authgate-Login header and the problem body.
type Reason string

// The reasons a request needs a login.
const (
	ReasonNone    Reason = "none"    // no credentials
	ReasonExpired Reason = "expired" // idle timeout or lifetime passed
	ReasonRevoked Reason = "revoked" // signed out elsewhere, or by an admin
	ReasonInvalid Reason = "invalid" // a bad API key or password
)

// Signal is what a script call gets when it needs a login, in the form
// [ParseSignal] reads: "401", "418" or "body:TEXT". The zero value means
// [Signal401].
//
// Every mode sends the headers Authgate-Login (the reason), Location (the
// login URL), HX-Redirect (to htmx requests) and Cache-Control: no-store, and
// never WWW-Authenticate, so the browser raises no password dialog.
type Signal string

const (
	// Signal401 answers 401 with a problem+json body of type
	// [ProblemLoginRequired]. It is the default.
	Signal401 Signal = "401"
	// Signal418 answers 418 with the same headers and body, for pages whose
	// code already handles 418 (as in "$.ajaxSetup({statusCode: {418: ...}})").
	Signal418 Signal = "418"
)

const sentinelPrefix = "body:"

// SignalBody answers 200 with exactly text as a text/plain body, for pages
// that compare the response text with a sentinel such as
// "MASONITE_LOGIN_REQUIRED". The text must be 1 to 200 printable ASCII
// characters; [New] and [ParseSignal] check it.
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
