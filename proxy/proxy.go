package proxy

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate"
)

// Options configure a [Proxy]. Gate, Users and Upstream are required.
type Options struct {
	// Gate authenticates requests and serves the login page, logout,
	// keepalive and the client script.
	Gate *authgate.Gate
	// Users is the Gate's store, where the proxy reads the signed-in user's
	// login for [HeaderUser] and the client script.
	Users authgate.UserStore
	// Upstream is the app's base URL: http or https, with no user
	// information, query or fragment. A path in it is put in front of every
	// request's path.
	Upstream *url.URL

	// LoginPath, LogoutPath and Prefix must be the Gate's
	// ([authgate.Config.LoginPath] and the others): requests for them go to
	// the Gate, never to the upstream. Defaults "/login", "/logout" and
	// "/.authgate/", the Gate's own defaults.
	LoginPath, LogoutPath, Prefix string

	// Public lists path prefixes that need no sign-in, such as "/static/".
	// A prefix matches as written: "/docs" matches "/docs", "/docs/a" and
	// "/docsearch". Only clean paths match (no "..", "." or "//"
	// segments), so a public prefix never opens a path the upstream would
	// resolve elsewhere. Signed-in requests for a public path still carry
	// the identity headers.
	Public []string
	// TrustedProxies are the addresses whose X-Forwarded-For,
	// X-Forwarded-Host, X-Forwarded-Proto and Forwarded headers are kept and
	// extended. From anyone else they are replaced. Default none.
	TrustedProxies []netip.Prefix

	// ClientMode is what the inserted client script does on a
	// login-required signal. Default [authgate.ClientDialog].
	ClientMode authgate.ClientMode
	// NoScript turns off the insertion of the client script into HTML pages.
	NoScript bool

	// Transport makes the requests to the upstream. Default a transport
	// tuned for one busy upstream (see [NewTransport]).
	Transport http.RoundTripper
	// Logger receives the proxy's logs. Default [slog.Default].
	Logger *slog.Logger
}

// Proxy is a reverse proxy with a [authgate.Gate] in front. Make one with
// [New]; it is an [http.Handler], safe for concurrent use.
type Proxy struct {
	opts     Options
	gate     *authgate.Gate
	rp       *httputil.ReverseProxy
	require  http.Handler // the gate, then the upstream
	identify http.Handler // the same for public paths
	trusted  []netip.Prefix
	logins   loginCache
	log      *slog.Logger
	warned   [warnCount]atomic.Bool // log lines written once per Proxy
}

// New checks opts, fills in the defaults and returns a Proxy.
func New(opts Options) (*Proxy, error) {
	if opts.Gate == nil {
		return nil, errors.New("proxy: Options.Gate is required")
	}
	if opts.Users == nil {
		return nil, errors.New("proxy: Options.Users is required")
	}
	if err := checkUpstream(opts.Upstream); err != nil {
		return nil, err
	}
	for _, p := range opts.Public {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("proxy: public prefix %q does not start with /", p)
		}
	}
	opts.LoginPath, opts.LogoutPath, opts.Prefix = gatePaths(opts.LoginPath, opts.LogoutPath, opts.Prefix)
	var err error
	if opts.ClientMode, err = clientMode(opts.ClientMode); err != nil {
		return nil, err
	}
	if opts.Transport == nil {
		opts.Transport = NewTransport()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p := &Proxy{opts: opts, gate: opts.Gate, trusted: opts.TrustedProxies, log: opts.Logger}
	p.logins.users = opts.Users
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      opts.Transport,
		BufferPool:     newBufferPool(),
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.badGateway,
		ErrorLog:       slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	p.require = opts.Gate.Require(p.rp)
	p.identify = opts.Gate.Identify(p.rp)
	return p, nil
}

// clientMode checks a client script mode, "" standing for
// [authgate.ClientDialog].
func clientMode(m authgate.ClientMode) (authgate.ClientMode, error) {
	switch m {
	case "":
		return authgate.ClientDialog, nil
	case authgate.ClientDialog, authgate.ClientRedirect, authgate.ClientReload:
		return m, nil
	}
	return "", fmt.Errorf("proxy: the client mode is redirect, reload or dialog, not %q", m)
}

func checkUpstream(u *url.URL) error {
	switch {
	case u == nil:
		return errors.New("proxy: Options.Upstream is required")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("proxy: upstream %q is not an http or https URL", u.Redacted())
	case u.Host == "":
		return fmt.Errorf("proxy: upstream %q has no host", u.Redacted())
	case u.User != nil:
		return errors.New("proxy: the upstream URL must not hold a user or password")
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("proxy: upstream %q must have no query or fragment", u.Redacted())
	}
	return nil
}

// NewTransport returns the default transport to the upstream: Go's default
// transport with enough idle connections kept for one busy upstream and
// without transparent decompression, so bodies pass as they come.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 512
	t.IdleConnTimeout = 90 * time.Second
	t.DisableCompression = true
	return t
}

// ServeHTTP removes every identity header the client sent, refuses a
// WebSocket upgrade from another origin with 403 (a GET, which cross-origin
// protection leaves alone, but one that a page elsewhere can open with the
// user's cookies), then serves the gate's endpoints itself and passes everything else to the upstream
// through the gate: public paths through [authgate.Gate.Identify], all
// others through [authgate.Gate.Require].
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stripSpoofed(r.Header)
	switch {
	case crossOriginUpgrade(r):
		forbidUpgrade(w)
	case p.isGatePath(r.URL.Path):
		p.gate.ServeHTTP(w, r)
	case p.isPublic(r.URL.Path):
		p.identify.ServeHTTP(w, r)
	default:
		p.require.ServeHTTP(w, r)
	}
}

func (p *Proxy) isGatePath(pth string) bool {
	return pth == p.opts.LoginPath || pth == p.opts.LogoutPath || strings.HasPrefix(pth, p.opts.Prefix)
}

// isPublic reports whether pth is clean and starts with a public prefix.
func (p *Proxy) isPublic(pth string) bool {
	if len(p.opts.Public) == 0 || !isClean(pth) {
		return false
	}
	for _, pre := range p.opts.Public {
		if strings.HasPrefix(pth, pre) {
			return true
		}
	}
	return false
}

// isClean reports whether pth has no ".", ".." or empty segment, apart from
// a trailing slash.
func isClean(pth string) bool {
	c := path.Clean(pth)
	return c == pth || c+"/" == pth
}

// crossOriginUpgrade reports whether r asks for a protocol upgrade (a
// WebSocket) with an Origin whose host is not the one r was sent to.
func crossOriginUpgrade(r *http.Request) bool {
	if r.Header.Get("Upgrade") == "" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false // not from a browser page
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

func forbidUpgrade(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, `{"type":"`+authgate.ProblemCrossOrigin+`","title":"Cross-origin upgrade refused","status":403}`+"\n")
}
