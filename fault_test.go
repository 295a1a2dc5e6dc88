package authgate_test

// Store faults: a store that fails on demand must give DESIGN.md's 503
// unavailable answer to every kind of caller and at every gate endpoint,
// never a login signal and never a 500, and the same sessions and keys must
// work again when the store recovers.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// hardErrDown is what hardFaultStore returns for a failed call.
var hardErrDown = errors.New("hard fault store: connection refused")

// hardFaultStore wraps a store and fails the calls for which fail returns
// true, by method name ("Session", "TouchSession", ...).
type hardFaultStore struct {
	authgate.Store
	fail func(op string) bool
}

func (s *hardFaultStore) err(op string) error {
	if s.fail != nil && s.fail(op) {
		return fmt.Errorf("%s: %w", op, hardErrDown)
	}
	return nil
}

func (s *hardFaultStore) CreateSession(ctx context.Context, x authgate.Session) error {
	if err := s.err("CreateSession"); err != nil {
		return err
	}
	return s.Store.CreateSession(ctx, x)
}

func (s *hardFaultStore) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if err := s.err("Session"); err != nil {
		return authgate.Session{}, err
	}
	return s.Store.Session(ctx, id)
}

func (s *hardFaultStore) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	if err := s.err("TouchSession"); err != nil {
		return err
	}
	return s.Store.TouchSession(ctx, id, seen)
}

func (s *hardFaultStore) RevokeSession(ctx context.Context, id authgate.Hash) error {
	if err := s.err("RevokeSession"); err != nil {
		return err
	}
	return s.Store.RevokeSession(ctx, id)
}

func (s *hardFaultStore) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := s.err("RevokeUserSessions"); err != nil {
		return 0, err
	}
	return s.Store.RevokeUserSessions(ctx, userID)
}

func (s *hardFaultStore) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := s.err("UserSessions"); err != nil {
		return nil, err
	}
	return s.Store.UserSessions(ctx, userID)
}

func (s *hardFaultStore) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := s.err("CreateKey"); err != nil {
		return err
	}
	return s.Store.CreateKey(ctx, k)
}

func (s *hardFaultStore) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	if err := s.err("Key"); err != nil {
		return authgate.APIKey{}, err
	}
	return s.Store.Key(ctx, id)
}

func (s *hardFaultStore) TouchKey(ctx context.Context, id string, used time.Time) error {
	if err := s.err("TouchKey"); err != nil {
		return err
	}
	return s.Store.TouchKey(ctx, id, used)
}

func (s *hardFaultStore) RevokeKey(ctx context.Context, id string) error {
	if err := s.err("RevokeKey"); err != nil {
		return err
	}
	return s.Store.RevokeKey(ctx, id)
}

func (s *hardFaultStore) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := s.err("RevokeUserKeys"); err != nil {
		return 0, err
	}
	return s.Store.RevokeUserKeys(ctx, userID)
}

func (s *hardFaultStore) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if err := s.err("UserKeys"); err != nil {
		return nil, err
	}
	return s.Store.UserKeys(ctx, userID)
}

func (s *hardFaultStore) CreateUser(ctx context.Context, u authgate.User) error {
	if err := s.err("CreateUser"); err != nil {
		return err
	}
	return s.Store.CreateUser(ctx, u)
}

func (s *hardFaultStore) User(ctx context.Context, id string) (authgate.User, error) {
	if err := s.err("User"); err != nil {
		return authgate.User{}, err
	}
	return s.Store.User(ctx, id)
}

func (s *hardFaultStore) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := s.err("UserByLogin"); err != nil {
		return authgate.User{}, err
	}
	return s.Store.UserByLogin(ctx, login)
}

func (s *hardFaultStore) SetPassword(ctx context.Context, id, passwordHash string) error {
	if err := s.err("SetPassword"); err != nil {
		return err
	}
	return s.Store.SetPassword(ctx, id, passwordHash)
}

func (s *hardFaultStore) DeleteUser(ctx context.Context, id string) error {
	if err := s.err("DeleteUser"); err != nil {
		return err
	}
	return s.Store.DeleteUser(ctx, id)
}

func (s *hardFaultStore) Users(ctx context.Context) ([]authgate.User, error) {
	if err := s.err("Users"); err != nil {
		return nil, err
	}
	return s.Store.Users(ctx)
}

// hardFaultEnv is a hardEnv whose store fails the operations in the set
// failing holds (every operation when it holds "*").
type hardFaultEnv struct {
	*hardEnv
	failing atomic.Pointer[map[string]bool]
}

func hardNewFaultEnv(t *testing.T, opts ...func(*authgate.Config)) *hardFaultEnv {
	f := &hardFaultEnv{}
	f.hardEnv = hardNewEnv(t, func(s authgate.Store) authgate.Store {
		return &hardFaultStore{Store: s, fail: func(op string) bool {
			m := f.failing.Load()
			return m != nil && ((*m)["*"] || (*m)[op])
		}}
	}, opts...)
	return f
}

