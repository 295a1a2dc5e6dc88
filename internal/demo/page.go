package demo

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"time"

	"github.com/authgate/authgate"
)

//go:embed assets
var assets embed.FS

// pageSecurity is the page's Content-Security-Policy. Scripts come only
// from this origin (the gate's client script and demo.js); styles may be
// inline, for the page's own <style> and for whatever the client script
// draws; frames only from this origin, for the client's sign-in dialog.
const pageSecurity = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; " +
	"base-uri 'none'; object-src 'none'"

// pageData is what page.html shows.
type pageData struct {
	Name      string        // who is signed in
	Script    template.HTML // the gate's client script tag
	ScriptURL string        // the page's own script
	Notes     []Note        // for browsers without script
	NoteMax   int           // MaxNoteLen
}

type pageRenderer struct{ tmpl *template.Template }

func newPageRenderer() pageRenderer {
	funcs := template.FuncMap{"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) }}
	return pageRenderer{template.Must(template.New("page.html").Funcs(funcs).ParseFS(assets, "assets/page.html"))}
}

func (a *app) servePage(w http.ResponseWriter, r *http.Request, id *authgate.Identity) {
	notes, err := a.notes.List(r.Context(), id.UserID, ListLimit)
	if err != nil {
		a.failed(w, r, err)
		return
	}
	data := pageData{
		Name:      displayName(id),
		Script:    a.gate.ScriptTag(r, authgate.ClientOptions{Mode: a.opts.ClientMode, WarnSeconds: int(a.opts.WarnBefore / time.Second)}),
		ScriptURL: "/demo.js?v=" + a.script.tag,
		Notes:     notes,
		NoteMax:   MaxNoteLen,
	}
	var buf bytes.Buffer
	if err := a.page.tmpl.Execute(&buf, data); err != nil {
		a.failed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageSecurity)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// displayName is the name the page greets: the display name of a session,
// or the user id for an API key, which carries no name.
func displayName(id *authgate.Identity) string {
	if id.UserName != "" {
		return id.UserName
	}
	return id.UserID
}

// staticFile is an embedded asset served with an ETag.
type staticFile struct {
	name  string
	ctype string
	body  []byte
	tag   string // short content hash
}

func newStaticFile(name, ctype string) staticFile {
	body, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic("demo: missing embedded asset " + name)
	}
	sum := sha256.Sum256(body)
	return staticFile{name: name, ctype: ctype, body: body, tag: hex.EncodeToString(sum[:6])}
}

// ServeHTTP serves the file. Its URL on the page carries the content hash,
// so it may be cached for long; a bare URL is revalidated.
func (f staticFile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Etag", `"`+f.tag+`"`)
	if r.URL.Query().Get("v") == f.tag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}
