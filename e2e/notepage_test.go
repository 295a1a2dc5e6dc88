package e2e

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

// notePage holds the page scripts and markup the Go test app shares with
// the Python app (pyapp/app.py): both inline the same files.
//
//go:embed notepage
var notePage embed.FS

// pageFuncs lets a page template inline a notepage file: {{js "note.js"}},
// {{html "fields.html"}}.
var pageFuncs = template.FuncMap{
	"js": func(name string) (template.JS, error) {
		b, err := notePage.ReadFile("notepage/" + name)
		return template.JS(b), err //nolint:gosec // the test's own files
	},
	"html": func(name string) (template.HTML, error) {
		b, err := notePage.ReadFile("notepage/" + name)
		return template.HTML(b), err //nolint:gosec // the test's own files
	},
}

// writePage renders a test page and sends it, never cached.
func writePage(w http.ResponseWriter, tmpl *template.Template, data any) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
