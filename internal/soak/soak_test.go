package soak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// The gate's timings: short, so that sessions end for every reason many
// times in a few seconds.
const (
	idleTimeout   = time.Second
	lifetime      = 2 * time.Second
	touchInterval = 100 * time.Millisecond
	// margin covers the store's millisecond precision.
	margin = 2 * time.Millisecond
)

// size is how big a run is.
type size struct {
	duration time.Duration
	clients  int
}

// runSize reads AUTHGATE_SOAK (a duration; full size) and
// AUTHGATE_SOAK_CLIENTS; without them the run is CI-sized.
func runSize(t *testing.T) size {
	s := size{duration: 3 * time.Second, clients: 24}
	if v := os.Getenv("AUTHGATE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("AUTHGATE_SOAK=%q is not a positive duration such as 30s", v)
		}
		s = size{duration: d, clients: 200}
	}
	if v := os.Getenv("AUTHGATE_SOAK_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			t.Fatalf("AUTHGATE_SOAK_CLIENTS=%q is not a number of at least 10", v)
		}
		s.clients = n
	}
	return s
}

// kind is the kind of call a client makes.
type kind int

const (
	navigation kind = iota // a page load: 303 to the login page
	script                 // fetch: the login signal
	htmx                   // htmx: the signal with HX-Redirect
	scriptPost             // a fetch POST
	keepalive              // POST /.authgate/keepalive
	machine                // a plain client with the session cookie
	apiKey                 // a plain client with an API key
	numKinds
)

var kindNames = [numKinds]string{"navigation", "script", "htmx", "script POST", "keepalive", "machine", "API key"}

// revocation is when a revocation started and when it returned (zero
// while it has not).
type revocation struct{ start, done time.Time }

// tally counts what happened and collects the problems found.
type tally struct {
	requests, logins, logouts, thinks atomic.Int64
	served                            [numKinds]atomic.Int64
	expired, revoked                  [numKinds]atomic.Int64
	revSessions, revUsers, revKeys    atomic.Int64
	wrongUser, server5xx              atomic.Int64

	mu       sync.Mutex
	problems []string
	count    int
}

// covered reports whether the run has seen answers served, expired and
// revoked, revoke-alls, key revocations, and more sign-ins than clients.
func (t *tally) covered(clients int) bool {
	var served, expired, revoked int64
	for k := range numKinds {
		served += t.served[k].Load()
		expired += t.expired[k].Load()
		revoked += t.revoked[k].Load()
	}
	return served > 0 && expired > 0 && revoked > 0 && t.revUsers.Load() > 0 && t.revKeys.Load() > 0 &&
		t.logins.Load() > int64(clients)
}

func (t *tally) problem(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.count++
	if len(t.problems) < 20 {
		t.problems = append(t.problems, fmt.Sprintf(format, args...))
	}
}

// world is what the clients and the revoker share.
type world struct {
	base    string
	host    string
	http    *http.Client
	store   *memstore.Store
	tally   *tally
	stopped atomic.Bool // set when the run is over

	mu          sync.Mutex
	sessRevoked map[string]revocation   // session id (hex) -> its revocation
	userRevoked map[string][]revocation // user id -> revoke-alls
	keyRevoked  map[string]revocation   // key id -> its revocation

	current []atomic.Pointer[string] // each client's session id, for the revoker
	keys    []atomic.Pointer[string] // each API key client's key id
}

