package pgstore_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/storetest"
)

// outageDeadline bounds how long the store may take to stop answering from
// its cache once PostgreSQL is down, and to answer again once it is back;
// both take well under a second.
const outageDeadline = 10 * time.Second

// TestOutage stops PostgreSQL under a store that has a session and a key
// cached. Once the LISTEN connection is lost, no answer comes from the
// cache: every read fails with an error that is not ErrNotFound, and the
// gate answers 503 to a page load, a script's call and a machine with an API
// key. When the server is back on the same port, the same store and gate
// work again by themselves.
func TestOutage(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.URL()
	clock := &testClock{}
	in := newInstance(t, url, clock)
	addUser(t, in.store)
	tok := in.signIn(t)
	keyID, secret := addKey(t, in.store)
	ctx := context.Background()
	sess := storetest.NewSession("u-outage", time.Now())
	if err := in.store.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	for range 2 { // cached
		if w := in.do("GET", "/api/notes", tok, nil); w.Code != http.StatusOK {
			t.Fatalf("before the outage: %d, want 200", w.Code)
		}
		if code := in.key(keyID, secret); code != http.StatusOK {
			t.Fatalf("API key before the outage: %d, want 200", code)
		}
	}

	srv.Stop()
	took := eventually(t, outageDeadline, "reads failing once PostgreSQL is down", func() bool {
		_, err := in.store.Session(ctx, sess.ID)
		return err != nil
	})
	t.Logf("reads failed %v after the server stopped", took)
	for i := range 3 {
		_, err := in.store.Session(ctx, sess.ID)
		if err == nil || errors.Is(err, authgate.ErrNotFound) {
			t.Fatalf("read %d during the outage: error %v, want a store error", i, err)
		}
	}
	page := func() int {
		w := in.do("GET", "/api/notes", tok, nil)
		return w.Code
	}
	tests := []struct {
		name string
		code func() int
	}{
		{"script call", page},
		{"page load", func() int {
			r := httptestRequest("GET", "/api/page", tok)
			r.Header.Set("Sec-Fetch-Mode", "navigate")
			r.Header.Set("Sec-Fetch-Dest", "document")
			r.Header.Set("Accept", "text/html")
			return serve(in, r)
		}},
		{"API key", func() int { return in.key(keyID, secret) }},
	}
	for _, tc := range tests {
		if code := tc.code(); code != http.StatusServiceUnavailable {
			t.Errorf("%s during the outage: %d, want 503", tc.name, code)
		}
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, outageDeadline, "the gate answering 200 again", func() bool {
		return page() == http.StatusOK && in.key(keyID, secret) == http.StatusOK
	})
	t.Logf("the gate answered again %v after the server was back", took)
	if _, err := in.store.Session(ctx, sess.ID); err != nil {
		t.Errorf("Session after the outage: %v", err)
	}
}
