package main

import (
	"context"
	"crypto/subtle"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	loginPath  = "/login"
	logoutPath = "/logout"
	// maxFormBytes bounds the sign-in form's body.
	maxFormBytes = 16 << 10
)

// loginPage is the provider's sign-in page: a password form.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in – test provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Sign in to the test provider</h1>
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Email</label>
<input id="username" name="username" type="email" autocomplete="username" required value="{{.Username}}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>
</body>
</html>
`))

// login serves the sign-in page, completes authorization requests and
// keeps the browser sessions.
type login struct {
	storage  *storage
	sessions *sessions
	provider op.OpenIDProvider
	// callback is the URL the browser goes back to once request id is done.
	callback func(ctx context.Context, id string) string
}

func (l *login) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+loginPath, l.show)
	mux.HandleFunc("POST "+loginPath, l.submit)
	mux.HandleFunc("GET "+logoutPath, l.logout)
}

// show answers the redirect from the authorize endpoint: with a live
// browser session (and no prompt=login) the request is done at once, with
// no page; without one it shows the form, or answers login_required to a
// prompt=none request.
func (l *login) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	req, err := l.storage.request(id)
	if err != nil {
		http.Error(w, "unknown or expired authorization request", http.StatusBadRequest)
		return
	}
	if !req.hasPrompt(oidc.PromptLogin) {
		if sess, ok := l.sessions.get(r); ok && (req.hintSubject == "" || req.hintSubject == sess.subject) {
			l.finish(w, r, id, sess)
			return
		}
	}
	if req.hasPrompt(oidc.PromptNone) {
		op.AuthRequestError(w, r, req, oidc.ErrLoginRequired(), l.provider)
		return
	}
	l.render(w, http.StatusOK, id, "", "")
}

// submit checks the form's email and password.
func (l *login) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form", http.StatusBadRequest)
		return
	}
	id, email, password := r.PostForm.Get("id"), r.PostForm.Get("username"), r.PostForm.Get("password")
	if _, err := l.storage.request(id); err != nil {
		http.Error(w, "unknown or expired authorization request", http.StatusBadRequest)
		return
	}
	u := userByEmail(email)
	if u == nil || subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		l.render(w, http.StatusUnauthorized, id, email, "Wrong email or password.")
		return
	}
	slog.InfoContext(r.Context(), "signed in", "subject", u.subject)
	l.finish(w, r, id, l.sessions.start(w, u.subject))
}

// finish marks request id as signed in by the session's user and sends the
// browser on to the library's callback, which answers the client.
func (l *login) finish(w http.ResponseWriter, r *http.Request, id string, sess session) {
	if err := l.storage.complete(id, sess.subject, sess.authTime); err != nil {
		http.Error(w, "unknown or expired authorization request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

// logout ends the browser's session at the provider.
func (l *login) logout(w http.ResponseWriter, r *http.Request) {
	l.sessions.end(w, r)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("signed out of the test provider\n"))
}

// render writes the sign-in page for request id with status.
func (l *login) render(w http.ResponseWriter, status int, id, email, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	data := struct{ Action, ID, Username, Error string }{loginPath, id, email, msg}
	if err := loginPage.Execute(w, data); err != nil {
		slog.Error("rendering the sign-in page", "err", err)
	}
}
