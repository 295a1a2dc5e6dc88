package authgate

import "net/http"

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

// Classify tells what kind of caller made r. The rules are tried in order
// and the first that matches wins:
//
//  1. Sec-Fetch-Mode: navigate                                  Navigation
//  2. HX-Request: true                                          Script
//  3. X-Requested-With: XMLHttpRequest                          Script
//  4. any other Sec-Fetch-Mode (cors, same-origin, no-cors, …)  Script
//  5. no Fetch Metadata, and Accept lists text/html             Navigation
//  6. User-Agent starts with "Mozilla/"                         Script
//  7. anything else                                             Machine
//
// Rule 6 catches script calls from old browsers and from browsers on plain
// http hosts other than localhost, which send no Fetch Metadata. Pass
// userAgentRule false to turn it off, so that such a request falls through
// to Machine. Classify does not allocate.
func Classify(r *http.Request, userAgentRule bool) Kind {
	return classify(r.Header, userAgentRule)
}

func classify(h http.Header, userAgentRule bool) Kind {
	mode := first(h, "Sec-Fetch-Mode")
	if mode == "navigate" {
		return KindNavigation
	}
	if first(h, "Hx-Request") == "true" {
		return KindScript
	}
	if equalFold(first(h, "X-Requested-With"), "XMLHttpRequest") {
		return KindScript
	}
	if mode != "" {
		return KindScript
	}
	if acceptsHTML(h["Accept"]) {
		return KindNavigation
	}
	if ua := first(h, "User-Agent"); userAgentRule && len(ua) >= 8 && ua[:8] == "Mozilla/" {
		return KindScript
	}
	return KindMachine
}

// first returns the first value of a header whose name is already in
// canonical form, without the allocation of http.Header.Get.
func first(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// acceptsHTML reports whether any Accept value lists text/html with a
// quality above zero.
func acceptsHTML(values []string) bool {
	for _, v := range values {
		for v != "" {
			var item string
			item, v = cut(v, ',')
			typ, params := cut(item, ';')
			if !equalFold(trimSpace(typ), "text/html") {
				continue
			}
			if !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

// zeroQuality reports whether media-type parameters hold q=0 (also 0.0,
// 0.00, 0.000), which means "not acceptable".
func zeroQuality(params string) bool {
	for params != "" {
		var p string
		p, params = cut(params, ';')
		name, value := cut(p, '=')
		if !equalFold(trimSpace(name), "q") {
			continue
		}
		value = trimSpace(value)
		if value == "" || value[0] != '0' {
			return false
		}
		for i := 1; i < len(value); i++ {
			if c := value[i]; c != '0' && c != '.' {
				return false
			}
		}
		return true
	}
	return false
}

func cut(s string, sep byte) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalFold is ASCII case-insensitive equality.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