// breakOps makes the named operations fail; no names restores the store.
func (f *hardFaultEnv) breakOps(ops ...string) {
	m := map[string]bool{}
	for _, op := range ops {
		m[op] = true
	}
	f.failing.Store(&m)
}

// hardUnavailable checks that w is DESIGN.md's 503 answer: problem+json
// urn:authgate:unavailable with Retry-After, no login signal, no challenge,
// no redirect, and no cookie change for the session.
func hardUnavailable(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("answered %d %q, want 503", w.Code, w.Body)
	}
	if n, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("503 with Retry-After %q", w.Header().Get("Retry-After"))
	}
	if p := hardParseProblem(t, w); p.Type != authgate.ProblemUnavailable || p.Status != 503 {
		t.Errorf("503 with problem %+v", p)
	}
	for _, h := range []string{"Authgate-Login", "Www-Authenticate", "Location", "Hx-Redirect"} {
		if v := w.Header().Get(h); v != "" {
			t.Errorf("503 carries %s: %q", h, v)
		}
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("503 without Cache-Control: no-store")
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == secureCookie || c.Name == plainCookie || c.Name == authgate.CompanionCookie {
			t.Errorf("503 changes the cookie %s (value %q, Max-Age %d): an outage must not sign anybody out", c.Name, c.Value, c.MaxAge)
		}
	}
}

// TestFaultStoreDownEveryKind takes the whole store down and checks the
// answer to every kind of caller, with a session and with an API key, and
// at every gate endpoint; then brings it back and checks that the same
// session and key work, that no caller was signed out, and that the
// outage did not count as failed sign-ins.
func TestFaultStoreDownEveryKind(t *testing.T) {
	f := hardNewFaultEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Hour}
	})
	tok := f.signIn("alice", hardAlicePW)
	k, secret, err := authgate.NewAPIKey("u-alice", "ci", f.clock.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.mem.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	keyReq := func(method string) *http.Request {
		r := hardReq(method, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(k.ID, secret)
		return r
	}
	type call struct {
		name string
		req  func() *http.Request
	}
	var calls []call
	for _, kind := range hardKinds {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			calls = append(calls, call{kind.String() + " " + m, func() *http.Request {
				return hardWithCookie(hardReq(m, "/app/x", kind, nil), secureCookie, tok)
			}})
		}
	}
	calls = append(calls,
		call{"htmx", func() *http.Request {
			r := hardWithCookie(hardReq(http.MethodGet, "/app/x", authgate.KindScript, nil), secureCookie, tok)
			r.Header.Set("HX-Request", "true")
			return r
		}},
		call{"API key GET", func() *http.Request { return keyReq(http.MethodGet) }},
		call{"API key POST", func() *http.Request { return keyReq(http.MethodPost) }},
		call{"keepalive", func() *http.Request {
			return hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		}},
		call{"form login", func() *http.Request {
			r := hardReq(http.MethodPost, "/login", authgate.KindNavigation, hardFormBody("alice", hardAlicePW, "/app/x"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
		call{"JSON login", func() *http.Request {
			r := hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("alice", hardAlicePW, ""))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
		call{"wrong-password login", func() *http.Request {
			r := hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("alice", "wrong", ""))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
	)
	f.breakOps("*")
	for _, c := range calls {
		t.Run("down/"+c.name, func(t *testing.T) {
			before := f.ran.Load()
			hardUnavailable(t, f.do(c.req()))
			if f.ran.Load() != before {
				t.Fatal("the protected handler ran without an identity check")
			}
		})
	}
	for _, kind := range []authgate.Kind{authgate.KindNavigation, authgate.KindScript} {
		t.Run("down/logout "+kind.String(), func(t *testing.T) {
			r := hardWithCookie(hardReq(http.MethodPost, "/logout", kind, nil), secureCookie, tok)
			hardUnavailable(t, f.do(r))
		})
	}
	t.Run("down/login page still renders", func(t *testing.T) {
		w := f.do(hardWithCookie(hardReq(http.MethodGet, "/login?return_to=/app/x", authgate.KindNavigation, nil), secureCookie, tok))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<form") {
			t.Fatalf("the login page answered %d during an outage", w.Code)
		}
	})
	t.Run("down/Identify serves unidentified", func(t *testing.T) {
		w := f.do(hardWithCookie(hardReq(http.MethodGet, "/open/x", authgate.KindScript, nil), secureCookie, tok))
		if w.Code != http.StatusOK || w.Body.String() != "app anonymous" {
			t.Fatalf("Identify during an outage answered %d %q", w.Code, w.Body)
		}
	})
	f.breakOps()
	t.Run("recovered", func(t *testing.T) {
		for _, kind := range hardKinds {
			hardAs(t, f.get(tok, kind), "u-alice")
		}
		hardAs(t, f.do(keyReq(http.MethodGet)), "u-alice")
		r := hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		if w := f.do(r); w.Code != http.StatusNoContent {
			t.Fatalf("keepalive after recovery answered %d", w.Code)
		}
		// Several wrong-password attempts failed on the store; none may
		// count towards the throttle (limit 3).
		if w := f.jsonLogin("alice", hardAlicePW, ""); w.Code != http.StatusOK {
			t.Fatalf("sign-in after recovery answered %d", w.Code)
		}
	})
}

// TestFaultSingleOperation fails one store operation at a time and checks
// that each failure is contained: a failed touch still serves, a failed
// read or write that the answer depends on gives 503, and nothing gives a
// login signal or a 500.
func TestFaultSingleOperation(t *testing.T) {
	opts := func(c *authgate.Config) {
		c.IdleTimeout = 30 * time.Minute
		c.TouchInterval = time.Minute
	}
	t.Run("TouchSession fails: requests are served, keepalive is 503", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		tok := f.signIn("alice", hardAlicePW)
		f.clock.Add(2 * time.Minute) // due for a touch
		f.breakOps("TouchSession")
		for _, kind := range hardKinds {
			hardAs(t, f.get(tok, kind), "u-alice")
		}
		r := hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		hardUnavailable(t, f.do(r))
		f.breakOps()
		if w := f.do(hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)); w.Code != http.StatusNoContent {
			t.Fatalf("keepalive after recovery answered %d", w.Code)
		}
	})
	t.Run("TouchKey fails: the key is served", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		k, secret, _ := authgate.NewAPIKey("u-alice", "ci", f.clock.Now(), time.Time{})
		if err := f.mem.CreateKey(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		f.breakOps("TouchKey")
		r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(k.ID, secret)
		hardAs(t, f.do(r), "u-alice")
	})
	t.Run("CreateSession fails: sign-in is 503 and sets no session", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		f.breakOps("CreateSession")
		hardUnavailable(t, f.formLogin("alice", hardAlicePW, "/app/x"))
		hardUnavailable(t, f.jsonLogin("alice", hardAlicePW, "/app/x"))
		f.breakOps()
		f.signIn("alice", hardAlicePW)
	})
	t.Run("UserByLogin fails: sign-in is 503, not a wrong password", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		f.breakOps("UserByLogin")
		hardUnavailable(t, f.formLogin("alice", hardAlicePW, ""))
		hardUnavailable(t, f.jsonLogin("mallory", "x", ""))
		if calls, _ := f.hasher.counts(); calls != 0 {
			t.Fatalf("the password was verified %d times without a user record", calls)
		}
	})
	t.Run("Key fails: API calls are 503", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		f.breakOps("Key")
		r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth("agk_aaaaaaaaaaaaaaaa", "secret")
		hardUnavailable(t, f.do(r))
	})
	t.Run("RevokeSession fails: logout is 503 and the session stays usable and revocable", func(t *testing.T) {
		f := hardNewFaultEnv(t, opts)
		tok := f.signIn("alice", hardAlicePW)
		f.breakOps("RevokeSession")
		r := hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok)
		hardUnavailable(t, f.do(r))
		f.breakOps()
		r = hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok)
		if w := f.do(r); w.Code != http.StatusSeeOther {
			t.Fatalf("logout retried after recovery answered %d", w.Code)
		}
		f.hardRefusedEverywhere(t, tok, authgate.ReasonRevoked)
	})
	t.Run("store says not found, wrapped: the login signal, not 503", func(t *testing.T) {
		e := hardNewEnv(t, func(s authgate.Store) authgate.Store { return hardWrapNotFound{s} }, opts)
		for _, kind := range hardKinds {
			hardDenied(t, e.get(hardToken(9), kind), kind, authgate.ReasonExpired)
		}
		r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth("agk_aaaaaaaaaaaaaaaa", "secret")
		hardDenied(t, e.do(r), authgate.KindMachine, authgate.ReasonInvalid)
	})
}

