package authgate

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// The provider page's style and script. They are constants, so the page's
// Content-Security-Policy allows exactly them by hash and nothing else.
const (
	providerStyle = `:root{color-scheme:light dark}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;display:grid;min-height:100vh;place-items:center}main{width:min(28rem,calc(100% - 2rem));padding:2rem}h1{font-size:1.5rem;margin:0 0 1rem}.error{font-weight:600}a{color:inherit}a:focus-visible{outline:3px solid;outline-offset:2px}`
	// providerScript tells the other tabs of this browser who signed in,
	// in the message the client script already takes from a tab that
	// signed in, then closes the popup.
	providerScript = `var u=document.getElementById("authgate-done").dataset.u;try{new BroadcastChannel("authgate").postMessage({t:"in",u:u})}catch(e){}window.close()`
)

// providerView is the provider page's data.
type providerView struct {
	Done   bool   // the popup's "signed in" page
	UserID string // who signed in, when Done
	Text   string // what went wrong, when not Done
	Again  string // the URL that starts again, or ""
	Login  string // the login page's URL
	Style  template.CSS
	Script template.JS
}

var (
	providerTmpl = template.Must(template.New("provider.html").Parse(providerPage))
	providerCSP  = "default-src 'none'; style-src '" + cspHash(providerStyle) + "'; script-src '" + cspHash(providerScript) +
		"'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// renderPopupDone answers a sign-in that finished in a popup.
func (g *Gate) renderPopupDone(w http.ResponseWriter, r *http.Request, u User) {
	g.renderProviderPage(w, r, providerView{Done: true, UserID: u.ID}, http.StatusOK)
}

// renderProviderError answers a provider sign-in that cannot go on.
func (g *Gate) renderProviderError(w http.ResponseWriter, r *http.Request, pr *ProviderRequest, status int, text, returnTo string, popup bool) {
	v := providerView{Text: text, Login: g.loginURL(returnTo)}
	if status != http.StatusForbidden {
		v.Again = startURL(pr.Base, returnTo, popup)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	g.renderProviderPage(w, r, v, status)
}

func (g *Gate) renderProviderPage(w http.ResponseWriter, r *http.Request, v providerView, status int) {
	v.Style, v.Script = providerStyle, providerScript
	g.writePage(w, r, "the provider page", providerTmpl, v, status,
		pageHeaders{csp: providerCSP, frameOptions: "DENY", referrerPolicy: "no-referrer"})
}
