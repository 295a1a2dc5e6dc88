package soak

// The simulated users of TestSoak: each signs in, makes calls of every
// kind, signs out or lets its session end, and judges every answer it gets
// against what the gate promises.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// client is one simulated user.
type client struct {
	w   *world
	i   int
	rng *rand.Rand
	// steady clients neither pause nor sign out
	steady bool

	tok         string // the session token, "" when signed out
	id          string // the session id the app reported, "" until known
	signInStart time.Time
	signInEnd   time.Time
	okStart     time.Time // the last served request
	okEnd       time.Time
	loggedOut   bool

	keyID, secret string
}

// answer is one response, with when its request was sent and answered.
type answer struct {
	status int
	header http.Header
	body   []byte
	t0, t1 time.Time
}

// call is one request a client makes, with the login URL a signal for it
// must carry.
type call struct {
	kind   kind
	method string
	path   string
	login  string
}

func (c *client) do(cl call) (answer, bool) {
	r, err := http.NewRequest(cl.method, c.w.base+cl.path, nil)
	if err != nil {
		c.w.tally.problem("request %s %s: %v", cl.method, cl.path, err)
		return answer{}, false
	}
	page := c.w.base + "/page/" + strconv.Itoa(c.rng.IntN(1000))
	switch cl.kind {
	case navigation:
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Accept", "text/html,*/*;q=0.8")
	case script, scriptPost, keepalive:
		r.Header.Set("Sec-Fetch-Mode", "cors")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Referer", page)
	case htmx:
		r.Header.Set("Sec-Fetch-Mode", "cors")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("HX-Request", "true")
		r.Header.Set("HX-Current-URL", page)
	}
	switch cl.kind {
	case script, scriptPost, keepalive, htmx:
		cl.login = "/login?return_to=" + url.QueryEscape(strings.TrimPrefix(page, c.w.base))
	case machine, apiKey:
		cl.login = "/login"
	}
	if cl.kind == apiKey {
		r.SetBasicAuth(c.keyID, c.secret)
	} else {
		r.Header.Set("Cookie", "__Host-authgate="+c.tok)
	}
	a, ok := c.send(r)
	if ok {
		c.judge(cl, a)
	}
	return a, ok
}

// send makes one request and reads the whole answer.
func (c *client) send(r *http.Request) (answer, bool) {
	a := answer{t0: time.Now()}
	res, err := c.w.http.Do(r)
	if err != nil {
		c.w.tally.problem("%s %s: %v", r.Method, r.URL.Path, err)
		return a, false
	}
	a.body, err = io.ReadAll(res.Body)
	res.Body.Close()
	a.t1 = time.Now()
	if err != nil {
		c.w.tally.problem("%s %s: reading the body: %v", r.Method, r.URL.Path, err)
		return a, false
	}
	a.status, a.header = res.StatusCode, res.Header
	c.w.tally.requests.Add(1)
	if a.status >= 500 {
		c.w.tally.server5xx.Add(1)
		c.w.tally.problem("%s %s answered %d: %q", r.Method, r.URL.Path, a.status, a.body)
		return a, false
	}
	return a, true
}

// runSession signs in, uses the session until it ends, and again, until
// the run ends.
func (c *client) runSession() {
	for !c.w.stopped.Load() {
		if c.tok == "" {
			if !c.signIn() {
				return
			}
			continue
		}
		n := strconv.Itoa(c.rng.IntN(1000))
		p := c.rng.IntN(100)
		if c.steady && p < 5 {
			p += 5
		}
		switch {
		case p < 2:
			c.think()
		case p < 5:
			c.logout()
		case p < 15:
			c.do(call{kind: keepalive, method: http.MethodPost, path: "/.authgate/keepalive"})
		case p < 25:
			c.do(call{kind: scriptPost, method: http.MethodPost, path: "/app/" + n})
		default:
			k := []kind{navigation, script, htmx, machine}[c.rng.IntN(4)]
			uri := "/app/" + n + "?q=" + n
			c.do(call{kind: k, method: http.MethodGet, path: uri, login: "/login?return_to=" + url.QueryEscape(uri)})
		}
	}
}

// think pauses past the idle timeout, as a user who walked away.
func (c *client) think() {
	c.w.tally.thinks.Add(1)
	time.Sleep(idleTimeout + 100*time.Millisecond)
}

func (c *client) signIn() bool {
	body, _ := json.Marshal(map[string]string{"username": userID(c.i), "password": password(c.i)})
	r, err := http.NewRequest(http.MethodPost, c.w.base+"/login", bytes.NewReader(body))
	if err != nil {
		c.w.tally.problem("sign-in request: %v", err)
		return false
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	a, ok := c.send(r)
	if !ok {
		return false
	}
	var tok string
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == "__Host-authgate" {
			tok = ck.Value
		}
	}
	if a.status != http.StatusOK || tok == "" {
		c.w.tally.problem("sign-in of %s answered %d without a session: %q", userID(c.i), a.status, a.body)
		return false
	}
	c.w.tally.logins.Add(1)
	c.tok, c.id, c.loggedOut = tok, "", false
	c.signInStart, c.signInEnd = a.t0, a.t1
	c.okStart, c.okEnd = a.t0, a.t1
	c.w.current[c.i].Store(nil)
	return true
}

// logout signs out, then replays the old token once: it must be refused.
func (c *client) logout() {
	r, _ := http.NewRequest(http.MethodPost, c.w.base+"/logout", nil)
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Cookie", "__Host-authgate="+c.tok)
	a, ok := c.send(r)
	if !ok {
		return
	}
	if a.status != http.StatusNoContent {
		c.w.tally.problem("logout answered %d: %q", a.status, a.body)
		return
	}
	c.w.tally.logouts.Add(1)
	c.loggedOut = true
	k := []kind{navigation, script, htmx, machine}[c.rng.IntN(4)]
	uri := "/app/replay"
	if a, ok := c.do(call{kind: k, method: http.MethodGet, path: uri, login: "/login?return_to=" + url.QueryEscape(uri)}); ok && c.tok != "" {
		c.w.tally.problem("a token replayed after logout was served (%d %q)", a.status, a.body)
		c.tok = ""
	}
}

// judge checks one answer to a session or API key call.
func (c *client) judge(cl call, a answer) {
	tl := c.w.tally
	success := (cl.kind == keepalive && a.status == http.StatusNoContent) || (cl.kind != keepalive && a.status == http.StatusOK)
	if success {
		c.served(cl, a)
		return
	}
	reason, ok := c.signal(cl, a)
	if !ok {
		return
	}
	if reason == "" { // a page load: revoked if anything revoked it
		reason = authgate.ReasonExpired
		if c.revocationSeen(cl.kind, a.t1) {
			reason = authgate.ReasonRevoked
		}
	}
	switch reason {
	case authgate.ReasonRevoked:
		tl.revoked[cl.kind].Add(1)
		if !c.revocationSeen(cl.kind, a.t1) {
			tl.problem("%s call answered revoked, but nothing revoked it", kindNames[cl.kind])
		}
	case authgate.ReasonExpired:
		tl.expired[cl.kind].Add(1)
		if cl.kind == apiKey {
			tl.problem("an API key without expiry answered expired")
			break
		}
		earliest := c.signInStart.Add(lifetime)
		if idle := c.okStart.Add(idleTimeout - touchInterval); idle.Before(earliest) {
			earliest = idle
		}
		if a.t1.Before(earliest.Add(-margin)) && !c.loggedOut {
			tl.problem("%s call answered expired %v before the earliest deadline", kindNames[cl.kind], earliest.Sub(a.t1))
		}
	default:
		tl.problem("%s call answered reason %q", kindNames[cl.kind], reason)
	}
	if cl.kind == apiKey {
		c.keyID = ""
		c.w.keys[c.i].Store(nil)
	} else {
		c.tok = ""
		c.w.current[c.i].Store(nil)
	}
}

// served checks a served call: the right user, and a session or key that
// had not ended before the request was sent.
func (c *client) served(cl call, a answer) {
	tl := c.w.tally
	tl.served[cl.kind].Add(1)
	if cl.kind != keepalive {
		user, via, ok := strings.Cut(strings.TrimPrefix(string(a.body), "user="), " via=")
		if !ok || !strings.HasPrefix(string(a.body), "user=") {
			tl.problem("%s call served %q, not the app's answer", kindNames[cl.kind], a.body)
			return
		}
		if user != userID(c.i) {
			tl.wrongUser.Add(1)
			tl.problem("%s call of %s served for %s", kindNames[cl.kind], userID(c.i), user)
			return
		}
		switch {
		case cl.kind == apiKey && via != c.keyID:
			tl.problem("API key call served as key %q, sent %q", via, c.keyID)
		case cl.kind != apiKey && c.id == "":
			c.id = via
			c.w.current[c.i].Store(&via)
		case cl.kind != apiKey && via != c.id:
			tl.problem("%s call served as session %s, not %s", kindNames[cl.kind], via, c.id)
		}
	}
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if cl.kind == apiKey {
		if rv, ok := c.w.keyRevoked[c.keyID]; ok && !rv.done.IsZero() && rv.done.Before(a.t0) {
			tl.problem("an API key was served %v after its revocation returned", a.t0.Sub(rv.done))
		}
		return
	}
	if rv, ok := c.w.sessRevoked[c.id]; ok && c.id != "" && !rv.done.IsZero() && rv.done.Before(a.t0) {
		tl.problem("%s call served %v after its session's revocation returned", kindNames[cl.kind], a.t0.Sub(rv.done))
	}
	for _, rv := range c.w.userRevoked[userID(c.i)] {
		if rv.start.After(c.signInEnd) && !rv.done.IsZero() && rv.done.Before(a.t0) {
			tl.problem("%s call served %v after a revoke-all of its user returned", kindNames[cl.kind], a.t0.Sub(rv.done))
		}
	}
	if a.t0.After(c.signInEnd.Add(lifetime)) {
		tl.problem("%s call served %v past the session's lifetime", kindNames[cl.kind], a.t0.Sub(c.signInEnd.Add(lifetime)))
	}
	if a.t0.After(c.okEnd.Add(idleTimeout)) {
		tl.problem("%s call served %v past the session's idle deadline", kindNames[cl.kind], a.t0.Sub(c.okEnd.Add(idleTimeout)))
	}
	c.okStart, c.okEnd = a.t0, a.t1
}

// revocationSeen reports whether a revocation that could have ended the
// client's session or key had started by t1.
func (c *client) revocationSeen(k kind, t1 time.Time) bool {
	if k != apiKey && c.loggedOut {
		return true
	}
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if k == apiKey {
		rv, ok := c.w.keyRevoked[c.keyID]
		return ok && rv.start.Before(t1)
	}
	if rv, ok := c.w.sessRevoked[c.id]; ok && c.id != "" && rv.start.Before(t1) {
		return true
	}
	for _, rv := range c.w.userRevoked[userID(c.i)] {
		if rv.start.Before(t1) && (rv.done.IsZero() || rv.done.After(c.signInStart)) {
			return true
		}
	}
	return false
}

// signal checks that a is exactly the login-required signal for the
// call's kind (docs/PROTOCOL.md section 3) and returns its reason.
func (c *client) signal(cl call, a answer) (authgate.Reason, bool) {
	tl := c.w.tally
	h := a.header
	bad := func(format string, args ...any) (authgate.Reason, bool) {
		tl.problem("%s %s (%d): %s", kindNames[cl.kind], cl.path, a.status, fmt.Sprintf(format, args...))
		return "", false
	}
	if h.Get("Cache-Control") != "no-store" {
		return bad("Cache-Control %q", h.Get("Cache-Control"))
	}
	if cl.kind == navigation {
		switch {
		case a.status != http.StatusSeeOther:
			return bad("want 303; body %q", a.body)
		case h.Get("Location") != cl.login:
			return bad("Location %q, want %q", h.Get("Location"), cl.login)
		case h.Get("Authgate-Login") != "" || h.Get("Www-Authenticate") != "" || len(a.body) != 0:
			return bad("a page load's 303 with a signal header or a body")
		}
		// A page load is not told why (the login page finds out from the
		// cookie); judge works the reason out.
		return "", true
	}
	if a.status != http.StatusUnauthorized {
		return bad("want 401; body %q", a.body)
	}
	if h.Get("Content-Type") != "application/problem+json" {
		return bad("Content-Type %q", h.Get("Content-Type"))
	}
	var reason authgate.Reason
	switch cl.kind {
	case machine, apiKey:
		if got := h.Get("Www-Authenticate"); got != `Basic realm="authgate", charset="UTF-8"` {
			return bad("WWW-Authenticate %q", got)
		}
		if h.Get("Authgate-Login") != "" || h.Get("Location") != "" || h.Get("Hx-Redirect") != "" {
			return bad("a machine answer with script headers")
		}
	default:
		reason = authgate.Reason(h.Get("Authgate-Login"))
		switch {
		case h.Get("Www-Authenticate") != "":
			return bad("a script signal with WWW-Authenticate")
		case h.Get("Location") != cl.login:
			return bad("Location %q, want %q", h.Get("Location"), cl.login)
		case cl.kind == htmx && h.Get("Hx-Redirect") != cl.login:
			return bad("HX-Redirect %q, want %q", h.Get("Hx-Redirect"), cl.login)
		case cl.kind != htmx && h.Get("Hx-Redirect") != "":
			return bad("HX-Redirect on a call that is not htmx")
		}
	}
	var body map[string]any
	if err := json.Unmarshal(a.body, &body); err != nil {
		return bad("body %q: %v", a.body, err)
	}
	if reason == "" {
		r, _ := body["reason"].(string)
		reason = authgate.Reason(r)
	}
	want := map[string]any{
		"type": authgate.ProblemLoginRequired, "title": "Login required", "status": float64(401),
		"reason": string(reason), "login_url": cl.login,
	}
	if !reflect.DeepEqual(body, want) {
		return bad("body %q, want %v", a.body, want)
	}
	return reason, true
}

// runKey calls with an API key until the run ends, making a new key after
// each revocation.
func (c *client) runKey() {
	ctx := context.Background()
	for !c.w.stopped.Load() {
		if c.keyID == "" {
			k, secret, err := authgate.NewAPIKey(userID(c.i), "soak", time.Now(), time.Time{})
			if err != nil {
				c.w.tally.problem("NewAPIKey: %v", err)
				return
			}
			if err := c.w.store.CreateKey(ctx, k); err != nil {
				c.w.tally.problem("CreateKey: %v", err)
				return
			}
			c.keyID, c.secret = k.ID, secret
			id := k.ID
			c.w.keys[c.i].Store(&id)
		}
		n := strconv.Itoa(c.rng.IntN(1000))
		c.do(call{kind: apiKey, method: http.MethodGet, path: "/app/" + n})
	}
}
