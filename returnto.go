package authgate

import (
	"net/http"
	"net/url"
	"strings"
)

// maxReturnTo bounds the length of a return_to path. Longer ones fall back.
const maxReturnTo = 2048

// SafeReturnTo returns p if it is a path on this origin that is safe to
// send a browser to after sign-in, and "" otherwise. A safe path starts with
// a single "/", holds only printable ASCII without backslashes, has no
// scheme, host or user info, and does not turn into anything else when
// percent-decoded once or twice (so "/%2F%2Fevil.example" and
// "/%5Cevil.example" are refused too). The fragment is dropped.
func SafeReturnTo(p string) string {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if !safePath(p) {
		return ""
	}
	// A browser or a later hop that decodes the path must not find a
	// scheme-relative or backslash form inside it either.
	d := p
	for range 2 {
		next, err := url.PathUnescape(d)
		if err != nil {
			return ""
		}
		if next == d {
			break
		}
		if !safePath(next) {
			return ""
		}
		d = next
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return p
}

func safePath(p string) bool {
	if len(p) == 0 || len(p) > maxReturnTo || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < 0x21 || c > 0x7e || c == '\\' {
			return false
		}
	}
	return true
}

// requestReturnTo is where a navigation should come back to: the request's
// own path and query for GET and HEAD, else the same-origin Referer (a form
// post cannot be replayed by a redirect).
func requestReturnTo(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return SafeReturnTo(r.URL.RequestURI())
	}
	return sameOriginPath(r, first(r.Header, "Referer"))
}

// scriptReturnTo is the page a script call was made from: HX-Current-URL or
// the same-origin Referer.
func scriptReturnTo(r *http.Request) string {
	if p := sameOriginPath(r, first(r.Header, "Hx-Current-Url")); p != "" {
		return p
	}
	return sameOriginPath(r, first(r.Header, "Referer"))
}

// sameOriginPath returns the safe path and query of an absolute URL on the
// request's host, or "".
func sameOriginPath(r *http.Request, raw string) string {
	if raw == "" || len(raw) > 2*maxReturnTo {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !strings.EqualFold(u.Host, r.Host) {
		return ""
	}
	return SafeReturnTo(u.RequestURI())
}
