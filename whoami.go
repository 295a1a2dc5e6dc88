package authgate

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// sessionInfo is the answer of Prefix+"session" to a signed-in request.
type sessionInfo struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	Login    string `json:"login"`
}

// serveSession tells the client script who is signed in, for a page whose
// tag has no data-user-id (one a proxy inserted, or the app wrote by
// hand). It decides as [Gate.Require] does: a signed-in request gets 200
// with the user's id, display name and login (for the dialog's login
// field; empty when the store cannot tell, as in [Gate.ScriptTag]);
// anyone else gets Require's answer for their kind.
func (g *Gate) serveSession(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	var res authResult
	g.authenticate(r.Context(), r, &res)
	switch {
	case res.err != nil:
		g.unavailable(w, r, res.err)
		return
	case res.retry > 0:
		tooMany(w, res.retry)
		return
	case !res.ok:
		g.deny(w, r, g.Classify(r), res.reason)
		return
	case g.cfg.CrossOrigin.Check(r) != nil:
		crossOrigin(w)
		return
	}
	if res.id.Method == MethodSession {
		g.setCompanion(w, r, &res.session, res.companion)
	}
	info := sessionInfo{UserID: res.id.UserID, UserName: res.id.UserName}
	if u, err := g.store.User(r.Context(), res.id.UserID); err == nil {
		info.Login = u.Login
	}
	body, _ := json.Marshal(info) // strings only: never fails
	body = append(body, '\n')
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
