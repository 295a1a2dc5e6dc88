package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// Config configures a [Provider]. Name, Label, Issuer, ClientID,
// ClientSecret and Key are required.
type Config struct {
	// Name appears in the provider's URLs (Prefix+"oidc/"+Name+"/..."):
	// lower-case letters, digits and "-", starting with a letter.
	Name string
	// Label is what the login page's button says after "Sign in with ".
	Label string
	// Issuer is the provider's issuer URL, exactly as its ID tokens name
	// it; its discovery document is at Issuer+"/.well-known/openid-configuration".
	// It must be https, but on a loopback host (127.0.0.0/8, ::1,
	// localhost), where http is allowed for development and tests.
	Issuer string
	// ClientID and ClientSecret are the gate's credentials at the provider.
	// Keep the secret out of command lines and logs: read it from an
	// environment variable or a file.
	ClientID     string
	ClientSecret string
	// Key signs the cookie that carries a sign-in from start to callback:
	// at least 32 random bytes, the same on every instance that shares the
	// app's users, so that a sign-in may finish on another instance.
	Key []byte

	// Scopes are asked for beside "openid". Default "email", "profile".
	Scopes []string
	// Origin is the app's origin as browsers reach it, such as
	// "https://app.example.com", from which the redirect URI is made.
	// Default: the scheme of the request (https when it came over TLS)
	// and its Host header, which the client chooses. Set it in
	// production, and always behind a proxy that terminates TLS: the
	// provider then checks the redirect URI against the one registered,
	// whatever Host the request named.
	Origin string

	// LinkByEmail lets the first sign-in of a provider account that is not
	// linked yet take over the local user whose login is its e-mail
	// address, but only when the provider says the address is verified
	// (email_verified is true). Off by default.
	LinkByEmail bool
	// CreateUsers makes a user on the first sign-in of a provider account
	// that matches no user: its login is the verified e-mail address, or
	// NAME:SUBJECT without one. Off by default: only linked users sign in.
	// With CreateUsers, [New] requires AllowedDomains or AllowedGroups, or
	// AllowAnyAccount: at a public provider, every account would sign in.
	CreateUsers bool
	// AllowAnyAccount lets CreateUsers make a user for any account at the
	// provider, with no allow-list. Set it only for a provider whose
	// accounts are all the app's users (a company's own provider).
	AllowAnyAccount bool
	// AllowedDomains, when not empty, admits only users whose verified
	// e-mail address is in one of these domains (exactly, ASCII case
	// aside). Domains are ASCII: write an internationalized one in its
	// xn-- form, as providers send it.
	AllowedDomains []string
	// AllowedGroups, when not empty, admits only users whose GroupsClaim
	// names one of these groups. With AllowedDomains too, a user needs both.
	AllowedGroups []string
	// GroupsClaim is the ID token claim that lists the user's groups.
	// Default "groups".
	GroupsClaim string

	// FlowTimeout is how long a sign-in may take from start to callback.
	// Default 10 minutes.
	FlowTimeout time.Duration
	// Timeout bounds each call to the provider (discovery, keys, token).
	// Default 10 seconds.
	Timeout time.Duration
	// RetryAfter is how long after a failed discovery the next sign-in
	// tries again; sign-ins in between get 503. Default 10 seconds.
	RetryAfter time.Duration
	// MaxConcurrent bounds the calls to the provider at once, and the
	// sign-ins that wait for a discovery under way; sign-ins beyond it get
	// 503. Default 32.
	MaxConcurrent int
	// HTTPClient makes the calls to the provider. Default a client with
	// Timeout. [New] copies it and gives the copy Timeout when it has
	// none, so no call waits forever. Whichever client, the gate reads at
	// most 1 MiB of each answer (discovery, keys, token); a longer one
	// fails the call.
	HTTPClient *http.Client
}

// Provider is an OpenID Connect provider for [authgate.Config.Providers].
// Make one with [New]; it is safe for concurrent use.
type Provider struct {
	cfg    Config
	client *http.Client
	slots  chan struct{} // one per call to the provider in flight

	mu       sync.Mutex
	disc     *discovered // nil until discovery succeeds
	pending  *pending    // the discovery under way, if any
	failedAt time.Time   // the gate's time of the last failed discovery
}

// The Provider plugs into the gate.
var _ authgate.Provider = (*Provider)(nil)

