package authgate

import (
	"net/http"
	"strings"
)

// Kind is who is calling, as far as the gate can tell from the request's
// headers. Each kind gets its own answer when it needs a login.
type Kind uint8

// The three kinds of caller.
const (
	// KindNavigation is a browser loading a page. It is sent to the login
	// page with a 303 and comes back after signing in.
	KindNavigation Kind = iota + 1
	// KindScript is a call made by a page's script: fetch, XHR, jQuery,
	// axios or htmx. It gets the login-required signal.
	KindScript
	// KindMachine is any other client. It gets a 401 with a Basic challenge.
	KindMachine
)

// String returns "navigation", "script" or "machine".
func (k Kind) String() string {
	switch k {
	case KindNavigation:
		return "navigation"
	case KindScript:
		return "script"
	case KindMachine:
		return "machine"
	}
	return "unknown"
}

// Classify tells what kind of caller made r, as the gate answers it in
// [Gate.Require]. An app that answers a caller itself (for example behind
// [Gate.Identify]) uses it to answer the same way. The rules are tried in
// order and the first that matches wins:
//
//  1. Sec-Fetch-Mode: navigate is [KindNavigation];
//  2. HX-Request: true is [KindScript];
//  3. X-Requested-With: XMLHttpRequest is [KindScript];
//  4. any other Sec-Fetch-Mode (cors, same-origin, no-cors, …) is [KindScript];
//  5. no Fetch Metadata, and an Accept that lists text/html, is [KindNavigation];
//  6. a User-Agent that starts with "Mozilla/" is [KindScript];
//  7. anything else is [KindMachine].
//
// Rule 6 catches script calls from old browsers and from browsers on plain
// http hosts other than localhost, which send no Fetch Metadata.
// [Config.NoUserAgentRule] turns it off, so that such a request falls
// through to [KindMachine]. Classify does not allocate.
func (g *Gate) Classify(r *http.Request) Kind {
	return classify(r.Header, !g.cfg.NoUserAgentRule)
}

func classify(h http.Header, userAgentRule bool) Kind {
	mode := headerValue(h, "Sec-Fetch-Mode")
	if mode == "navigate" {
		return KindNavigation
	}
	if headerValue(h, "Hx-Request") == "true" {
		return KindScript
	}
	if asciiEqualFold(headerValue(h, "X-Requested-With"), "XMLHttpRequest") {
		return KindScript
	}
	if mode != "" {
		return KindScript
	}
	if listAccepts(h["Accept"], "text/html") {
		return KindNavigation
	}
	if ua := headerValue(h, "User-Agent"); userAgentRule && strings.HasPrefix(ua, "Mozilla/") {
		return KindScript
	}
	return KindMachine
}
