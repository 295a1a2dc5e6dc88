package bench

import (
	"io"
	"net/http"
)

// Body is what Handler writes.
const Body = "ok\n"

// Handler returns the trivial app handler that every contender guards: it
// writes a short text body with status 200, and nothing else, so that what
// is measured is the guard in front of it.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, Body)
	})
}

// loginRequired is the answer a peer's guard gives a request without a
// live session: what an app would write by hand around scs or
// gorilla/sessions, a 401 with a short JSON body that the page can act on.
func loginRequired(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, `{"error":"login required","login_url":"/login"}`)
}
