package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// The answers a request gets, as the access log and the metrics name them.
const (
	answerSignedIn      = "signed_in"      // signed in; the app (or upstream) answered
	answerLoginRequired = "login_required" // the login signal for the caller's kind
	answerUnavailable   = "unavailable"    // 503: the store failed
	answerThrottled     = "throttled"      // 429: too many failed attempts
	answerBadGateway    = "bad_gateway"    // 502: the upstream could not be reached
	answerForbidden     = "forbidden"      // 403: a cross-origin write or upgrade
	answerGate          = "gate"           // the gate's own endpoints: login page, logout, keepalive, script
	answerPublic        = "public"         // a path that needs no sign-in, answered without one
)

// requestNote is what the layers inside a request tell the access log and
// the metrics about it: who the gate found and what the upstream said. The
// outermost handler puts it in the request's context.
type requestNote struct {
	userID         string
	method         authgate.Method
	upstreamStatus int           // 0: no upstream answer
	upstreamTook   time.Duration // the upstream's time to its response header
}

type noteKey struct{}

// noteOf returns the request's note, or a throwaway one.
func noteOf(ctx context.Context) *requestNote {
	if n, ok := ctx.Value(noteKey{}).(*requestNote); ok {
		return n
	}
	return new(requestNote)
}

// observed is what [serving.observe] keeps for one request, in one
// allocation: the context that carries the note, and the recorder of the
// status. context.WithValue, a separate note and a separate recorder would
// take three.
type observed struct {
	noteContext
	rec statusRecorder
}

// connObserved is a connection's context with an [observed] that its
// requests take turns at: HTTP/1 serves one request at a time on a
// connection, so its requests need neither an allocation of their own nor
// a copy of the request to carry a new context. HTTP/2 serves many at
// once on a connection; each gets an observed of its own. The server puts
// it under every connection's requests (see [serving.newHTTPServer]).
type connObserved struct {
	context.Context
	o observed
}

type connObservedKey struct{}

// Value returns c for connObservedKey and asks the parent context for any
// other key. The key noteKey is the turn's own: it finds the note of the
// request being served.
func (c *connObserved) Value(key any) any {
	switch key.(type) {
	case connObservedKey:
		return c
	case noteKey:
		return &c.o.note
	}
	return c.Context.Value(key)
}

// connContext is the server's ConnContext: every connection's context gets
// room for its requests' [observed].
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return &connObserved{Context: ctx}
}

// observedFor returns the observed for r, answered through w, and the
// request to serve: r itself on an HTTP/1 connection that has room for
// one, else a copy of r with a context of its own. The caller clears the
// observed ([observed.clear]) once the request is done: so the next turn
// on the connection starts from an empty note, and an idle connection
// holds on to nothing of its last request (its writer, its note).
func observedFor(w http.ResponseWriter, r *http.Request) (*observed, *http.Request) {
	rec := statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if r.ProtoMajor == 1 {
		if c, ok := r.Context().Value(connObservedKey{}).(*connObserved); ok {
			c.o.rec = rec
			return &c.o, r
		}
	}
	o := &observed{noteContext: noteContext{Context: r.Context()}, rec: rec}
	return o, r.WithContext(&o.noteContext)
}

// clear empties o's note and recorder. Its context stays: what the request
// started (the upstream request's body, say) may still ask it for values.
func (o *observed) clear() {
	o.note, o.rec = requestNote{}, statusRecorder{}
}

// noteContext is a context that carries a request's note.
type noteContext struct {
	context.Context
	note requestNote
}

// Value returns the note for noteKey and asks the parent context for any
// other key.
func (c *noteContext) Value(key any) any {
	if _, ok := key.(noteKey); ok {
		return &c.note
	}
	return c.Context.Value(key)
}

// signedIn wraps a handler that runs behind the gate, noting who the gate
// found for the access log and the metrics. Serving commands put it between
// the gate and the handler it protects.
func signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := authgate.FromContext(r.Context()); ok {
			n := noteOf(r.Context())
			n.userID, n.method = id.UserID, id.Method
		}
		next.ServeHTTP(w, r)
	})
}

