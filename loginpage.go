package authgate

import (
	"bytes"
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
