package redisstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// These tests run whole gates on Redis, as app instances behind a load
// balancer would: each instance has its own gate and its own Redis client.

// gateClock is a clock that tests move forward; instances share one.
type gateClock struct{ offset atomic.Int64 }

func (c *gateClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// countingStore counts the touches an instance sends, with their values.
type countingStore struct {
	*Store
	mu    sync.Mutex
	seens []time.Time
}

func (c *countingStore) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	c.mu.Lock()
	c.seens = append(c.seens, seen)
	c.mu.Unlock()
	return c.Store.TouchSession(ctx, id, seen)
}

func (c *countingStore) touches() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.seens...)
}

// instance is one app instance: a gate on its own Redis client and a
// protected handler.
type instance struct {
	store *countingStore
	mux   *http.ServeMux
	ran   atomic.Int64
}

func newInstance(t *testing.T, addrs []string, prefix string, clock *gateClock) *instance {
	t.Helper()
	in := &instance{store: &countingStore{Store: openStore(t, Options{Addrs: addrs, Prefix: prefix})}}
	g, err := authgate.New(authgate.Config{
		Store:  in.store,
		Hasher: authgate.Argon2id{Memory: 64, Time: 1},
		Now:    clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	in.mux = http.NewServeMux()
	in.mux.Handle("/login", g)
	in.mux.Handle("/logout", g)
	in.mux.Handle("/api/", g.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.ran.Add(1)
		id, _ := authgate.FromContext(r.Context())
		_, _ = io.WriteString(w, id.UserID)
	})))
	return in
}

// do sends a fetch-like request with the session cookie to the instance.
func (in *instance) do(method, path, cookie string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://localhost"+path, bytes.NewReader(body))
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if cookie != "" {
		r.Header.Set("Cookie", "__Host-authgate="+cookie)
	}
	w := httptest.NewRecorder()
	in.mux.ServeHTTP(w, r)
	return w
}

// signIn signs the demo user in on the instance and returns the token.
func (in *instance) signIn(t *testing.T) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": "ada", "password": "pw-for-ada"})
	w := in.do("POST", "/login", "", body)
	if w.Code != http.StatusOK {
		t.Fatalf("sign-in: status %d: %s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-authgate" {
			return c.Value
		}
	}
	t.Fatal("sign-in set no session cookie")
	return ""
}

