package pgstore_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
)

// These tests run whole gates on one database, as app instances behind a
// load balancer would: each has its own gate and its own Store.

// testClock is a clock that tests move forward; instances share one.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

const touchInterval = time.Minute

// instance is one app instance: a gate on its own Store and a protected
// handler.
type instance struct {
	store *pgstore.Store
	mux   *http.ServeMux
}

func newInstance(t *testing.T, url string, clock *testClock) *instance {
	t.Helper()
	in := &instance{store: open(t, url, pgstore.Options{Now: clock.Now})}
	g, err := authgate.New(authgate.Config{
		Store:         in.store,
		Hasher:        authgate.Argon2id{Memory: 64, Time: 1},
		Now:           clock.Now,
		TouchInterval: touchInterval,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	in.mux = http.NewServeMux()
	in.mux.Handle("/login", g)
	in.mux.Handle("/logout", g)
	in.mux.Handle("/api/", g.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := authgate.FromContext(r.Context())
		io.WriteString(w, id.UserID)
	})))
	return in
}

// httptestRequest returns a request for path carrying the session cookie.
func httptestRequest(method, path, cookie string) *http.Request {
	r := httptest.NewRequest(method, "http://localhost"+path, nil)
	if cookie != "" {
		r.Header.Set("Cookie", "__Host-authgate="+cookie)
	}
	return r
}

// serve runs r through the instance and returns the status.
func serve(in *instance, r *http.Request) int {
	w := httptest.NewRecorder()
	in.mux.ServeHTTP(w, r)
	return w.Code
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

// key sends a machine's request with an API key.
func (in *instance) key(id, secret string) int {
	r := httptest.NewRequest("GET", "http://localhost/api/data", nil)
	r.SetBasicAuth(id, secret)
	w := httptest.NewRecorder()
	in.mux.ServeHTTP(w, r)
	return w.Code
}

// signIn signs ada in on the instance and returns the session token.
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
	u := authgate.User{ID: "u-ada", Login: "ada", Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// addKey stores an API key of ada's and returns its id and secret.
func addKey(t *testing.T, s authgate.Store) (string, string) {
	t.Helper()
	k, secret, err := authgate.NewAPIKey("u-ada", "ci", time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return k.ID, secret
}

// revocationDeadline is far beyond what a revocation takes to reach another
// instance (milliseconds); the test records the time it took.
const revocationDeadline = 5 * time.Second

// TestTwoGates signs in on A, uses the session on B, signs out on B and
// polls A until it refuses the session A had cached; the same for an API
// key revoked through B's store.
func TestTwoGates(t *testing.T) {
	url := pgtest.Shared(t).Database(t)
	clock := &testClock{}
	a, b := newInstance(t, url, clock), newInstance(t, url, clock)
	addUser(t, a.store)

	tok := a.signIn(t)
	for name, in := range map[string]*instance{"B": b, "A": a} {
		for range 2 { // the second from the cache
			if w := in.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK || w.Body.String() != "u-ada" {
				t.Fatalf("%s: %d %q, want 200 u-ada", name, w.Code, w.Body)
			}
		}
	}
	if w := b.do("POST", "/logout", tok, []byte("{}")); w.Code >= 300 {
		t.Fatalf("sign-out on B: %d %s", w.Code, w.Body)
	}
	took := eventually(t, revocationDeadline, "A refusing a session signed out on B", func() bool {
		return a.do("GET", "/api/notes", tok, nil).Code == http.StatusUnauthorized
	})
	t.Logf("A refused the session %v after B signed it out", took)

	id, secret := addKey(t, a.store)
	for name, in := range map[string]*instance{"A": a, "B": b} {
		if code := in.key(id, secret); code != http.StatusOK {
			t.Fatalf("%s with the API key: %d, want 200", name, code)
		}
	}
	if err := b.store.RevokeKey(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, revocationDeadline, "A refusing an API key revoked on B", func() bool {
		return a.key(id, secret) == http.StatusUnauthorized
	})
	t.Logf("A refused the API key %v after B revoked it", took)
}

// TestTouchesCoalesced sends a burst of requests on one session over two
// instances in a new touch slot, and counts the writes to the session's row
// by the notifications they send: one.
func TestTouchesCoalesced(t *testing.T) {
	url := pgtest.Shared(t).Database(t)
	clock := &testClock{}
	a, b := newInstance(t, url, clock), newInstance(t, url, clock)
	addUser(t, a.store)
	tok := a.signIn(t)

	ctx := context.Background()
	l, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	if _, err := l.Exec(ctx, "LISTEN authgate"); err != nil {
		t.Fatal(err)
	}

	clock.offset.Add(int64(2 * touchInterval))
	for i := range 200 {
		in := a
		if i%2 == 1 {
			in = b
		}
		if w := in.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK {
			t.Fatalf("request %d: %d, want 200", i, w.Code)
		}
	}
	// A marker write after the burst: once its notification arrives, every
	// earlier one has.
	marker := newMarker(t, a.store)
	writes := 0
	for {
		wctx, cancel := context.WithTimeout(ctx, revocationDeadline)
		n, err := l.WaitForNotification(wctx)
		cancel()
		if err != nil {
			t.Fatalf("waiting for notifications: %v", err)
		}
		if n.Payload == marker {
			break
		}
		writes++
	}
	if writes != 1 {
		t.Errorf("200 requests over two instances in one touch slot wrote the session %d times, want 1", writes)
	}
}

// newMarker makes and deletes nothing but a key revocation whose
// notification marks a point in the stream, and returns its payload.
func newMarker(t *testing.T, s authgate.Store) string {
	t.Helper()
	k, _, err := authgate.NewAPIKey("u-marker", "marker", time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	return "k" + hex.EncodeToString([]byte(k.ID))
}
