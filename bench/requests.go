package bench

import (
	"net/http"
	"net/http/httptest"
)

// BrowserUA is the User-Agent of the benchmark's browser requests.
const BrowserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"

// AppURL is the origin of the benchmark's requests.
const AppURL = "https://app.example"

// PageRequest returns a page load as a browser sends it, with cookie as its
// Cookie header.
func PageRequest(cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, AppURL+"/dashboard", nil)
	BrowserHeaders(r.Header, cookie, true)
	return r
}

// ScriptRequest returns a fetch() call as a browser sends it, with cookie
// as its Cookie header.
func ScriptRequest(cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, AppURL+"/api/items?page=2", nil)
	BrowserHeaders(r.Header, cookie, false)
	return r
}

// MachineRequest returns a call from a command-line client carrying
// authorization, an HTTP Basic header.
func MachineRequest(authorization string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, AppURL+"/api/items?page=2", nil)
	r.Header.Set("User-Agent", "curl/8.14.1")
	r.Header.Set("Accept", "*/*")
	r.Header.Set("Authorization", authorization)
	return r
}

// BrowserHeaders sets the headers Chromium sends on a same-origin page load
// (navigate true) or fetch() call, and the Cookie header.
func BrowserHeaders(h http.Header, cookie string, navigate bool) {
	h.Set("User-Agent", BrowserUA)
	h.Set("Accept-Language", "en-GB,en;q=0.9")
	h.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	h.Set("Sec-Fetch-Site", "same-origin")
	if navigate {
		h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
		h.Set("Sec-Fetch-Mode", "navigate")
		h.Set("Sec-Fetch-Dest", "document")
		h.Set("Sec-Fetch-User", "?1")
		h.Set("Upgrade-Insecure-Requests", "1")
	} else {
		h.Set("Accept", "application/json")
		h.Set("Sec-Fetch-Mode", "cors")
		h.Set("Sec-Fetch-Dest", "empty")
		h.Set("Referer", AppURL+"/dashboard")
	}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
}
