// Package authgate makes login sessions in web apps fail loudly and kindly.
//
// A [Gate] sits in front of an app's handlers. It knows who is signed in (a
// browser session cookie or an API key over HTTP Basic) and, when nobody is,
// answers each kind of caller in the way it understands: a page load is sent
// to the login page and back, a script call (fetch, XHR, jQuery, axios, htmx)
// gets a login-required signal that the page's script recognises and that
// never raises the browser's password dialog, and a machine client gets a
// plain 401 with a Basic challenge. A signal always means the protected
// handler did not run, so the client script can sign the user in again and
// re-send the call.
//
// The wire format, every answer with its headers and body, is described in
// docs/PROTOCOL.md in the repository, and in the docs of [Kind], [Reason]
// and [Signal].
package authgate

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a [Gate]. Only Store is required; every other field has a
// default that [New] fills in.
type Config struct {
	// Store keeps sessions, API keys and users. Required.
	Store Store

	// IdleTimeout ends a session after this long without a request.
	// Default 30 minutes.
	IdleTimeout time.Duration
	// Lifetime ends a session this long after sign-in, whatever the
	// activity. Default 12 hours.
	Lifetime time.Duration
	// TouchInterval is how stale the stored last-seen time may get before a
	// request writes a new one. Default IdleTimeout/30, so the idle deadline
	// is never more than 1/30 early and a busy session costs one store write
	// a minute, not one a request, however many instances share the store.
	// Last-seen times are written rounded down to a multiple of it.
	TouchInterval time.Duration
	// MaxUserSessions caps the live sessions of one user: a sign-in that
	// would exceed it ends the user's oldest sessions. Default
	// DefaultMaxUserSessions; negative for no cap. See [Gate.SignIn].
	MaxUserSessions int

	// LoginPath is the login page. Default "/login".
	LoginPath string
	// LogoutPath takes a POST that signs out. Default "/logout".
	LogoutPath string
	// Prefix is where the gate's own endpoints live (keepalive and the client
	// script). Default "/.authgate/".
	Prefix string
	// HomePath is where a sign-in with no usable return_to lands. Default "/".
	HomePath string
	// LoginTemplate, when set, is the login page instead of the built-in
	// one. It is executed with a [LoginPage] for every login page the gate
	// shows: a first visit, each [LoginReason], a failed sign-in and too
	// many attempts, in full and compact. Being an html/template, it
	// escapes every value. New executes it twice with sample data (every
	// field empty, every field set) and refuses one that fails.
	LoginTemplate *template.Template

	// Providers are identity providers users may sign in with, beside the
	// password form (or instead of it, with NoPasswordSignIn). Package
	// [github.com/authgate/authgate/oidc] makes OpenID Connect ones. See
	// [Provider].
	Providers []Provider
	// NoPasswordSignIn turns off the password form: the login page offers
	// only the Providers, and a sign-in posted to LoginPath gets 403. It
	// needs at least one provider.
	NoPasswordSignIn bool

	// Signal is what a script call receives when it needs a login.
	// Default [Signal401].
	Signal Signal
	// Realm is the realm of the Basic challenge sent to machine clients.
	// Default "authgate".
	Realm string
	// NoUserAgentRule turns off the rule that a request with no Fetch
	// Metadata and a User-Agent starting with "Mozilla/" is a script call
	// (for old browsers on plain http). See [Gate.Classify].
	NoUserAgentRule bool

	// InsecureCookies drops the Secure attribute and the __Host- prefix on
	// requests that came over plain http. Use it only for a development
	// server: on a private network, where the session cookie then travels
	// in clear text, or on localhost for WebKit (Safari), which keeps no
	// Secure cookie that plain http sets, even to localhost (Chromium and
	// Firefox do, so localhost needs it for them). Https always gets Secure
	// cookies.
	InsecureCookies bool

	// CrossOrigin refuses cross-origin writes after authentication. Default
	// a new [http.CrossOriginProtection]; set one to add trusted origins.
	CrossOrigin *http.CrossOriginProtection

	// Hasher hashes and verifies passwords. Default [Argon2id] with OWASP's
	// parameters.
	Hasher PasswordHasher
	// Throttle limits failed sign-ins and API key attempts. Zero fields
	// take the defaults documented on [ThrottleConfig].
	Throttle ThrottleConfig
	// HashLimit bounds the password hashes running at once and shares the
	// waiting for them fairly between client addresses. Zero fields take
	// the defaults documented on [HashLimitConfig].
	HashLimit HashLimitConfig
	// ClientAddr returns the client's address for throttling and the
	// session list. Default: the host part of r.RemoteAddr. Behind a proxy,
	// set it to read the proxy's header, and only from a trusted proxy.
	ClientAddr func(r *http.Request) string

	// Logger receives the gate's logs. Default [slog.Default]. No token,
	// secret or password is ever logged.
	Logger *slog.Logger
	// Now returns the current time. Default [time.Now]. Tests set it.
	Now func() time.Time
}

