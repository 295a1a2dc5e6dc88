package testkit

import (
	"net/http"

	"github.com/authgate/authgate"
)

// BrowserUA is the User-Agent of a current desktop browser.
const BrowserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// AsKind sets on r the headers that a same-origin caller of the given
// [authgate.Kind] sends, as docs/PROTOCOL.md section 1 describes them, and
// returns r: a browser's page load ([authgate.KindNavigation]), a page's
// fetch with the page as Referer ([authgate.KindScript]), or a plain HTTP
// client (any other kind).
func AsKind(r *http.Request, kind authgate.Kind) *http.Request {
	h := r.Header
	switch kind {
	case authgate.KindNavigation:
		h.Set("Sec-Fetch-Mode", "navigate")
		h.Set("Sec-Fetch-Site", "same-origin")
		h.Set("Sec-Fetch-Dest", "document")
		h.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		h.Set("User-Agent", BrowserUA)
	case authgate.KindScript:
		h.Set("Sec-Fetch-Mode", "cors")
		h.Set("Sec-Fetch-Site", "same-origin")
		h.Set("Sec-Fetch-Dest", "empty")
		h.Set("Accept", "*/*")
		h.Set("User-Agent", BrowserUA)
		h.Set("Referer", scheme(r)+"://"+r.Host+"/")
	default:
		h.Set("User-Agent", "curl/8.5.0")
		h.Set("Accept", "*/*")
	}
	return r
}

// scheme returns the scheme r was sent with.
func scheme(r *http.Request) string {
	if r.TLS != nil || r.URL.Scheme == "https" {
		return "https"
	}
	return "http"
}
