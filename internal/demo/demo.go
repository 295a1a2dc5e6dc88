package demo

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/authgate/authgate"
)

// Options configures the demo app. The zero value is ready to use.
type Options struct {
	// ClientMode is what the gate's client script does when a script call
	// meets an ended session. Default authgate.ClientDialog.
	ClientMode authgate.ClientMode
	// WarnBefore is how long before the session ends the page warns; see
	// [authgate.ClientOptions.WarnSeconds]. Zero lets the script choose.
	WarnBefore time.Duration
	// Logger receives the app's errors. Default slog.Default().
	Logger *slog.Logger
	// Now stamps new notes. Default time.Now.
	Now func() time.Time
	// Inner, if set, wraps every handler that runs behind the gate, where
	// the request carries the signed-in identity: the command notes the
	// user for its access log with it.
	Inner func(http.Handler) http.Handler
}

// app is the demo's handlers and what they share.
type app struct {
	gate   *authgate.Gate
	notes  Notes
	opts   Options
	page   pageRenderer
	script staticFile
}

// New returns the demo app as one handler: the page, the notes API and the
// form behind g.Require, and g's own endpoints (/login, /logout and
// /.authgate/). g must use the default LoginPath, LogoutPath and Prefix.
// New panics if g or notes is nil.
func New(g *authgate.Gate, notes Notes, opts Options) http.Handler {
	if g == nil || notes == nil {
		panic("demo: New needs a gate and a notes store")
	}
	if opts.ClientMode == "" {
		opts.ClientMode = authgate.ClientDialog
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &app{
		gate:   g,
		notes:  notes,
		opts:   opts,
		page:   newPageRenderer(),
		script: newStaticFile("demo.js", "text/javascript; charset=utf-8"),
	}
	mux := http.NewServeMux()
	mux.Handle("/login", g)
	mux.Handle("/logout", g)
	mux.Handle("/.authgate/", g)
	mux.Handle("GET /{$}", a.protect(a.servePage))
	mux.Handle("GET /api/notes", a.protect(a.listNotes))
	mux.Handle("POST /api/notes", a.protect(a.addNoteJSON))
	mux.Handle("POST /notes", a.protect(a.addNoteForm))
	mux.Handle("GET /demo.js", a.script)
	return mux
}

// userHandler is a handler that needs to know who is signed in.
type userHandler func(w http.ResponseWriter, r *http.Request, id *authgate.Identity)

// protect puts h behind the gate and hands it the identity the gate found.
func (a *app) protect(h userHandler) http.Handler {
	var inner http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := authgate.FromContext(r.Context())
		if !ok { // cannot happen behind Require; refuse rather than guess
			http.Error(w, "no identity", http.StatusInternalServerError)
			return
		}
		h(w, r, id)
	})
	if a.opts.Inner != nil {
		inner = a.opts.Inner(inner)
	}
	return a.gate.Require(inner)
}