// Gate is an authentication middleware with its login endpoints. Make one
// with [New]; its methods are safe for concurrent use.
type Gate struct {
	cfg        Config
	store      Store
	log        *slog.Logger
	throttle   *throttle
	hashes     *hashLimit
	dummyHash  string       // verified for unknown users, so they cost a wrong password
	script     clientScript // the client script, gzipped and hashed
	keepPath   string       // path of the keepalive endpoint
	scriptPath string       // content-hashed path of the client script
	loginTmpl  *template.Template
	// providers and providerInfo are Config.Providers and their names and
	// labels, read once.
	providers     []Provider
	providerInfo  []ProviderInfo
	providersJSON string   // data-providers of ScriptTag
	touches       sync.Map // session Hash or key id -> unix nanos of the last touch claim
	claims        atomic.Uint64

	plainHTTPLogged sync.Once // the plain-http warning is logged once
}

// New checks cfg, fills in its defaults and returns a Gate.
func New(cfg Config) (*Gate, error) {
	if cfg.Store == nil {
		return nil, errors.New("authgate: Config.Store is required")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.Lifetime == 0 {
		cfg.Lifetime = 12 * time.Hour
	}
	if cfg.IdleTimeout < time.Second {
		return nil, fmt.Errorf("authgate: IdleTimeout %v is shorter than a second", cfg.IdleTimeout)
	}
	if cfg.Lifetime < cfg.IdleTimeout {
		return nil, fmt.Errorf("authgate: Lifetime %v is shorter than IdleTimeout %v", cfg.Lifetime, cfg.IdleTimeout)
	}
	if cfg.MaxUserSessions == 0 {
		cfg.MaxUserSessions = DefaultMaxUserSessions
	}
	if cfg.TouchInterval == 0 {
		cfg.TouchInterval = cfg.IdleTimeout / 30
	}
	if cfg.TouchInterval < 0 || cfg.TouchInterval >= cfg.IdleTimeout {
		return nil, fmt.Errorf("authgate: TouchInterval %v must be positive and shorter than IdleTimeout %v", cfg.TouchInterval, cfg.IdleTimeout)
	}
	var err error
	if cfg.LoginPath, err = checkPath("LoginPath", cfg.LoginPath, "/login"); err != nil {
		return nil, err
	}
	if cfg.LogoutPath, err = checkPath("LogoutPath", cfg.LogoutPath, "/logout"); err != nil {
		return nil, err
	}
	if cfg.HomePath, err = checkPath("HomePath", cfg.HomePath, "/"); err != nil {
		return nil, err
	}
	if cfg.Prefix, err = checkPath("Prefix", cfg.Prefix, "/.authgate/"); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.Signal == "" {
		cfg.Signal = Signal401
	}
	if err := cfg.Signal.check(); err != nil {
		return nil, err
	}
	if cfg.Realm == "" {
		cfg.Realm = "authgate"
	}
	if strings.ContainsAny(cfg.Realm, "\"\\\r\n") {
		return nil, errors.New("authgate: Realm must not hold quotes, backslashes or line breaks")
	}
	if cfg.CrossOrigin == nil {
		cfg.CrossOrigin = http.NewCrossOriginProtection()
	}
	if cfg.Hasher == nil {
		cfg.Hasher = Argon2id{}
	}
	if err := cfg.Throttle.fill(); err != nil {
		return nil, err
	}
	if err := cfg.HashLimit.fill(cfg.Hasher); err != nil {
		return nil, err
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = remoteHost
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	infos, err := checkProviders(cfg.Providers, cfg.Store)
	if err != nil {
		return nil, err
	}
	if cfg.NoPasswordSignIn && len(infos) == 0 {
		return nil, errors.New("authgate: NoPasswordSignIn needs at least one of Config.Providers")
	}
	dummy, err := cfg.Hasher.Hash("authgate dummy password for unknown users")
	if err != nil {
		return nil, fmt.Errorf("authgate: hashing the dummy password: %w", err)
	}
	g := &Gate{
		cfg:       cfg,
		store:     cfg.Store,
		log:       cfg.Logger,
		throttle:  newThrottle(cfg.Throttle),
		hashes:    newHashLimit(cfg.HashLimit),
		dummyHash: dummy,
		script:    newClientScript(),
		keepPath:  cfg.Prefix + "keepalive",

		providers:     cfg.Providers,
		providerInfo:  infos,
		providersJSON: providersJSON(cfg.Prefix, infos),
	}
	g.scriptPath = cfg.Prefix + "client." + g.script.tag + ".js"
	g.loginTmpl = loginTemplate()
	if cfg.LoginTemplate != nil {
		if err := checkLoginTemplate(cfg.LoginTemplate, cfg.LoginPath); err != nil {
			return nil, err
		}
		g.loginTmpl = cfg.LoginTemplate
	}
	return g, nil
}

func checkPath(name, p, def string) (string, error) {
	if p == "" {
		return def, nil
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "?#\\ \t\r\n\"'<>") {
		return "", fmt.Errorf("authgate: %s %q must be a plain absolute path such as %q", name, p, def)
	}
	return p, nil
}