// observe wraps h, which serves gate g, with the access log and the
// metrics: one line and one count per request, with the caller's kind, the
// answer, the user id, the duration and the upstream's status. It logs no
// query string, header, cookie or body: they may hold what must not be
// logged.
func (s *serving) observe(g *authgate.Gate, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		o, inner := observedFor(w, r)
		defer o.clear()
		rec, n := &o.rec, &o.note
		h.ServeHTTP(rec, inner)
		end := time.Now()
		took := end.Sub(start)
		logged := rec.status >= 500 || s.sample.take()
		if s.metrics == nil && !logged {
			return // neither counted nor logged: no need to name the kind or the answer
		}
		kind, answer := g.Classify(r), answerOf(r, rec, n)
		if s.metrics != nil {
			s.metrics.observe(r, kind, answer, rec.status, n)
		}
		if !logged {
			return
		}
		// Room for every attribute, so that the line's attributes need no
		// allocation of their own.
		var buf [10]slog.Attr
		attrs := append(buf[:0],
			slog.String("method", r.Method),
			slog.String("path", printable(clip(r.URL.Path, 200))),
			slog.Int("status", rec.status),
			slog.Duration("took", took),
			slog.String("kind", kind.String()),
			slog.String("answer", answer),
		)
		if n.userID != "" {
			attrs = append(attrs, slog.String("user", printable(clip(n.userID, 64))), slog.String("auth", n.method.String()))
		}
		if n.upstreamStatus != 0 {
			attrs = append(attrs, slog.Int("upstream_status", n.upstreamStatus), slog.Duration("upstream_took", n.upstreamTook))
		}
		s.logLine(r.Context(), end, attrs)
	})
}

// logLine writes the access log line at t with attrs, as
// [slog.Logger.LogAttrs] would but without looking up the caller's
// source position, which no handler of the command writes.
func (s *serving) logLine(ctx context.Context, t time.Time, attrs []slog.Attr) {
	h := s.log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(t, slog.LevelInfo, "http", 0)
	rec.AddAttrs(attrs...)
	_ = h.Handle(ctx, rec)
}

// answerOf names the answer r got from what the handler wrote and what the
// layers inside noted. The gate's answers are told apart by their marks:
// the login signal is a 303 to the login page, a response with an
// Authgate-Login header, or a 401 with a Basic challenge.
func answerOf(r *http.Request, rec *statusRecorder, n *requestNote) string {
	if rec.status == http.StatusBadGateway && n.upstreamStatus == 0 {
		return answerBadGateway
	}
	if n.userID != "" {
		return answerSignedIn
	}
	if n.upstreamStatus != 0 {
		return answerPublic
	}
	h := rec.Header()
	switch {
	case isGatePath(r.URL.Path):
		return answerGate
	case rec.status == http.StatusServiceUnavailable:
		return answerUnavailable
	case rec.status == http.StatusTooManyRequests:
		return answerThrottled
	case rec.status == http.StatusForbidden:
		return answerForbidden
	case h.Get("Authgate-Login") != "",
		rec.status == http.StatusSeeOther && strings.HasPrefix(h.Get("Location"), loginPath),
		rec.status == http.StatusUnauthorized && strings.HasPrefix(h.Get("Www-Authenticate"), "Basic "):
		return answerLoginRequired
	}
	return answerPublic
}

// The gate's paths: the command keeps the gate's defaults.
const (
	loginPath  = "/login"
	logoutPath = "/logout"
	gatePrefix = "/.authgate/"
)

func isGatePath(p string) bool {
	return p == loginPath || p == logoutPath || strings.HasPrefix(p, gatePrefix)
}

// sampler decides which requests the access log writes.
type sampler struct{ share float64 }

func newSampler(share float64) sampler { return sampler{share: share} }

// take reports whether to log this request.
func (s sampler) take() bool {
	switch {
	case s.share >= 1:
		return true
	case s.share <= 0:
		return false
	}
	return rand.Float64() < s.share
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	// An informational 1xx (103 Early Hints) is not the answer; 101 is.
	if !s.wrote && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// noteTransport makes the requests to the upstream with rt, noting the
// upstream's status and time, and who the gate found, in the request's
// note.
type noteTransport struct{ rt http.RoundTripper }

func (t noteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.rt.RoundTrip(r)
	n := noteOf(r.Context())
	if id, ok := authgate.FromContext(r.Context()); ok {
		n.userID, n.method = id.UserID, id.Method
	}
	if err == nil {
		n.upstreamStatus, n.upstreamTook = res.StatusCode, time.Since(start)
	}
	return res, err
}
