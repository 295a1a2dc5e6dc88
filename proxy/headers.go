package proxy

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strings"

	"github.com/authgate/authgate"
)

// The request headers the upstream receives on every signed-in request.
// A client's own copies never reach it: see [Proxy.ServeHTTP].
const (
	// HeaderUser is the signed-in user's login.
	HeaderUser = "X-Authgate-User"
	// HeaderUserID is the user's stable id.
	HeaderUserID = "X-Authgate-User-Id"
	// HeaderMethod is how the request proved who it is: exactly
	// [MethodSession] or [MethodKey].
	HeaderMethod = "X-Authgate-Method"
)

// The values of [HeaderMethod].
const (
	MethodSession = "session" // a browser session cookie
	MethodKey     = "key"     // an API key over HTTP Basic
)

// The values of [HeaderMethod] as header values, shared by every request:
// nothing writes into a header's values in place.
var (
	methodSession = []string{MethodSession}
	methodKey     = []string{MethodKey}
)

// spoofPrefix is the start of every header name the gate owns, lower-cased
// with "_" read as "-".
const spoofPrefix = "x-authgate-"

// stripSpoofed removes every header whose name, lower-cased with "_" read
// as "-", starts with "x-authgate-": some app servers (WSGI, CGI, PHP)
// merge X-Authgate_User into the same variable as X-Authgate-User.
func stripSpoofed(h http.Header) {
	for k := range h {
		if isGateHeader(k) {
			delete(h, k)
		}
	}
}

func isGateHeader(name string) bool {
	if len(name) < len(spoofPrefix) {
		return false
	}
	for i := 0; i < len(spoofPrefix); i++ {
		c := name[i]
		switch {
		case c == '_':
			c = '-'
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if c != spoofPrefix[i] {
			return false
		}
	}
	return true
}

// gateCookies are the cookies the gate sets; none reaches the upstream.
var gateCookies = []string{"__Host-authgate", "authgate", authgate.CompanionCookie}

// stripGateCookies removes the gate's cookies from h's Cookie lines and
// keeps every other cookie as the client wrote it.
func stripGateCookies(h http.Header) {
	lines := h["Cookie"]
	if len(lines) == 0 {
		return
	}
	var kept []string
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			c := strings.TrimSpace(part)
			if c == "" {
				continue
			}
			name, _, _ := strings.Cut(c, "=")
			if isGateCookie(strings.TrimSpace(name)) {
				continue
			}
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		delete(h, "Cookie")
		return
	}
	h["Cookie"] = []string{strings.Join(kept, "; ")}
}

func isGateCookie(name string) bool {
	for _, g := range gateCookies {
		if name == g {
			return true
		}
	}
	return false
}

// rewrite builds the upstream request: the upstream's address, the
// forwarding headers, the identity headers, and no credential of the gate's.
func (p *Proxy) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(p.opts.Upstream)
	pr.Out.Host = pr.In.Host // as oauth2-proxy and nginx's usual setup: the app sees the name the browser used
	p.setForwarded(pr)
	stripGateCookies(pr.Out.Header)
	if id, ok := authgate.FromContext(pr.In.Context()); ok {
		h := pr.Out.Header
		if e := p.logins.entry(pr.In.Context(), id.UserID); e != nil && e.vals[1] != "" {
			h[HeaderUserID] = e.id()
			h[HeaderUser] = e.login()
		} else {
			h[HeaderUserID] = []string{id.UserID}
		}
		if id.Method == authgate.MethodAPIKey {
			h[HeaderMethod] = methodKey[:1:1]
			delete(h, "Authorization") // the key's secret stays with the gate
		} else {
			h[HeaderMethod] = methodSession[:1:1]
		}
	}
	if p.wantsScript(pr.In) {
		// Pages come unencoded, so that the script tag can go in as they
		// stream; a gzip page is decoded anyway (see modifyResponse).
		pr.Out.Header.Set("Accept-Encoding", "identity")
	}
}

// setForwarded sets X-Forwarded-For, -Host and -Proto. A trusted proxy's
// values are kept and the client address appended; anyone else's are
// replaced, and their Forwarded header removed.
func (p *Proxy) setForwarded(pr *httputil.ProxyRequest) {
	if !p.fromTrusted(pr.In) {
		pr.SetXForwarded() // the client's Forwarded is gone already
		return
	}
	in := pr.In.Header
	if fwd := in["Forwarded"]; len(fwd) > 0 {
		pr.Out.Header["Forwarded"] = fwd
	}
	if prior := in["X-Forwarded-For"]; len(prior) > 0 {
		pr.Out.Header["X-Forwarded-For"] = prior
	}
	pr.SetXForwarded()
	if v := in.Get("X-Forwarded-Host"); v != "" {
		pr.Out.Header.Set("X-Forwarded-Host", v)
	}
	if v := in.Get("X-Forwarded-Proto"); v != "" {
		pr.Out.Header.Set("X-Forwarded-Proto", v)
	}
}

func (p *Proxy) fromTrusted(r *http.Request) bool {
	return len(p.trusted) > 0 && isTrusted(p.trusted, remoteIP(r.RemoteAddr))
}

func remoteIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, t := range trusted {
		if t.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns a function for [authgate.Config.ClientAddr] that finds
// the client's address behind the trusted proxies: the right-most address
// in X-Forwarded-For that is not one of them, when the request came from
// one; else the request's own peer address.
func ClientAddr(trusted []netip.Prefix) func(r *http.Request) string {
	return func(r *http.Request) string {
		peer := remoteIP(r.RemoteAddr)
		if !isTrusted(trusted, peer) {
			if peer.IsValid() {
				return peer.String()
			}
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			return host
		}
		vals := r.Header["X-Forwarded-For"]
		for i := len(vals) - 1; i >= 0; i-- {
			hops := strings.Split(vals[i], ",")
			for j := len(hops) - 1; j >= 0; j-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
				if err != nil {
					return peer.String() // a garbled list: trust only what we saw
				}
				if a = a.Unmap(); !isTrusted(trusted, a) {
					return a.String()
				}
			}
		}
		return peer.String()
	}
}
