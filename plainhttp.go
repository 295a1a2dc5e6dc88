package authgate

import (
	"log/slog"
	"net/http"
	"net/textproto"
	"strings"
)

// plainHTTPWarning is what the login page says when sign-in cannot stick.
const plainHTTPWarning = "Signing in cannot work on this page: it was opened over plain http by a name other than localhost, " +
	"and your browser does not keep the sign-in cookie on such a page, so you would land here again. " +
	"Open the site over https. On a private network, the server may instead be started with insecure cookies " +
	"(Config.InsecureCookies; the authgate command's --insecure-cookies)."

// plainHTTPByName reports whether the browser reached r over plain http by
// a name other than localhost while the gate sets Secure __Host- cookies:
// the browser then drops the session cookie and every sign-in lands on the
// login page again.
//
// A TLS-terminating proxy in front is recognised by what it or the browser
// says: X-Forwarded-Proto or Forwarded naming https, an https Origin or
// Referer, or any Fetch Metadata header, which browsers send only to
// secure origins (https and localhost).
func (g *Gate) plainHTTPByName(r *http.Request) bool {
	if r.TLS != nil || !g.secureCookies(r) || isLocalhost(r.Host) {
		return false
	}
	h := r.Header
	if headerValue(h, "Sec-Fetch-Site") != "" || headerValue(h, "Sec-Fetch-Mode") != "" {
		return false
	}
	if strings.HasPrefix(headerValue(h, "Origin"), "https://") || strings.HasPrefix(headerValue(h, "Referer"), "https://") {
		return false
	}
	proto, _, _ := strings.Cut(headerValue(h, "X-Forwarded-Proto"), ",")
	if asciiEqualFold(textproto.TrimString(proto), "https") {
		return false
	}
	for _, f := range h["Forwarded"] {
		if strings.Contains(strings.ToLower(f), "proto=https") {
			return false
		}
	}
	return true
}

// plainHTTPNotice returns the login page's warning for r, or "", and logs
// the problem once per Gate, the first time a page shows it.
func (g *Gate) plainHTTPNotice(r *http.Request) string {
	if !g.plainHTTPByName(r) {
		return ""
	}
	g.plainHTTPLogged.Do(func() {
		g.log.LogAttrs(r.Context(), warnLevel,
			"authgate: a browser reached the login page over plain http by a name other than localhost; "+
				"it drops the Secure session cookie, so sign-in cannot stick. Serve the site over https, "+
				"or set Config.InsecureCookies (--insecure-cookies) on a private network",
			hostAttr(r))
	})
	return plainHTTPWarning
}

func hostAttr(r *http.Request) slog.Attr { return slog.String("host", truncate(r.Host, 256)) }
