package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authgate/authgate"
)

// metrics are the Prometheus metrics of a serving command, served on
// --metrics-addr only. Only the command imports client_golang: apps that
// import the library never build it.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // kind, answer
	signIns  *prometheus.CounterVec   // result
	keyUses  *prometheus.CounterVec   // result
	store    *prometheus.HistogramVec // op
	storeErr *prometheus.CounterVec   // op
	upstream prometheus.Histogram
	gate     atomic.Pointer[authgate.Gate] // whose load the gauges read
	load     []prometheus.Collector
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authgate_requests_total",
			Help: "Requests by kind of caller (navigation, script, machine) and answer (signed_in, login_required, unavailable, throttled, bad_gateway, forbidden, gate, public). Health checks are not counted.",
		}, []string{"kind", "answer"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authgate_sign_ins_total",
			Help: "Sign-ins posted to the login page by result: ok, refused (wrong user name or password), throttled, unavailable, forbidden (cross-origin) or bad_request.",
		}, []string{"result"}),
		keyUses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authgate_api_key_uses_total",
			Help: "Requests that carried an API key (HTTP Basic), by result: ok, refused or throttled.",
		}, []string{"result"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "authgate_store_duration_seconds",
			Help:    "Time the store took per operation on the request path.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"op"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authgate_store_errors_total",
			Help: "Store operations that failed (not found is no failure), by operation.",
		}, []string{"op"}),
		upstream: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "authgate_upstream_duration_seconds",
			Help:    "Time the upstream took to its response header (the proxy only).",
			Buckets: prometheus.DefBuckets,
		}),
	}
	m.load = m.loadGauges()
	m.reg.MustRegister(m.own()...)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watch makes the load gauges read g (see [authgate.Gate.Load]) at each
// scrape; until it is called they read zero.
func (m *metrics) watch(g *authgate.Gate) { m.gate.Store(g) }

// loadGauges returns the gauges of the watched gate's load: the password
// hashes running and waiting, and the throttle's counters below and at
// their limit.
func (m *metrics) loadGauges() []prometheus.Collector {
	gauge := func(name, help string, read func(authgate.Load) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			g := m.gate.Load()
			if g == nil {
				return 0
			}
			return float64(read(g.Load()))
		})
	}
	return []prometheus.Collector{
		gauge("authgate_hashes_running", "Password hashes running now.", func(l authgate.Load) int { return l.HashesRunning }),
		gauge("authgate_hashes_waiting", "Sign-ins waiting for a password hash.", func(l authgate.Load) int { return l.HashesWaiting }),
		gauge("authgate_throttle_counting", "Failure counters the throttle holds below their limit.", func(l authgate.Load) int { return l.ThrottleCounting }),
		gauge("authgate_throttle_limited", "Failure counters at their limit: lockouts and delays in force or ended within the window.", func(l authgate.Load) int { return l.ThrottleLimited }),
	}
}

// own returns the command's own metrics (not the Go runtime's).
func (m *metrics) own() []prometheus.Collector {
	return append([]prometheus.Collector{m.requests, m.signIns, m.keyUses, m.store, m.storeErr, m.upstream}, m.load...)
}

// observe counts one request that got answer.
func (m *metrics) observe(r *http.Request, kind authgate.Kind, answer string, status int, n *requestNote) {
	m.requests.WithLabelValues(kind.String(), answer).Inc()
	if r.Method == http.MethodPost && r.URL.Path == loginPath {
		m.signIns.WithLabelValues(signInResult(status)).Inc()
	}
	switch {
	case n.method == authgate.MethodAPIKey:
		m.keyUses.WithLabelValues("ok").Inc()
	case answer == answerLoginRequired && hasBasic(r):
		m.keyUses.WithLabelValues("refused").Inc()
	case answer == answerThrottled && hasBasic(r):
		m.keyUses.WithLabelValues("throttled").Inc()
	}
	if n.upstreamStatus != 0 {
		m.upstream.Observe(n.upstreamTook.Seconds())
	}
}

// signInResult names the result of a sign-in by the status it got.
func signInResult(status int) string {
	switch status {
	case http.StatusSeeOther, http.StatusOK:
		return "ok"
	case http.StatusUnauthorized:
		return "refused"
	case http.StatusTooManyRequests:
		return "throttled"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusForbidden:
		return "forbidden"
	}
	return "bad_request"
}

func hasBasic(r *http.Request) bool {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "basic")
}

// metricsHandler serves /metrics and the health endpoints.
func (s *serving) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	health := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.ready.serveHealth(w, r) })
	mux.Handle(livePath, health)
	mux.Handle(readyPath, health)
	return mux
}

// timedStore times the store operations a request can cause.
type timedStore struct {
	store
	m *metrics
}

// time records how long the operation op took since start, and whether it
// failed.
func (t timedStore) time(op string, start time.Time, err error) {
	t.m.store.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil && !errors.Is(err, authgate.ErrNotFound) {
		t.m.storeErr.WithLabelValues(op).Inc()
	}
}

func (t timedStore) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	start := time.Now()
	s, err := t.store.Session(ctx, id)
	t.time("session", start, err)
	return s, err
}

func (t timedStore) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	start := time.Now()
	err := t.store.TouchSession(ctx, id, seen)
	t.time("touch_session", start, err)
	return err
}

func (t timedStore) CreateSession(ctx context.Context, s authgate.Session) error {
	start := time.Now()
	err := t.store.CreateSession(ctx, s)
	t.time("create_session", start, err)
	return err
}

func (t timedStore) RevokeSession(ctx context.Context, id authgate.Hash) error {
	start := time.Now()
	err := t.store.RevokeSession(ctx, id)
	t.time("revoke_session", start, err)
	return err
}

func (t timedStore) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	start := time.Now()
	s, err := t.store.UserSessions(ctx, userID)
	t.time("user_sessions", start, err)
	return s, err
}

func (t timedStore) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	start := time.Now()
	k, err := t.store.Key(ctx, id)
	t.time("key", start, err)
	return k, err
}

func (t timedStore) TouchKey(ctx context.Context, id string, used time.Time) error {
	start := time.Now()
	err := t.store.TouchKey(ctx, id, used)
	t.time("touch_key", start, err)
	return err
}

func (t timedStore) User(ctx context.Context, id string) (authgate.User, error) {
	start := time.Now()
	u, err := t.store.User(ctx, id)
	t.time("user", start, err)
	return u, err
}

func (t timedStore) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	start := time.Now()
	u, err := t.store.UserByLogin(ctx, login)
	t.time("user_by_login", start, err)
	return u, err
}
