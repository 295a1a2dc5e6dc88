package authgate

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// loginView is what the login page shows.
type loginView struct {
	Action   string // where the form posts
	Username string // kept after a failed attempt
	ReturnTo string // a safe path, or ""
	Note     string // why the user is here
	Error    string // what went wrong with the last attempt
	Compact  bool   // the variant shown inside the client's sign-in dialog
}

func (g *Gate) renderLogin(w http.ResponseWriter, r *http.Request, v loginView, status int) {
	v.Compact = r.URL.Query().Get("compact") == "1"
	v.Action = g.cfg.LoginPath
	if v.Compact {
		v.Action += "?compact=1"
	}
	if v.Note == "" && v.Error == "" {
		v.Note = g.loginNote(r)
	}
	var buf bytes.Buffer
	if err := g.loginTmpl.Execute(&buf, v); err != nil {
		g.log.LogAttrs(r.Context(), errorLevel, "authgate: rendering the login page", errAttr(err))
		http.Error(w, "the login page cannot be shown", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// loginNote says why the user is on the login page, from the session cookie
// the browser still sends, as [Gate.Require] decided it. It never trusts a
// query parameter for this, so a link cannot make the page say something
// false.
func (g *Gate) loginNote(r *http.Request) string {
	if r.URL.Query().Get("signed_out") == "1" {
		return "You have signed out."
	}
	now := g.cfg.Now()
	var res authResult
	g.sessionState(r.Context(), r, now, &res)
	s := res.session
	switch {
	case res.err != nil:
		return ""
	case res.ok:
		return "You are signed in as " + s.UserName + ". Sign in again to switch user."
	case res.reason == ReasonRevoked:
		return "You were signed out, from another window or device or by an administrator. Please sign in again."
	case res.reason != ReasonExpired:
		return ""
	case s.UserID == "":
		return "Your session has ended. Please sign in again."
	case !now.Before(s.Expires):
		return "Your session reached its limit of " + humanDuration(s.Expires.Sub(s.CreatedAt)) + ". Please sign in again."
	}
	return "Your session expired after " + humanDuration(s.IdleTimeout) + " without activity. Please sign in again."
}

// humanDuration writes d as "30 minutes", "12 hours" or "90 seconds".
func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	case d >= time.Minute:
		return plural(int((d+30*time.Second)/time.Minute), "minute")
	}
	return plural(int((d+time.Second/2)/time.Second), "second")
}

func humanSeconds(s int) string { return humanDuration(time.Duration(s) * time.Second) }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func itoa(n int) string { return strconv.Itoa(n) }
