package authgate

import (
	"net/http"
	"net/url"
	"strings"
)

// maxReturnTo bounds the length of a return_to path. Longer ones fall back.
const maxReturnTo = 2048

// SafeReturnTo returns p if it is a path on this origin that is safe to
// send a browser to after sign-in, and "" otherwise.
//
// A safe path starts with a single "/", holds only printable ASCII without
// backslashes (anything else must be percent-encoded, as browsers send it),
// and has no scheme, host or user info. Its percent-decoded forms (once and
// twice) must not start with "//" or "/\" nor hold a backslash or a control
// character, so that no later hop that decodes the path finds another
// origin in it; encoded spaces and non-ASCII text are fine. The fragment is
// dropped.
func SafeReturnTo(p string) string {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if !safeRawPath(p) {
		return ""
	}
	d := p
	for range 2 {
		next, err := url.PathUnescape(d)
		if err != nil || next == d {
			break // nothing more to decode
		}
		if !safeDecodedPath(next) {
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

func safeRawPath(p string) bool {
	if len(p) == 0 || len(p) > maxReturnTo || !safeStart(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '\\' {
			return false
		}
	}
	return true
}

// safeDecodedPath checks a decoded form: it may hold spaces and UTF-8 text,
// but nothing that could make a browser or a proxy leave this origin.
func safeDecodedPath(p string) bool {
	if !safeStart(p) {
		return false
	}
	for _, c := range p {
		switch {
		case c < 0x20 || c == 0x7f || c == '\\':
			return false
		case c == '\uff0f' || c == '\uff3c' || c == '\u2215' || c == '\u2044' || c == '\u29f8':
			return false // slash and backslash look-alikes that some software folds
		}
	}
	return true
}

// safeStart reports whether p starts with a single slash and holds no dot
// segments in its path: "/.//host" would resolve to "//host", which an app
// that redirects to its own path later could send off-site.
func safeStart(p string) bool {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return false
	}
	path, _, _ := strings.Cut(p, "?")
	for seg := path[1:]; ; {
		var s string
		s, seg = cutAny(seg)
		if s == "." || s == ".." {
			return false
		}
		if seg == "" {
			return true
		}
	}
}

// cutAny cuts s at its first slash or backslash.
func cutAny(s string) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' || s[i] == '\\' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// requestReturnTo is where a navigation should come back to: the request's
// own path and query for GET and HEAD, else the same-origin Referer (a form
// post cannot be replayed by a redirect).
func requestReturnTo(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return SafeReturnTo(r.URL.RequestURI())
	}
	return sameOriginPath(r, headerValue(r.Header, "Referer"))
}

// scriptReturnTo is the page a script call was made from: HX-Current-URL or
// the same-origin Referer.
func scriptReturnTo(r *http.Request) string {
	if p := sameOriginPath(r, headerValue(r.Header, "Hx-Current-Url")); p != "" {
		return p
	}
	return sameOriginPath(r, headerValue(r.Header, "Referer"))
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
