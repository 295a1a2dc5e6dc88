package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// The endpoints of a [ForwardAuth] that a reverse proxy in front of the app
// asks, one request per request of the app's. Only the proxy calls them:
// its config never routes them from clients, and they answer only
// [ForwardAuthOptions.TrustedProxies].
const (
	// CheckPath answers with exactly the gate's answer to the original
	// request, which the proxy (Caddy's forward_auth, Traefik's
	// ForwardAuth) reads from X-Forwarded-Method, -Uri, -Host and -Proto, or
	// from X-Original-Method and X-Original-URI: 200 with the identity
	// headers when it may pass, or else the gate's full answer.
	CheckPath = "/.authgate-forward/check"
	// NginxCheckPath is [CheckPath] for nginx's auth_request, which passes
	// on only 2xx, 401 and 403: every answer that is not 200 becomes 401
	// with no body, and the config sends the request on to [DenyPath].
	NginxCheckPath = "/.authgate-forward/nginx"
	// DenyPath answers with the gate's full answer to a request the check
	// refused (nginx's error_page 401): the one the check sealed in
	// [HeaderAnswer], or else the gate's answer now. Should the request be
	// allowed by then, it gets 503 with Retry-After: 1, never an empty page.
	DenyPath = "/.authgate-forward/deny"
	// EnvoyPrefix is the path_prefix of Envoy's HTTP ext_authz: Envoy
	// sends the original method and appends the original path and query,
	// with the original Host. Only 200 lets a request through there.
	EnvoyPrefix = "/.authgate-forward/envoy"
)

// forwardRoot is the start of every forward-auth endpoint.
const forwardRoot = "/.authgate-forward/"

// ForwardAuthOptions configure a [ForwardAuth]. Gate and Users are
// required.
type ForwardAuthOptions struct {
	// Gate decides and serves the login page, logout, keepalive and the
	// client script.
	Gate *authgate.Gate
	// Users is the Gate's store, where the login for [HeaderUser] is read.
	Users authgate.UserStore
	// LoginPath, LogoutPath and Prefix must be the Gate's, as in
	// [Options]. Defaults "/login", "/logout" and "/.authgate/".
	LoginPath, LogoutPath, Prefix string
	// TrustedProxies are the addresses that may ask the check endpoints
	// and whose X-Forwarded-* and X-Original-* headers are believed.
	// Anyone else gets 403. Default loopback (127.0.0.0/8 and ::1).
	TrustedProxies []netip.Prefix
	// Logger receives the log lines. Default [slog.Default].
	Logger *slog.Logger
}

// ForwardAuth is the service a reverse proxy asks before it passes a
// request to the app (nginx's auth_request, Caddy's forward_auth,
// Traefik's ForwardAuth, Envoy's ext_authz): it serves the gate's own
// endpoints and the check endpoints ([CheckPath], [NginxCheckPath],
// [DenyPath], [EnvoyPrefix]). Make one with [NewForwardAuth]; it is an
// [http.Handler], safe for concurrent use.
type ForwardAuth struct {
	opts    ForwardAuthOptions
	gate    *authgate.Gate
	allowed http.Handler // the gate, then the identity headers
	logins  loginCache
	answers *answerSealer // the nginx check's refusals, for the deny endpoint
	log     *slog.Logger
}

