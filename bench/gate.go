package bench

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate"
)

// Gate is authgate's Require in front of Handler, on one store.
type Gate struct {
	name   string
	store  *CountingStore
	keys   authgate.KeyStore // where NewKey stores keys: the signer store
	gate   *authgate.Gate
	signer *authgate.Gate // signs in now
	past   *authgate.Gate // signs in at now minus ago
	ago    atomic.Int64   // nanoseconds
	closer func() error
}

// NewGate returns the contender called name that guards Handler with a gate
// on st. Sessions are signed in through signer, a store over the same data
// (st itself, or another client of the same Redis, standing for another
// instance of the app). close, if not nil, is called by Close.
func NewGate(name string, st, signer authgate.Store, close func() error) (*Gate, error) {
	c := &Gate{name: name, store: NewCountingStore(st), closer: close}
	if signer == st {
		signer = c.store
	}
	c.keys = signer
	var err error
	if c.gate, err = newGate(c.store, time.Now); err != nil {
		return nil, err
	}
	if c.signer, err = newGate(signer, time.Now); err != nil {
		return nil, err
	}
	past := func() time.Time { return time.Now().Add(-time.Duration(c.ago.Load())) }
	if c.past, err = newGate(signer, past); err != nil {
		return nil, err
	}
	return c, nil
}

// newGate makes a gate with the benchmark's timeouts. Passwords are never
// checked in a benchmark, so the hasher is a cheap one that only keeps New
// fast; logs are dropped, though nothing on the measured paths logs.
func newGate(st authgate.Store, now func() time.Time) (*authgate.Gate, error) {
	return authgate.New(authgate.Config{
		Store:       st,
		IdleTimeout: IdleTimeout,
		Lifetime:    Lifetime,
		Hasher:      authgate.Argon2id{Memory: 64, Time: 1},
		Logger:      slog.New(slog.DiscardHandler),
		Now:         now,
	})
}

// Name returns the contender's name.
func (c *Gate) Name() string { return c.name }

// Handler returns Handler behind the gate's Require.
func (c *Gate) Handler() http.Handler { return c.gate.Require(Handler()) }

// Gate returns the gate itself.
func (c *Gate) Gate() *authgate.Gate { return c.gate }

// Store returns the counting store the gate reads and writes.
func (c *Gate) Store() *CountingStore { return c.store }

// SignIn signs the benchmark user in through Gate.SignIn with the clock set
// age back, and returns the session and companion cookies.
//
// On Redis the session is written by the signer store, as if another
// instance had signed the user in: the serving store skips its client-side
// cache for a while after its own writes, which a session signed in
// seconds ago on this instance would show and a steady one does not.
func (c *Gate) SignIn(ctx context.Context, age time.Duration) (string, error) {
	cookie, _, err := c.SignInSession(ctx, age)
	return cookie, err
}

// SignInSession is SignIn that also returns the stored session.
func (c *Gate) SignInSession(ctx context.Context, age time.Duration) (string, authgate.Session, error) {
	return c.signIn(ctx, age, authgate.User{ID: BenchUserID, Login: "ada", Name: BenchUserName})
}

// SignInAs is SignInSession for another user. Calls with age 0 may run
// concurrently; calls with other ages may not.
func (c *Gate) SignInAs(ctx context.Context, age time.Duration, u authgate.User) (string, authgate.Session, error) {
	return c.signIn(ctx, age, u)
}

func (c *Gate) signIn(ctx context.Context, age time.Duration, u authgate.User) (string, authgate.Session, error) {
	g := c.signer
	if age != 0 {
		c.ago.Store(int64(age))
		g = c.past
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://app.example/login", nil)
	r.Header.Set("User-Agent", BrowserUA)
	s, err := g.SignIn(ctx, w, r, u)
	if err != nil {
		return "", authgate.Session{}, err
	}
	cookie, err := cookieHeader(w.Result().Cookies())
	return cookie, s, err
}

// Expired signs in as if 31 minutes ago, past the 30-minute idle timeout.
func (c *Gate) Expired(ctx context.Context) (string, error) {
	return c.SignIn(ctx, IdleTimeout+time.Minute)
}

// NewKey makes an API key for the benchmark user, as a key in steady use
// (last used just now, so that the next minute's calls need no touch), and
// returns the Authorization header that carries it. Like sessions, it is
// stored through the signer store.
func (c *Gate) NewKey(ctx context.Context) (string, error) {
	now := time.Now()
	k, secret, err := authgate.NewAPIKey(BenchUserID, "bench", now, time.Time{})
	if err != nil {
		return "", err
	}
	k.LastUsed = now
	if err := c.keys.CreateKey(ctx, k); err != nil {
		return "", fmt.Errorf("storing an API key: %w", err)
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(k.ID+":"+secret)), nil
}

// Writes counts the store's writes.
func (c *Gate) Writes() int64 { return c.store.Writes() }

// Close closes the store.
func (c *Gate) Close() error {
	if c.closer == nil {
		return nil
	}
	return c.closer()
}

// cookieHeader turns the cookies a response set into the Cookie header a
// browser sends back.
func cookieHeader(cs []*http.Cookie) (string, error) {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.MaxAge < 0 || c.Value == "" {
			continue
		}
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", errors.New("the response set no cookie")
	}
	return strings.Join(parts, "; "), nil
}