func addUser(t *testing.T, s authgate.Store) {
	t.Helper()
	hash, err := authgate.Argon2id{Memory: 64, Time: 1}.Hash("pw-for-ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(context.Background(), authgate.User{ID: "u-ada", Login: "ada", Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

func gateInstances(t *testing.T, addrs []string) {
	clock := &gateClock{}
	prefix := (&prefixer{}).next() + "gate:"
	a := newInstance(t, addrs, prefix, clock)
	b := newInstance(t, addrs, prefix, clock)
	addUser(t, a.store)

	tok := a.signIn(t)
	if w := b.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK || w.Body.String() != "u-ada" {
		t.Fatalf("B with A's session: %d %q, want 200 u-ada", w.Code, w.Body)
	}
	if w := a.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK {
		t.Fatalf("A: %d, want 200", w.Code) // A has it cached now
	}

	// A burst of 1,000 requests over both instances, in a new touch slot:
	// every touch carries the same slot, so the store is written once.
	clock.offset.Add(int64(2 * time.Minute))
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := a
			if i%2 == 1 {
				in = b
			}
			for range 125 {
				if w := in.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d of 1000 requests failed", bad.Load())
	}
	seens := append(a.store.touches(), b.store.touches()...)
	if len(seens) == 0 || len(seens) > 2 {
		t.Fatalf("%d touches from two instances, want 1 or 2 (one per instance at most)", len(seens))
	}
	for _, s := range seens[1:] {
		if !s.Equal(seens[0]) {
			t.Fatalf("touches carry different last-seen times %v: more than one store write", seens)
		}
	}
	s, err := a.store.Session(context.Background(), authgate.HashOf(decodeToken(t, tok)))
	if err != nil || !s.LastSeen.Equal(seens[0]) {
		t.Fatalf("stored LastSeen %v (%v), want %v", s.LastSeen, err, seens[0])
	}

	// Sign out on B: A refuses the token within 50 ms.
	if w := b.do("POST", "/logout", tok, nil); w.Code != http.StatusNoContent {
		t.Fatalf("logout on B: %d", w.Code)
	}
	var last int
	refused := waitFor(seenWithin, func() bool {
		w := a.do("GET", "/api/notes", tok, nil)
		last = w.Code
		return w.Code == http.StatusUnauthorized && w.Header().Get("Authgate-Login") == "revoked"
	})
	if !refused {
		t.Fatalf("A still answers %d %v after sign-out on B", last, seenWithin)
	}
}

func decodeToken(t *testing.T, tok string) []byte {
	t.Helper()
	raw := make([]byte, 32)
	n, err := base64.RawURLEncoding.Decode(raw, []byte(tok))
	if err != nil || n != 32 {
		t.Fatalf("token %d bytes: %v", n, err)
	}
	return raw
}

func TestGateTwoInstances(t *testing.T) {
	srv := redistest.Start(t)
	gateInstances(t, []string{srv.Addr})
}

func TestGateTwoInstancesCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	gateInstances(t, cl.Addrs)
}

// TestGateOutage stops Redis while requests flow: every answer is the
// handler's or 503 unavailable, never a login signal or a 500; after Redis
// is back (without persistence, so the session is gone) the same gate
// answers with the login signal and a new sign-in works, without a restart.
func TestGateOutage(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := redistest.Start(t)
	clock := &gateClock{}
	in := newInstance(t, []string{srv.Addr}, "outage:", clock)
	addUser(t, in.store)
	tok := in.signIn(t)

	var ok200, unavailable, other atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				w := in.do("GET", "/api/notes", tok, nil)
				switch {
				case w.Code == http.StatusOK:
					ok200.Add(1)
				case w.Code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") != "" &&
					bytes.Contains(w.Body.Bytes(), []byte(authgate.ProblemUnavailable)) && w.Header().Get("Authgate-Login") == "":
					unavailable.Add(1)
				default:
					other.Add(1)
					t.Errorf("during the outage: %d %q %s", w.Code, w.Header().Get("Authgate-Login"), w.Body)
				}
			}
		}()
	}
	if !waitFor(10*time.Second, func() bool { return ok200.Load() > 20 }) {
		t.Fatal("no successful requests before the outage")
	}
	srv.Kill()
	if !waitFor(10*time.Second, func() bool { return unavailable.Load() > 20 }) {
		t.Fatalf("no 503 answers during the outage (200: %d)", ok200.Load())
	}
	close(stop)
	wg.Wait()
	t.Logf("before and during the outage: %d answered, %d unavailable, %d other", ok200.Load(), unavailable.Load(), other.Load())

	srv.Restart()
	var w *httptest.ResponseRecorder
	if !waitFor(10*time.Second, func() bool {
		w = in.do("GET", "/api/notes", tok, nil)
		return w.Code != http.StatusServiceUnavailable
	}) {
		t.Fatal("still 503 ten seconds after Redis came back")
	}
	if w.Code != http.StatusUnauthorized || w.Header().Get("Authgate-Login") == "" {
		t.Fatalf("after a restart without persistence: %d %q, want the login signal", w.Code, w.Header().Get("Authgate-Login"))
	}
	addUser(t, in.store)
	tok = in.signIn(t)
	if w := in.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK {
		t.Fatalf("after a new sign-in: %d", w.Code)
	}

	_ = in.store.Close()
	if !waitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= before+2 }) {
		t.Errorf("goroutines: %d before, %d after Close", before, runtime.NumGoroutine())
	}
}