// Loopback is the default of [ForwardAuthOptions.TrustedProxies].
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// NewForwardAuth checks opts, fills in the defaults and returns a
// ForwardAuth.
func NewForwardAuth(opts ForwardAuthOptions) (*ForwardAuth, error) {
	if opts.Gate == nil {
		return nil, errors.New("proxy: ForwardAuthOptions.Gate is required")
	}
	if opts.Users == nil {
		return nil, errors.New("proxy: ForwardAuthOptions.Users is required")
	}
	opts.LoginPath, opts.LogoutPath, opts.Prefix = gatePaths(opts.LoginPath, opts.LogoutPath, opts.Prefix)
	if len(opts.TrustedProxies) == 0 {
		opts.TrustedProxies = Loopback
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	f := &ForwardAuth{opts: opts, gate: opts.Gate, answers: newAnswerSealer(), log: opts.Logger}
	f.logins.users = opts.Users
	f.allowed = opts.Gate.Require(http.HandlerFunc(f.allow))
	return f, nil
}

// ServeHTTP removes every identity header the client sent, then serves the
// gate's endpoints and, to trusted proxies only, the check endpoints.
// Anything else is 404.
func (f *ForwardAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stripSpoofed(r.Header)
	pth := r.URL.Path
	switch {
	case pth == f.opts.LoginPath || pth == f.opts.LogoutPath || strings.HasPrefix(pth, f.opts.Prefix):
		f.gate.ServeHTTP(w, r)
	case !strings.HasPrefix(pth, forwardRoot):
		http.NotFound(w, r)
	case !isTrusted(f.opts.TrustedProxies, remoteIP(r.RemoteAddr)):
		f.log.LogAttrs(r.Context(), slog.LevelWarn, "authgate forward-auth: a check from an address that is not a trusted proxy", slog.String("remote", r.RemoteAddr))
		forwardProblem(w, http.StatusForbidden, "Not a trusted proxy")
	case pth == CheckPath:
		f.check(w, r, fromForwarded, false)
	case pth == NginxCheckPath:
		f.check(w, r, fromForwarded, true)
	case pth == DenyPath:
		f.deny(w, r)
	case pth == EnvoyPrefix || strings.HasPrefix(pth, EnvoyPrefix+"/"):
		f.check(w, r, fromEnvoy, false)
	default:
		http.NotFound(w, r)
	}
}

// check runs the gate on the original request. With only401, every answer
// but 200 becomes a bare 401 (nginx) that carries the answer sealed in
// [HeaderAnswer], for the deny endpoint.
func (f *ForwardAuth) check(w http.ResponseWriter, r *http.Request, orig func(*http.Request) (*http.Request, error), only401 bool) {
	o, err := orig(r)
	if err != nil {
		f.log.LogAttrs(r.Context(), slog.LevelWarn, "authgate forward-auth: the proxy's request is unusable", slog.String("error", err.Error()))
		forwardProblem(w, http.StatusBadRequest, "The proxy did not describe the original request")
		return
	}
	if !only401 {
		f.allowed.ServeHTTP(w, o)
		return
	}
	sw := &statusWriter{header: http.Header{}}
	f.allowed.ServeHTTP(sw, o)
	if sw.status == http.StatusOK {
		copyHeader(w.Header(), sw.header)
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if v := f.answers.seal(o, time.Now(), sw); v != "" {
		w.Header().Set(HeaderAnswer, v)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// deny writes the gate's full answer to a request the check refused: the
// one the check sealed, or else the gate's answer now.
func (f *ForwardAuth) deny(w http.ResponseWriter, r *http.Request) {
	o, err := fromForwarded(r)
	if err != nil {
		forwardProblem(w, http.StatusBadRequest, "The proxy did not describe the original request")
		return
	}
	if a, ok := f.answers.open(o, time.Now(), r.Header.Get(HeaderAnswer)); ok {
		copyHeader(w.Header(), a.Header)
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
		return
	}
	sw := &statusWriter{header: http.Header{}}
	f.allowed.ServeHTTP(sw, o)
	if sw.status == http.StatusOK { // signed in since the check
		w.Header().Set("Retry-After", "1")
		forwardProblem(w, http.StatusServiceUnavailable, "Try again")
		return
	}
	copyHeader(w.Header(), sw.header)
	w.WriteHeader(sw.status)
	_, _ = w.Write(sw.body)
}

// allow answers a request the gate let through: 200 with all three
// identity headers (and the gate's cookies, set before), so that each
// replaces a client's copy at the proxy. A user whose login cannot be read
// gets 503.
func (f *ForwardAuth) allow(w http.ResponseWriter, r *http.Request) {
	id, _ := authgate.FromContext(r.Context()) // always there after Require
	login := f.logins.login(r.Context(), id.UserID)
	if login == "" {
		w.Header().Set("Retry-After", "5")
		forwardProblem(w, http.StatusServiceUnavailable, "Service unavailable")
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h[HeaderUser] = []string{login}
	h[HeaderUserID] = []string{id.UserID}
	if id.Method == authgate.MethodAPIKey {
		h[HeaderMethod] = []string{MethodKey}
	} else {
		h[HeaderMethod] = []string{MethodSession}
	}
	w.WriteHeader(http.StatusOK)
}

// fromForwarded rebuilds the original request from the headers that Caddy,
// Traefik and the printed nginx config send: X-Forwarded-Method or
// X-Original-Method, X-Forwarded-Uri or X-Original-URI, X-Forwarded-Host
// (else Host) and X-Forwarded-Proto. Every other header is the client's.
func fromForwarded(r *http.Request) (*http.Request, error) {
	method, err := oneOf(r.Header, "X-Forwarded-Method", "X-Original-Method")
	if err != nil {
		return nil, err
	}
	uri, err := oneOf(r.Header, "X-Forwarded-Uri", "X-Original-Uri")
	if err != nil {
		return nil, err
	}
	host := r.Host
	if hs := r.Header.Values("X-Forwarded-Host"); len(hs) == 1 && hs[0] != "" {
		host = hs[0]
	} else if len(hs) > 1 {
		return nil, errors.New("more than one X-Forwarded-Host")
	}
	return original(r, method, uri, host)
}

// fromEnvoy rebuilds the original request from Envoy's check request:
// the original method, [EnvoyPrefix] and the original path, the original
// Host, and X-Forwarded-Proto.
func fromEnvoy(r *http.Request) (*http.Request, error) {
	uri := strings.TrimPrefix(r.URL.RequestURI(), EnvoyPrefix)
	if uri == "" || uri[0] == '?' {
		uri = "/" + uri
	}
	return original(r, r.Method, uri, r.Host)
}

// original returns a copy of r as the client sent it to the proxy.
func original(r *http.Request, method, uri, host string) (*http.Request, error) {
	if !validMethod(method) {
		return nil, errors.New("a bad original method")
	}
	if !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") {
		return nil, errors.New("the original URI is not a path")
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, errors.New("the original URI does not parse")
	}
	o := r.Clone(r.Context())
	o.Method = method
	o.URL = u
	o.RequestURI = uri
	o.Host = host
	o.TLS = nil
	protos := r.Header.Values("X-Forwarded-Proto")
	switch {
	case len(protos) > 1:
		return nil, errors.New("more than one X-Forwarded-Proto")
	case len(protos) == 1 && strings.EqualFold(protos[0], "https"):
		o.TLS = &tls.ConnectionState{} // the client spoke TLS to the proxy
	case len(protos) == 0 && r.TLS != nil:
		o.TLS = r.TLS
	}
	for _, k := range []string{"X-Forwarded-Method", "X-Original-Method", "X-Forwarded-Uri", "X-Original-Uri", HeaderAnswer} {
		delete(o.Header, k)
	}
	o.Body = http.NoBody
	o.ContentLength = 0
	return o, nil
}

// oneOf returns the value of the one header of a and b that is present,
// once.
func oneOf(h http.Header, a, b string) (string, error) {
	va, vb := h.Values(a), h.Values(b)
	switch {
	case len(va)+len(vb) == 0:
		return "", errors.New("no " + a + " or " + b)
	case len(va)+len(vb) > 1:
		return "", errors.New("more than one " + a + " or " + b)
	case len(va) == 1:
		return va[0], nil
	}
	return vb[0], nil
}

// validMethod reports whether m is an HTTP token of letters.
func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for i := 0; i < len(m); i++ {
		if c := m[i]; c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// statusWriter keeps an answer in memory; the gate's answers are small.
type statusWriter struct {
	header http.Header
	status int
	body   []byte
}

func (s *statusWriter) Header() http.Header { return s.header }

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	s.body = append(s.body, b...)
	return len(b), nil
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// forwardProblem answers with a problem: [authgate.ProblemUnavailable] for
// 503, else [authgate.ProblemBadRequest] (the proxy's own mistakes).
func forwardProblem(w http.ResponseWriter, status int, title string) {
	typ := authgate.ProblemBadRequest
	if status == http.StatusServiceUnavailable {
		typ = authgate.ProblemUnavailable
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"type":"`+typ+`","title":"`+title+`","status":`+strconv.Itoa(status)+"}\n")
}