// TestSoak runs many clients against a gate over loopback HTTP for a while
// (see the package documentation for the sizes) with sessions expiring and
// being revoked while requests are in flight.
func TestSoak(t *testing.T) {
	sz := runSize(t)
	goroutines := runtime.NumGoroutine()
	seed := uint64(time.Now().UnixNano())
	t.Logf("%d clients for %v, seed %d", sz.clients, sz.duration, seed)

	st := memstore.New()
	g, err := authgate.New(authgate.Config{
		Store:         st,
		IdleTimeout:   idleTimeout,
		Lifetime:      lifetime,
		TouchInterval: touchInterval,
		Hasher:        testkit.Hasher,
		Throttle:      authgate.ThrottleConfig{Account: 1 << 20, Address: 1 << 20},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sz.clients {
		testkit.AddUser(t, st, authgate.User{ID: userID(i), Login: userID(i)}, password(i))
	}
	mux := http.NewServeMux()
	mux.Handle("/login", g)
	mux.Handle("/logout", g)
	mux.Handle("/.authgate/", g)
	mux.Handle("/app/", g.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := authgate.FromContext(r.Context())
		if !ok {
			http.Error(w, "no identity behind Require", http.StatusInternalServerError)
			return
		}
		via := id.KeyID
		if id.Method == authgate.MethodSession {
			via = id.SessionID.String()
		}
		io.WriteString(w, "user="+id.UserID+" via="+via)
	})))
	srv := httptest.NewServer(mux)
	tr := &http.Transport{MaxIdleConns: 2 * sz.clients, MaxIdleConnsPerHost: 2 * sz.clients, IdleConnTimeout: time.Minute}
	w := &world{
		base: srv.URL,
		host: strings.TrimPrefix(srv.URL, "http://"),
		http: &http.Client{
			Transport:     tr,
			Timeout:       time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		store:       st,
		tally:       &tally{},
		sessRevoked: map[string]revocation{},
		userRevoked: map[string][]revocation{},
		keyRevoked:  map[string]revocation{},
		current:     make([]atomic.Pointer[string], sz.clients),
		keys:        make([]atomic.Pointer[string], sz.clients),
	}

	start := time.Now()
	var wg sync.WaitGroup
	for i := range sz.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{w: w, i: i, rng: rand.New(rand.NewPCG(seed, uint64(i)))}
			switch i % 10 {
			case 9:
				c.runKey()
			case 8: // never pauses or signs out: its sessions reach their lifetime
				c.steady = true
				c.runSession()
			default:
				c.runSession()
			}
		}()
	}
	revokerDone := make(chan struct{})
	go func() {
		defer close(revokerDone)
		w.revoke(rand.New(rand.NewPCG(seed, 1<<32)), sz)
	}()
	// Run for the duration, and then on until every kind of ending has
	// been seen, so that a slow machine still tests what it claims to (at
	// most five times the duration).
	time.Sleep(sz.duration)
	for !w.tally.covered(sz.clients) && time.Since(start) < 5*sz.duration {
		time.Sleep(50 * time.Millisecond)
	}
	w.stopped.Store(true)
	wg.Wait()
	<-revokerDone
	elapsed := time.Since(start)
	srv.Close()
	tr.CloseIdleConnections()

	tl := w.tally
	t.Logf("%d requests in %v (%.0f/s), %d sign-ins, %d sign-outs, %d idle pauses",
		tl.requests.Load(), elapsed.Round(time.Millisecond), float64(tl.requests.Load())/elapsed.Seconds(),
		tl.logins.Load(), tl.logouts.Load(), tl.thinks.Load())
	t.Logf("revocations: %d sessions, %d revoke-alls, %d API keys", tl.revSessions.Load(), tl.revUsers.Load(), tl.revKeys.Load())
	t.Logf("%-12s %8s %8s %8s", "kind", "served", "expired", "revoked")
	var served, expired, revoked int64
	for k := range numKinds {
		t.Logf("%-12s %8d %8d %8d", kindNames[k], tl.served[k].Load(), tl.expired[k].Load(), tl.revoked[k].Load())
		served += tl.served[k].Load()
		expired += tl.expired[k].Load()
		revoked += tl.revoked[k].Load()
	}
	t.Logf("answers for the wrong user: %d; 5xx: %d; problems: %d", tl.wrongUser.Load(), tl.server5xx.Load(), tl.count)
	for _, p := range tl.problems {
		t.Error(p)
	}
	if tl.count > 0 || tl.wrongUser.Load() > 0 || tl.server5xx.Load() > 0 {
		t.Fatalf("%d problems, %d answers for the wrong user, %d 5xx", tl.count, tl.wrongUser.Load(), tl.server5xx.Load())
	}
	// The run must have exercised what it claims to test.
	if !tl.covered(sz.clients) {
		t.Fatalf("the run did not exercise every path: served %d, expired %d, revoked %d, revoke-alls %d, key revocations %d, sign-ins %d",
			served, expired, revoked, tl.revUsers.Load(), tl.revKeys.Load(), tl.logins.Load())
	}

	// No goroutine may be left behind: the server, the clients and the
	// gate must all have finished.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 1)
		t.Fatalf("%d goroutines after the run, %d before:\n%s", n, goroutines, buf.String())
	}
}

func userID(i int) string   { return "c" + strconv.Itoa(i) }
func password(i int) string { return "soak-password-" + strconv.Itoa(i) }

// revoke revokes sessions, whole users and API keys at random until the
// run ends, about one every 2s/clients, and records when each took effect.
func (w *world) revoke(rng *rand.Rand, sz size) {
	every := max(time.Millisecond, 2*time.Second/time.Duration(sz.clients))
	tick := time.NewTicker(every)
	defer tick.Stop()
	ctx := context.Background()
	for !w.stopped.Load() {
		<-tick.C
		i := rng.IntN(sz.clients)
		switch p := rng.IntN(10); {
		case p < 5:
			hex := w.current[i].Load()
			if hex == nil {
				continue
			}
			h, err := authgate.ParseHash(*hex)
			if err != nil {
				w.tally.problem("session id %q from the app does not parse: %v", *hex, err)
				continue
			}
			// The revocation is on record before it starts, so that a
			// client answered "revoked" always finds it.
			if !w.record(w.sessRevoked, *hex) {
				continue
			}
			if err := w.store.RevokeSession(ctx, h); err != nil && !errors.Is(err, authgate.ErrNotFound) {
				w.tally.problem("RevokeSession: %v", err)
			}
			w.done(w.sessRevoked, *hex)
			w.tally.revSessions.Add(1)
		case p < 8:
			user := userID(i)
			w.mu.Lock()
			w.userRevoked[user] = append(w.userRevoked[user], revocation{start: time.Now()})
			n := len(w.userRevoked[user]) - 1
			w.mu.Unlock()
			if _, err := w.store.RevokeUserSessions(ctx, user); err != nil {
				w.tally.problem("RevokeUserSessions: %v", err)
			}
			w.mu.Lock()
			w.userRevoked[user][n].done = time.Now()
			w.mu.Unlock()
			w.tally.revUsers.Add(1)
		default:
			i = rng.IntN(sz.clients/10)*10 + 9 // an API key client
			id := w.keys[i].Load()
			if id == nil || !w.record(w.keyRevoked, *id) {
				continue
			}
			if err := w.store.RevokeKey(ctx, *id); err != nil {
				w.tally.problem("RevokeKey: %v", err)
			}
			w.done(w.keyRevoked, *id)
			w.tally.revKeys.Add(1)
		}
	}
}

// record notes that a revocation of id starts now, and reports false if
// one was already recorded.
func (w *world) record(m map[string]revocation, id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, seen := m[id]; seen {
		return false
	}
	m[id] = revocation{start: time.Now()}
	return true
}

// done notes that the revocation of id has returned.
func (w *world) done(m map[string]revocation, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rv := m[id]
	rv.done = time.Now()
	m[id] = rv
}
