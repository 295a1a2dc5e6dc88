package authgate_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// TestLoad checks that Gate.Load counts the throttle's counters after
// failed sign-ins, and a hash running while a sign-in is being checked.
func TestLoad(t *testing.T) {
	hold := make(chan struct{})
	inHash := make(chan struct{}, 1)
	g, err := authgate.New(authgate.Config{
		Store:     memstore.New(),
		Hasher:    reportingHasher{PasswordHasher: testkit.Hasher, hold: hold, in: inHash},
		HashLimit: authgate.HashLimitConfig{Running: 2, Waiting: 4},
		Throttle:  authgate.ThrottleConfig{Account: 3},
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Load(); got != (authgate.Load{}) {
		t.Fatalf("a new gate's load is %+v; want zero", got)
	}
	signIn := func() int {
		body := url.Values{"username": {"nobody"}, "password": {"wrong"}}.Encode()
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w.Code
	}
	done := make(chan int)
	go func() { done <- signIn() }()
	<-inHash
	if got := g.Load(); got.HashesRunning != 1 || got.HashesWaiting != 0 {
		t.Errorf("during one sign-in's hash the load is %+v; want 1 hash running, none waiting", got)
	}
	close(hold)
	if code := <-done; code != http.StatusUnauthorized {
		t.Fatalf("a wrong sign-in got %d; want 401", code)
	}
	got := g.Load()
	if got.HashesRunning != 0 || got.ThrottleCounting == 0 || got.ThrottleLimited != 0 {
		t.Errorf("after one failed sign-in the load is %+v; want no hash, some counters, none at the limit", got)
	}
	for range 3 {
		signIn()
	}
	if got := g.Load(); got.ThrottleLimited == 0 {
		t.Errorf("after four failed sign-ins with 3 tries the load is %+v; want a counter at its limit", got)
	}
}

// reportingHasher is a cheap hasher whose Verify reports on in, then waits for
// hold to close.
type reportingHasher struct {
	authgate.PasswordHasher
	hold chan struct{}
	in   chan struct{}
}

func (h reportingHasher) Verify(password, hash string) (bool, error) {
	select {
	case h.in <- struct{}{}:
	default:
	}
	<-h.hold
	return h.PasswordHasher.Verify(password, hash)
}
