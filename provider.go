package authgate

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Provider is a way to sign in through an identity provider instead of, or
// beside, the password form. [Config.Providers] lists them; package
// [github.com/authgate/authgate/oidc] makes OpenID Connect ones. The gate
// routes two endpoints to each provider, under its prefix:
//
//	GET Prefix+"oidc/"+name+"/start"     leave for the provider
//	GET Prefix+"oidc/"+name+"/callback"  come back from it
//
// and offers the provider on the login page and in the client script's
// dialog (see [Gate.ScriptTag]). The root package knows nothing of any
// protocol, so an app that configures no provider builds none. A Provider
// that needs more of the [Store] than [Store] itself (such as
// [IdentityStore]) may have a method CheckStore(Store) error, which New
// calls to refuse a store that lacks it.
type Provider interface {
	// ProviderInfo returns the provider's name and label. The gate reads
	// it once, in [New].
	ProviderInfo() ProviderInfo
	// ServeProvider serves one of the provider's endpoints; pr says which
	// and gives the gate's parts the provider needs.
	ServeProvider(w http.ResponseWriter, r *http.Request, pr *ProviderRequest)
}

// storeChecker is what a [Provider] implements to refuse, in [New], a store
// that lacks what it needs (such as [IdentityStore]).
type storeChecker interface {
	CheckStore(Store) error
}

// ProviderInfo names a [Provider].
type ProviderInfo struct {
	// Name appears in the provider's URLs: 1 to 32 lower-case letters,
	// digits and "-", starting with a letter.
	Name string
	// Label is what the login page's button says after "Sign in with ",
	// such as "Example SSO". 1 to 64 characters.
	Label string
}

// ProviderRequest is what the gate hands a [Provider] with each request to
// its endpoints: which endpoint, the gate's clock, store and logger, and
// the two ways to finish ([ProviderRequest.SignIn] and
// [ProviderRequest.Fail]).
type ProviderRequest struct {
	// Endpoint is "start" or "callback".
	Endpoint string
	// Base is the path of the provider's endpoints, ending in a slash:
	// Prefix+"oidc/"+name+"/". A provider's cookies use it as their Path.
	Base string
	// Secure says whether cookies set for this request must be Secure
	// (see [Config.InsecureCookies]).
	Secure bool

	g *Gate
}

// Now returns the gate's time ([Config.Now]).
func (pr *ProviderRequest) Now() time.Time { return pr.g.cfg.Now() }

// Store returns the gate's [Store].
func (pr *ProviderRequest) Store() Store { return pr.g.store }

// Logger returns the gate's logger.
func (pr *ProviderRequest) Logger() *slog.Logger { return pr.g.log }

// ClientAddr returns the client's address, as [Config.ClientAddr] reads it.
func (pr *ProviderRequest) ClientAddr(r *http.Request) string { return pr.g.cfg.ClientAddr(r) }

// AddressWait returns how many seconds the client of r must wait before
// its next sign-in attempt, by the gate's throttle (the per-address limit
// of [ThrottleConfig], shared with passwords and API keys), or 0.
func (pr *ProviderRequest) AddressWait(r *http.Request) int {
	return pr.g.throttle.addressWait(pr.Now(), pr.g.cfg.ClientAddr(r))
}

// AddressFailed counts a failed sign-in against the client address of r
// in the gate's throttle. Count only failures that the client itself
// caused and no other site can make its browser cause, or a hostile page
// could lock a visitor's address out.
func (pr *ProviderRequest) AddressFailed(r *http.Request) {
	pr.g.throttle.addressFailed(pr.Now(), pr.g.cfg.ClientAddr(r))
}

