package oidc

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/authgate/authgate"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// textCrossSite answers a start that another site's page sent.
const textCrossSite = "This sign-in was started from another site. Start it from this application's sign-in page."

// start leaves for the provider: 302 to its authorization endpoint with a
// fresh state, nonce and PKCE challenge, which the flow cookie keeps.
func (p *Provider) start(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest) {
	q := r.URL.Query()
	returnTo := authgate.SafeReturnTo(q.Get("return_to"))
	popup := q.Get("popup") == "1"
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		// Another site sent the browser here (login CSRF, or a flood of
		// sign-ins on others' behalf): sign-ins start from the app.
		pr.Fail(w, r, http.StatusForbidden, textCrossSite, returnTo, popup)
		return
	}
	now := pr.Now()
	d, err := p.discover(r.Context(), now, pr.Logger())
	if err != nil {
		p.down(w, r, pr, returnTo, popup)
		return
	}
	oc, err := p.oauth(r, pr, d)
	if err != nil {
		pr.Fail(w, r, http.StatusBadRequest, err.Error(), returnTo, popup)
		return
	}
	f := flow{
		State:    random(32),
		Nonce:    random(32),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo,
		Popup:    popup,
		Bind:     bindHash(p.bind(w, r, pr)),
		Expires:  now.Add(p.cfg.FlowTimeout).Unix(),
	}
	p.setFlow(w, pr, p.sealFlow(f))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Location", oc.AuthCodeURL(f.State, oauth2.S256ChallengeOption(f.Verifier), gooidc.Nonce(f.Nonce)))
	w.WriteHeader(http.StatusFound)
}

// down answers a sign-in while the provider cannot be reached.
func (p *Provider) down(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest, returnTo string, popup bool) {
	pr.Fail(w, r, http.StatusServiceUnavailable,
		"The sign-in service "+p.cfg.Label+" cannot be reached at the moment. Please try again in a little while.", returnTo, popup)
}

// oauth returns the OAuth 2.0 client for r: the discovered endpoints and
// the redirect URI, Origin (or r's origin) + Base + "callback".
func (p *Provider) oauth(r *http.Request, pr *authgate.ProviderRequest, d *discovered) (*oauth2.Config, error) {
	origin := p.cfg.Origin
	if origin == "" {
		host := r.Host
		if host == "" || strings.ContainsAny(host, "/\\@?#%") {
			return nil, errors.New("the request names no usable host")
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		origin = (&url.URL{Scheme: scheme, Host: host}).String()
	}
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret,
		Endpoint:     d.endpoint,
		RedirectURL:  origin + pr.Base + "callback",
		Scopes:       append([]string{gooidc.ScopeOpenID}, p.cfg.Scopes...),
	}, nil
}