// hardWrapNotFound wraps the store's not-found errors with detail, as a
// store is allowed to: the gate must still read them as not found.
type hardWrapNotFound struct{ authgate.Store }

func (s hardWrapNotFound) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return x, fmt.Errorf("session %s: %w", id, err)
	}
	return x, nil
}

func (s hardWrapNotFound) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	k, err := s.Store.Key(ctx, id)
	if err != nil {
		return k, fmt.Errorf("key %s: %w", id, err)
	}
	return k, nil
}

// TestFaultStoreFlapping switches the store on and off while the same
// session is used, and checks that every answer is either the app's for
// alice or the 503 answer, and never a login signal.
func TestFaultStoreFlapping(t *testing.T) {
	f := hardNewFaultEnv(t)
	tok := f.signIn("alice", hardAlicePW)
	served, unavailable := 0, 0
	for i := range 60 {
		if i%3 == 0 {
			f.breakOps("*")
		} else {
			f.breakOps()
		}
		kind := hardKinds[i%len(hardKinds)]
		w := f.get(tok, kind)
		switch w.Code {
		case http.StatusOK:
			hardAs(t, w, "u-alice")
			served++
		case http.StatusServiceUnavailable:
			hardUnavailable(t, w)
			unavailable++
		default:
			t.Fatalf("request %d (%v) answered %d: %q", i, kind, w.Code, w.Body)
		}
	}
	if served != 40 || unavailable != 20 {
		t.Fatalf("served %d, unavailable %d; want 40 and 20", served, unavailable)
	}
}
