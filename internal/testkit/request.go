package testkit

import (
	"net/http"

	"github.com/authgate/authgate"
)

// BrowserUA is the User-Agent of a current desktop browser.
const BrowserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// browserHeaders are the headers Chromium sends with every request over
// HTTP/1.1 besides the Sec-Fetch ones, Accept and Cookie.
var browserHeaders = [][2]string{
	{"User-Agent", BrowserUA},
	{"Accept-Encoding", "gzip, deflate, br, zstd"},
	{"Accept-Language", "en-US,en;q=0.9"},
	{"Sec-Ch-Ua", `"Chromium";v="156", "Not)A;Brand";v="24"`},
	{"Sec-Ch-Ua-Mobile", "?0"},
	{"Sec-Ch-Ua-Platform", `"Linux"`},
}

// kindHeaders are the headers of a same-origin caller of each kind, as
// Chromium sends them; a script call also sends its page as Referer.
var kindHeaders = map[authgate.Kind][][2]string{
	authgate.KindNavigation: append([][2]string{
		{"Sec-Fetch-Mode", "navigate"}, {"Sec-Fetch-Site", "same-origin"}, {"Sec-Fetch-Dest", "document"},
		{"Sec-Fetch-User", "?1"}, {"Upgrade-Insecure-Requests", "1"},
		{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"},
	}, browserHeaders...),
	authgate.KindScript: append([][2]string{
		{"Sec-Fetch-Mode", "cors"}, {"Sec-Fetch-Site", "same-origin"}, {"Sec-Fetch-Dest", "empty"},
		{"Accept", "*/*"},
	}, browserHeaders...),
	authgate.KindMachine: {{"Accept", "*/*"}, {"User-Agent", "curl/8.5.0"}},
}

// AsKind sets on r the headers that a same-origin caller of the given
// [authgate.Kind] sends (all of Chromium's but Cookie, for a browser), as
// docs/PROTOCOL.md section 1 describes them, and returns r: a browser's
// page load ([authgate.KindNavigation]), a page's fetch with the page as
// Referer ([authgate.KindScript]), or a plain HTTP client (any other kind).
func AsKind(r *http.Request, kind authgate.Kind) *http.Request {
	hdr, ok := kindHeaders[kind]
	if !ok {
		hdr = kindHeaders[authgate.KindMachine]
	}
	for _, kv := range hdr {
		r.Header.Set(kv[0], kv[1])
	}
	if kind == authgate.KindScript {
		r.Header.Set("Referer", scheme(r)+"://"+r.Host+"/")
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
