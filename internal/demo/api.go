package demo

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/authgate/authgate"
)

// maxNoteBody bounds a note's request body, JSON or form.
const maxNoteBody = 16 << 10

// notesList is the body of GET /api/notes.
type notesList struct {
	Notes []Note `json:"notes"`
}

// noteInput is the body of POST /api/notes.
type noteInput struct {
	Text string `json:"text"`
}

func (a *app) listNotes(w http.ResponseWriter, r *http.Request, id *authgate.Identity) {
	notes, err := a.notes.List(r.Context(), id.UserID, ListLimit)
	if err != nil {
		a.failed(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, notesList{Notes: notes})
}

func (a *app) addNoteJSON(w http.ResponseWriter, r *http.Request, id *authgate.Identity) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeProblem(w, http.StatusUnsupportedMediaType, `send the note as JSON: Content-Type: application/json, body {"text": "..."}`)
		return
	}
	var in noteInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxNoteBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeProblem(w, bodyStatus(err), `the body is not a JSON object {"text": "..."}`)
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeProblem(w, http.StatusBadRequest, "the body holds more than one JSON value")
		return
	}
	text, err := CleanText(in.Text)
	if err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	n, err := a.notes.Add(r.Context(), id.UserID, text, a.opts.Now())
	if err != nil {
		a.failed(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

// formError is the small page that answers a form post the app refuses.
var formError = template.Must(template.New("form-error").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error: note not saved</title>
<main><h1>Note not saved</h1><p id="error" role="alert">Your note was not saved: {{.}}.</p><p><a href="/">Back to your notes</a></p></main>
</html>
`))

func (a *app) addNoteForm(w http.ResponseWriter, r *http.Request, id *authgate.Identity) {
	r.Body = http.MaxBytesReader(w, r.Body, maxNoteBody)
	if err := r.ParseForm(); err != nil {
		a.formFailed(w, bodyStatus(err), "the form cannot be read")
		return
	}
	text, err := CleanText(r.PostForm.Get("text"))
	if err != nil {
		a.formFailed(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if _, err := a.notes.Add(r.Context(), id.UserID, text, a.opts.Now()); err != nil {
		a.failed(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/")
	w.WriteHeader(http.StatusSeeOther)
}

// formFailed answers a refused form post with a page that says why. msg is
// one of the app's own fixed messages.
func (a *app) formFailed(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageSecurity)
	w.WriteHeader(status)
	_ = formError.Execute(w, msg)
}

// failed answers a request the notes store could not serve. The error goes
// to the log, not to the client.
func (a *app) failed(w http.ResponseWriter, r *http.Request, err error) {
	a.opts.Logger.LogAttrs(r.Context(), slog.LevelError, "demo: notes store failed",
		slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	writeProblem(w, http.StatusInternalServerError, "the notes cannot be reached")
}

// problem is an RFC 9457 problem body.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
}

func writeProblem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: title, Status: status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func bodyStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
