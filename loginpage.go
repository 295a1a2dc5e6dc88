package authgate

import (
	"net/http"
	"strconv"
	"time"
)

func (g *Gate) renderLogin(w http.ResponseWriter, r *http.Request, v loginView, status int) {
	v.Compact = r.URL.Query().Get("compact") == "1"
	v.Action = g.cfg.LoginPath
	if v.Compact {
		v.Action += "?compact=1"
	}
	if v.Error == "" {
		g.loginReason(r, &v)
	}
	v.PlainHTTP = g.plainHTTPNotice(r)
	v.Providers = g.providerLinks(v.ReturnTo)
	v.NoPassword = g.cfg.NoPasswordSignIn
	v.Status = status
	g.writePage(w, r, "the login page", g.loginTmpl, v, status, loginHeaders)
}

// loginHeaders let the login page be framed by the site itself (the
// client's sign-in dialog may show it compact in a frame).
var loginHeaders = pageHeaders{csp: "frame-ancestors 'self'", frameOptions: "SAMEORIGIN", referrerPolicy: "same-origin"}

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