// New checks cfg and returns a Provider. It does not contact the provider:
// that happens on the first sign-in.
func New(cfg Config) (*Provider, error) {
	if cfg.Name == "" || cfg.Label == "" {
		return nil, errors.New("oidc: Config.Name and Config.Label are required")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oidc: provider %q: the issuer %q is not an http(s) URL without query", cfg.Name, cfg.Issuer)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("oidc: provider %q: the issuer %q is plain http: its keys and tokens could be changed on the way; use https (http is allowed only on loopback: 127.0.0.0/8, ::1, localhost)", cfg.Name, cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("oidc: provider %q: Config.ClientID is required", cfg.Name)
	}
	if cfg.ClientSecret == "" {
		return nil, fmt.Errorf("oidc: provider %q: Config.ClientSecret is required", cfg.Name)
	}
	if len(cfg.Key) < 32 {
		return nil, fmt.Errorf("oidc: provider %q: Config.Key must hold at least 32 bytes", cfg.Name)
	}
	cfg.Key = slices.Clone(cfg.Key)
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"email", "profile"}
	}
	if cfg.Origin != "" {
		o, err := url.Parse(cfg.Origin)
		if err != nil || (o.Scheme != "https" && o.Scheme != "http") || o.Host == "" || (o.Path != "" && o.Path != "/") || o.RawQuery != "" {
			return nil, fmt.Errorf("oidc: provider %q: Origin %q is not an origin such as https://app.example.com", cfg.Name, cfg.Origin)
		}
		cfg.Origin = o.Scheme + "://" + o.Host
	}
	cfg.AllowedDomains = slices.Clone(cfg.AllowedDomains)
	cfg.AllowedGroups = slices.Clone(cfg.AllowedGroups)
	cfg.Scopes = slices.Clone(cfg.Scopes)
	for i, d := range cfg.AllowedDomains {
		d = strings.ToLower(strings.TrimPrefix(d, "@"))
		if d == "" || strings.ContainsAny(d, "@/ ") || !isASCII(d) {
			return nil, fmt.Errorf("oidc: provider %q: %q is not an e-mail domain", cfg.Name, cfg.AllowedDomains[i])
		}
		cfg.AllowedDomains[i] = d
	}
	if cfg.CreateUsers && len(cfg.AllowedDomains) == 0 && len(cfg.AllowedGroups) == 0 && !cfg.AllowAnyAccount {
		return nil, fmt.Errorf("oidc: provider %q: CreateUsers without AllowedDomains or AllowedGroups would let every account at the provider in; set an allow-list, or AllowAnyAccount if every account there is meant to sign in", cfg.Name)
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.FlowTimeout == 0 {
		cfg.FlowTimeout = 10 * time.Minute
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = 10 * time.Second
	}
	if cfg.MaxConcurrent == 0 {
		cfg.MaxConcurrent = 32
	}
	if cfg.FlowTimeout < 0 || cfg.Timeout < 0 || cfg.RetryAfter < 0 || cfg.MaxConcurrent < 0 {
		return nil, fmt.Errorf("oidc: provider %q: timeouts and MaxConcurrent must not be negative", cfg.Name)
	}
	client := httpClient(cfg.HTTPClient, cfg.Timeout)
	return &Provider{cfg: cfg, client: client, slots: make(chan struct{}, cfg.MaxConcurrent)}, nil
}

// ProviderInfo returns the provider's name and label.
func (p *Provider) ProviderInfo() authgate.ProviderInfo {
	return authgate.ProviderInfo{Name: p.cfg.Name, Label: p.cfg.Label}
}

// CheckStore reports whether store can keep the provider's links: it must
// implement [authgate.IdentityStore]. [authgate.New] calls it.
func (p *Provider) CheckStore(store authgate.Store) error {
	if _, ok := store.(authgate.IdentityStore); !ok {
		return fmt.Errorf("oidc: provider %q: the store %T does not implement authgate.IdentityStore", p.cfg.Name, store)
	}
	return nil
}

// ServeProvider serves the provider's start and callback endpoints; the
// gate calls it (see [authgate.Provider]).
func (p *Provider) ServeProvider(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest) {
	switch pr.Endpoint {
	case "start":
		p.start(w, r, pr)
	case "callback":
		p.callback(w, r, pr)
	default:
		http.NotFound(w, r)
	}
}

// acquire takes a slot for a call to the provider, without waiting.
func (p *Provider) acquire() bool {
	select {
	case p.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (p *Provider) release() { <-p.slots }

// isLoopback reports whether host (without port) is a loopback address or
// localhost, where an http issuer is allowed.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
