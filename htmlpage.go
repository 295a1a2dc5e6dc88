package authgate

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageHeaders are the headers that differ between the gate's own HTML
// pages: who may frame the page, what it may load, and what it tells the
// sites it links to.
type pageHeaders struct {
	csp, frameOptions, referrerPolicy string
}

// writePage renders tmpl with v and answers with it (the body left out for
// HEAD), status, and the headers of h; every page is sent with no-store.
// A page that does not render is logged and answered 500 with a line that
// names it (name: "the login page").
func (g *Gate) writePage(w http.ResponseWriter, r *http.Request, name string, tmpl *template.Template, v any, status int, h pageHeaders) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		g.log.LogAttrs(r.Context(), errorLevel, "authgate: rendering "+name, errAttr(err))
		http.Error(w, name+" cannot be shown", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Frame-Options", h.frameOptions)
	hdr.Set("Referrer-Policy", h.referrerPolicy)
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
