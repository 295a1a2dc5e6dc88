package authgate

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxLoginBody bounds a login request's body.
const maxLoginBody = 8 << 10

// ServeHTTP serves the gate's own endpoints:
//
//	GET  LoginPath              the login page
//	POST LoginPath              sign in (a form, or JSON)
//	POST LogoutPath             sign out
//	POST Prefix+"keepalive"     extend the session; 204 or the login signal
//	GET  Prefix+"session"       who is signed in: 200 {"user_id", "user_name", "login"}, or Require's answer
//	GET  Prefix+"client.js"     the client script (also at the hashed URL of ScriptTag)
//	GET  Prefix+"oidc/NAME/start", Prefix+"oidc/NAME/callback"
//	                            sign in with Config.Providers (see [Provider])
//
// Mount it on those paths, for example with net/http's ServeMux:
//
//	mux.Handle("/login", gate)
//	mux.Handle("/logout", gate)
//	mux.Handle("/.authgate/", gate)
//
// [Gate.Require] and [Gate.Identify] hand exactly these paths to it too, so a
// router wrapped whole in either still serves them.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == g.cfg.LoginPath:
		g.serveLogin(w, r)
	case p == g.cfg.LogoutPath:
		g.serveLogout(w, r)
	case p == g.keepPath:
		g.serveKeepalive(w, r)
	case p == g.cfg.Prefix+"session":
		g.serveSession(w, r)
	case p == g.scriptPath:
		g.serveScript(w, r, true)
	case p == g.cfg.Prefix+"client.js":
		g.serveScript(w, r, false)
	default:
		if p, ep, ok := g.providerEndpoint(r.URL.Path); ok {
			g.serveProvider(w, r, p, ep)
			return
		}
		http.NotFound(w, r)
	}
}

// wantsJSON reports whether a request to a gate endpoint came from script
// and wants a JSON answer rather than a page or a redirect.
func (g *Gate) wantsJSON(r *http.Request) bool {
	if isJSON(r) {
		return true
	}
	return g.Classify(r) != KindNavigation
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(headerValue(r.Header, "Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// loginRequest is a sign-in, from a form or a JSON body.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	ReturnTo string `json:"return_to"`
}

// loginResponse answers a JSON sign-in.
type loginResponse struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	ReturnTo string `json:"return_to"`
}

func (g *Gate) serveLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		g.renderLogin(w, r, loginView{ReturnTo: SafeReturnTo(r.URL.Query().Get("return_to"))}, http.StatusOK)
	case http.MethodPost:
		g.postLogin(w, r)
	default:
		methodNotAllowed(w, "GET, HEAD, POST")
	}
}

// readLogin parses a sign-in body, a form or JSON, within maxLoginBody.
func readLogin(w http.ResponseWriter, r *http.Request) (loginRequest, int, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	var req loginRequest
	if isJSON(r) {
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, bodyStatus(err), errors.New("the request body is not a sign-in JSON object")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return req, http.StatusBadRequest, errors.New("the request body holds more than one JSON value")
		}
		return req, 0, nil
	}
	if err := r.ParseForm(); err != nil {
		return req, bodyStatus(err), errors.New("the form cannot be read")
	}
	req.Username = r.PostForm.Get("username")
	req.Password = r.PostForm.Get("password")
	req.ReturnTo = r.PostForm.Get("return_to")
	return req, 0, nil
}

func bodyStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func (g *Gate) postLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if g.cfg.CrossOrigin.Check(r) != nil {
		crossOrigin(w)
		return
	}
	asJSON := g.wantsJSON(r)
	if g.cfg.NoPasswordSignIn {
		w.Header().Set("Cache-Control", "no-store")
		writeProblem(w, http.StatusForbidden, ProblemNoPassword, "Password sign-in is turned off", "", "")
		return
	}
	req, status, err := readLogin(w, r)
	if err != nil {
		badRequest(w, status, err.Error())
		return
	}
	view := loginView{Username: req.Username, ReturnTo: SafeReturnTo(req.ReturnTo)}
	if len(req.Username) > 256 || strings.ContainsFunc(req.Username, isControl) {
		badRequest(w, http.StatusBadRequest, "the user name is not valid")
		return
	}
	login := req.Username // logins are matched exactly, as the stores do
	addr := g.cfg.ClientAddr(r)
	now := g.cfg.Now()
	if wait := g.throttle.takePassword(now, login, addr); wait > 0 {
		if asJSON {
			tooMany(w, wait)
			return
		}
		w.Header().Set("Retry-After", itoa(wait))
		view.Error = "Too many attempts. Please wait " + humanSeconds(wait) + " before you try again."
		g.renderLogin(w, r, view, http.StatusTooManyRequests)
		return
	}
	u, ok, err := g.checkPassword(r, addr, login, req.Password)
	if err != nil {
		g.throttle.release(now, login, addr)
		if errors.Is(err, errBusy) {
			busy(w)
			return
		}
		g.unavailable(w, r, err)
		return
	}
	if !ok {
		g.log.LogAttrs(ctx, infoLevel, "authgate: sign-in refused", userAttr(req.Username), addrAttr(addr))
		if asJSON {
			w.Header().Set("Cache-Control", "no-store")
			writeProblem(w, http.StatusUnauthorized, ProblemInvalidCredentials, "Wrong user name or password", ReasonInvalid, "")
			return
		}
		view.Error = "Wrong user name or password."
		g.renderLogin(w, r, view, http.StatusUnauthorized)
		return
	}
	g.throttle.passwordOK(now, login, addr)
	if _, err := g.SignIn(ctx, w, r, u); err != nil {
		g.unavailable(w, r, err)
		return
	}
	g.log.LogAttrs(ctx, infoLevel, "authgate: signed in", userAttr(u.Login), addrAttr(addr))
	dest := view.ReturnTo
	if dest == "" {
		dest = g.cfg.HomePath
	}
	if asJSON {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(loginResponse{UserID: u.ID, UserName: displayName(u), ReturnTo: dest})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", dest)
	w.WriteHeader(http.StatusSeeOther)
}

// checkPassword looks the user up and verifies the password. An unknown user
// is verified against a dummy hash, so both cost one hash and take the same
// path, and both wait their turn for a hash (see [HashLimitConfig]). err is
// a store failure or errBusy.
func (g *Gate) checkPassword(r *http.Request, addr, login, password string) (User, bool, error) {
	if login == "" || password == "" {
		return User{}, false, nil
	}
	u, err := g.store.UserByLogin(r.Context(), login)
	hash := u.PasswordHash
	switch {
	case errors.Is(err, ErrNotFound), err == nil && hash == "":
		// An unknown user, or one who has no password (signs in some
		// other way), costs one hash like a wrong password.
		hash = g.dummyHash
	case err != nil:
		return User{}, false, err
	}
	if err := g.hashes.acquire(r.Context(), addr); err != nil {
		return User{}, false, err
	}
	defer g.hashes.release()
	ok, verr := g.cfg.Hasher.Verify(password, hash)
	if verr != nil {
		// An unreadable hash cost no hashing: pay for one, so that this
		// user looks like any other to a timing attacker.
		g.log.LogAttrs(r.Context(), errorLevel, "authgate: a stored password hash cannot be read", userAttr(login))
		_, _ = g.cfg.Hasher.Verify(password, g.dummyHash)
		return User{}, false, nil
	}
	return u, ok && err == nil && u.PasswordHash != "", nil
}

func (g *Gate) serveLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	if g.cfg.CrossOrigin.Check(r) != nil {
		crossOrigin(w)
		return
	}
	if err := g.SignOut(r.Context(), w, r); err != nil {
		g.unavailable(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if g.wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Location", g.cfg.LoginPath+"?signed_out=1")
	w.WriteHeader(http.StatusSeeOther)
}

func (g *Gate) serveKeepalive(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	ctx := r.Context()
	now := g.cfg.Now()
	var res authResult
	g.sessionAuth(ctx, r, now, &res)
	switch {
	case res.err != nil:
		g.unavailable(w, r, res.err)
		return
	case !res.ok:
		g.deny(w, r, KindScript, res.reason)
		return
	case g.cfg.CrossOrigin.Check(r) != nil:
		crossOrigin(w)
		return
	}
	if err := g.keepalive(ctx, &res, now); err != nil {
		g.unavailable(w, r, err)
		return
	}
	g.setCompanion(w, r, &res.session, res.companion)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
