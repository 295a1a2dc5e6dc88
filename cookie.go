package authgate

import (
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Cookie names. The session cookie takes the __Host- prefix whenever it is
// Secure, so that a sibling subdomain cannot plant or shadow it.
const (
	sessionCookieSecure = "__Host-authgate"
	sessionCookiePlain  = "authgate"
	// CompanionCookie is the script-readable cookie that tells every tab the
	// session's deadlines: "<idle deadline unix>.<lifetime deadline unix>".
	// It holds no secret.
	CompanionCookie = "authgate_exp"
)

// secureCookies reports whether cookies for r get the Secure attribute and
// the __Host- prefix: always, unless Config.InsecureCookies is set and r is
// plain http (localhost included: WebKit keeps no Secure cookie there).
func (g *Gate) secureCookies(r *http.Request) bool {
	return !g.cfg.InsecureCookies || r.TLS != nil
}

func isLocalhost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	switch {
	case host == "127.0.0.1" || host == "::1" || host == "[::1]" || asciiEqualFold(host, "localhost"):
		return true
	case len(host) > len(".localhost") && asciiEqualFold(host[len(host)-len(".localhost"):], ".localhost"):
		return true // browsers treat *.localhost as a secure context too
	}
	return false
}

func (g *Gate) sessionCookieName(r *http.Request) string {
	if g.secureCookies(r) {
		return sessionCookieSecure
	}
	return sessionCookiePlain
}

// cookieValue returns the value of the first cookie called name in r,
// without the allocations of r.Cookie. Values in double quotes are unquoted.
// The scan is bounded by the server's header size limit
// (http.Server.MaxHeaderBytes).
func cookieValue(r *http.Request, name string) (string, bool) {
	v, ok, _, _ := cookieValues(r, name, "")
	return v, ok
}

// cookieValues finds the first cookies called a and b in one pass over the
// Cookie header, as cookieValue does for one name. The gate reads the
// session cookie and the companion cookie this way on every request.
func cookieValues(r *http.Request, a, b string) (va string, oka bool, vb string, okb bool) {
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = textproto.TrimString(part)
			k, v, _ := strings.Cut(part, "=")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			switch {
			case k == a && !oka:
				va, oka = v, true
			case k == b && b != "" && !okb:
				vb, okb = v, true
			default:
				continue
			}
			if oka && (okb || b == "") {
				return va, oka, vb, okb
			}
		}
	}
	return va, oka, vb, okb
}

// setSessionCookie sets the session cookie to token, or clears it when
// token is "". It is a browser-session cookie: the store, not the browser,
// decides when it ends.
func (g *Gate) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	secure := g.secureCookies(r)
	c := &http.Cookie{
		Name:     g.sessionCookieName(r),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// companionValue formats the companion cookie's value into buf.
func companionValue(buf []byte, idle, lifetime time.Time) []byte {
	buf = strconv.AppendInt(buf, idle.Unix(), 10)
	buf = append(buf, '.')
	return strconv.AppendInt(buf, lifetime.Unix(), 10)
}

// setCompanion sets the companion cookie for s unless have, the value the
// request carried, is already the current one, so that a steady session
// costs no Set-Cookie on most responses.
func (g *Gate) setCompanion(w http.ResponseWriter, r *http.Request, s *Session, have string) {
	var buf [48]byte
	v := companionValue(buf[:0], s.IdleDeadline(), s.Expires)
	if have == string(v) {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CompanionCookie,
		Value:    string(v),
		Path:     "/",
		Secure:   g.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (g *Gate) clearCompanion(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     CompanionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Secure:   g.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// ParseCompanion parses a [CompanionCookie] value into its idle and
// lifetime deadlines.
func ParseCompanion(v string) (idle, lifetime time.Time, ok bool) {
	a, b, _ := strings.Cut(v, ".")
	if !digits(a) || !digits(b) {
		return time.Time{}, time.Time{}, false
	}
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || x < 0 || y < 0 {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(x, 0), time.Unix(y, 0), true
}

// digits reports whether s is 1 to 12 ASCII digits.
func digits(s string) bool {
	if len(s) == 0 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