// SignIn starts a gate session for u, with the gate's idle timeout and
// lifetime (see [Gate.SignIn]), and answers: 303 to returnTo (checked again
// with [SafeReturnTo]; HomePath when unsafe or empty), or, when popup is
// set, a page that tells the opener's tabs who signed in and closes itself
// (see docs/PROTOCOL.md).
func (pr *ProviderRequest) SignIn(w http.ResponseWriter, r *http.Request, u User, returnTo string, popup bool) {
	g := pr.g
	if _, err := g.SignIn(r.Context(), w, r, u); err != nil {
		g.unavailable(w, r, err)
		return
	}
	g.log.LogAttrs(r.Context(), infoLevel, "authgate: signed in", userAttr(u.Login), addrAttr(g.cfg.ClientAddr(r)), slog.String("provider", pr.name()))
	if popup {
		g.renderPopupDone(w, r, u)
		return
	}
	dest := SafeReturnTo(returnTo)
	if dest == "" {
		dest = g.cfg.HomePath
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", dest)
	w.WriteHeader(http.StatusSeeOther)
}

// Fail answers a sign-in that cannot go on with a page at the gate's
// origin: status (400 for a flow that is broken or stale, 403 for a user
// the configuration refuses, 503 when the provider cannot be reached),
// text in plain English, and a link that starts again (or, for 403, goes
// to the login page), in a popup or not. It never redirects, so a broken
// flow cannot loop. text must hold no secret.
func (pr *ProviderRequest) Fail(w http.ResponseWriter, r *http.Request, status int, text, returnTo string, popup bool) {
	pr.g.renderProviderError(w, r, pr, status, text, SafeReturnTo(returnTo), popup)
}

// StartURL returns the URL of the provider's start endpoint that comes
// back to returnTo, in a popup or not.
func (pr *ProviderRequest) StartURL(returnTo string, popup bool) string {
	return startURL(pr.Base, returnTo, popup)
}

func (pr *ProviderRequest) name() string {
	return strings.TrimSuffix(strings.TrimPrefix(pr.Base, pr.g.cfg.Prefix+"oidc/"), "/")
}

func startURL(base, returnTo string, popup bool) string {
	q := url.Values{}
	if returnTo = SafeReturnTo(returnTo); returnTo != "" {
		q.Set("return_to", returnTo)
	}
	if popup {
		q.Set("popup", "1")
	}
	if len(q) == 0 {
		return base + "start"
	}
	return base + "start?" + q.Encode()
}

// ProviderLink is a provider as the login page offers it: see
// [LoginPage.Providers].
type ProviderLink struct {
	Name  string // the provider's name, as in its URLs
	Label string // what the button says after "Sign in with "
	URL   string // its start endpoint, with return_to
}

// providerLinks returns the login page's links, coming back to returnTo.
func (g *Gate) providerLinks(returnTo string) []ProviderLink {
	if len(g.providerInfo) == 0 {
		return nil
	}
	out := make([]ProviderLink, len(g.providerInfo))
	for i, info := range g.providerInfo {
		out[i] = ProviderLink{Name: info.Name, Label: info.Label, URL: startURL(g.cfg.Prefix+"oidc/"+info.Name+"/", returnTo, false)}
	}
	return out
}

// providersJSON is the data-providers attribute of [Gate.ScriptTag]: a JSON
// array of {"name","label","url"}, url being the start endpoint without
// query, or "" when there are no providers.
func providersJSON(prefix string, infos []ProviderInfo) string {
	if len(infos) == 0 {
		return ""
	}
	type entry struct {
		Name  string `json:"name"`
		Label string `json:"label"`
		URL   string `json:"url"`
	}
	list := make([]entry, len(infos))
	for i, info := range infos {
		list[i] = entry{info.Name, info.Label, prefix + "oidc/" + info.Name + "/start"}
	}
	b, _ := json.Marshal(list) // strings only: cannot fail
	return string(b)
}

// checkProviders checks the names and labels of cfg.Providers.
func checkProviders(ps []Provider, store Store) ([]ProviderInfo, error) {
	infos := make([]ProviderInfo, 0, len(ps))
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		if p == nil {
			return nil, fmt.Errorf("authgate: Config.Providers[%d] is nil", i)
		}
		info := p.ProviderInfo()
		if !validProviderName(info.Name) {
			return nil, fmt.Errorf("authgate: provider name %q must be 1 to 32 lower-case letters, digits and -, starting with a letter", info.Name)
		}
		if seen[info.Name] {
			return nil, fmt.Errorf("authgate: two providers are named %q", info.Name)
		}
		seen[info.Name] = true
		if info.Label == "" || len(info.Label) > 64 || strings.ContainsFunc(info.Label, isControl) {
			return nil, fmt.Errorf("authgate: the label of provider %q must be 1 to 64 characters without control characters", info.Name)
		}
		if c, ok := p.(storeChecker); ok {
			if err := c.CheckStore(store); err != nil {
				return nil, err
			}
		}
		infos = append(infos, info)
	}
	return infos, nil
}

func validProviderName(s string) bool {
	if len(s) == 0 || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// providerEndpoint finds the provider and endpoint that path p names:
// Prefix+"oidc/"+name+"/start" or "/callback".
func (g *Gate) providerEndpoint(p string) (Provider, string, bool) {
	rest, ok := strings.CutPrefix(p, g.cfg.Prefix+"oidc/")
	if !ok || len(g.providers) == 0 {
		return nil, "", false
	}
	name, ep, ok := strings.Cut(rest, "/")
	if !ok || (ep != "start" && ep != "callback") {
		return nil, "", false
	}
	for i, info := range g.providerInfo {
		if info.Name == name {
			return g.providers[i], ep, true
		}
	}
	return nil, "", false
}

func (g *Gate) serveProvider(w http.ResponseWriter, r *http.Request, p Provider, ep string) {
	// GET only: a HEAD would spend a flow as a GET does, with no page to
	// show for it.
	if r.Method != http.MethodGet {
		methodNotAllowed(w, "GET")
		return
	}
	pr := &ProviderRequest{
		Endpoint: ep,
		Base:     g.cfg.Prefix + "oidc/" + p.ProviderInfo().Name + "/",
		Secure:   g.secureCookies(r),
		g:        g,
	}
	p.ServeProvider(w, r, pr)
}
