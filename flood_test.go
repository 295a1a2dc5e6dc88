package authgate_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// heldHasher runs the real Argon2id, holding every hash of a wrong
// password until hold is closed, and samples the process's memory after
// each hash, when the hash's memory is still counted.
type heldHasher struct {
	inner   authgate.Argon2id
	right   string
	hold    chan struct{}
	started atomic.Int64
	mem     *memPeak
}

func (h *heldHasher) Hash(pw string) (string, error) { return h.inner.Hash(pw) }

func (h *heldHasher) Verify(pw, hash string) (bool, error) {
	h.started.Add(1)
	if pw != h.right {
		<-h.hold
	}
	ok, err := h.inner.Verify(pw, hash)
	h.mem.sample()
	return ok, err
}

// memPeak records the highest memory the Go runtime holds from the
// operating system and has not given back: its mapped memory less what it
// has released. It bounds the process's resident memory from above, but
// for the binary and C allocations (none here).
type memPeak struct {
	mu   sync.Mutex
	peak uint64
}

func memHeld() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

func (m *memPeak) sample() {
	v := memHeld()
	m.mu.Lock()
	m.peak = max(m.peak, v)
	m.mu.Unlock()
}

// floodLogin is a browser's form sign-in from addr.
func floodLogin(user, password, addr string) *http.Request {
	form := url.Values{"username": {user}, "password": {password}}
	r := httptest.NewRequest(http.MethodPost, "https://app.example/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.RemoteAddr = addr + ":40000"
	return r
}

// floodWaitFor polls cond until it holds or ten seconds pass.
func floodWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFloodHashesBounded: 200 parallel wrong sign-ins from 20 addresses,
// each hashed with the real Argon2id (19 MiB), with two hashes at once and
// 40 places to wait (two per flooding address), run at most two hashes at
// once, so the memory the process holds grows by less than 8 hashes'
// worth (152 MiB) where an unbounded gate would take 200 (3.7 GiB). What
// cannot wait gets 503 with Retry-After as problem+json, never a login
// signal; and the owner's correct sign-in from an address outside the
// flood, sent while every hash is busy and the waiting room is full, gets
// its place and a 303.
func TestFloodHashesBounded(t *testing.T) {
	const (
		flood, addrs  = 200, 20
		running, room = 2, 40
		hashMiB       = 19
		boundHashes   = 8
	)
	ctx := context.Background()
	st := memstore.New()
	h := &heldHasher{right: "owner's right password", hold: make(chan struct{}), mem: &memPeak{}}
	ph, err := h.inner.Hash(h.right)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, authgate.User{ID: "u-owner", Login: "owner", PasswordHash: ph}); err != nil {
		t.Fatal(err)
	}
	g, err := authgate.New(authgate.Config{
		Store:  st,
		Hasher: h,
		Logger: slog.New(slog.DiscardHandler),
		// The room, not MaxWait, is under test: no wait may run out, however
		// slowly a busy machine hashes the forty that wait.
		HashLimit: authgate.HashLimitConfig{Running: running, Waiting: room, MaxWait: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	base := memHeld()

	answers := make([]*httptest.ResponseRecorder, flood)
	var answered atomic.Int64
	var wg sync.WaitGroup
	for i := range flood {
		wg.Go(func() {
			w := httptest.NewRecorder()
			g.ServeHTTP(w, floodLogin("nobody"+strconv.Itoa(i), "wrong", "10.0.0."+strconv.Itoa(1+i%addrs)))
			answers[i] = w
			answered.Add(1)
		})
	}
	// Every hash is busy and held, the room is full, and the rest were
	// turned away: the flood is at its worst.
	refused := int64(flood - running - room)
	floodWaitFor(t, "the flood fills the hashes and the waiting room", func() bool {
		return h.started.Load() == running && answered.Load() == refused
	})
	owner := httptest.NewRecorder()
	ownerDone := make(chan struct{})
	go func() {
		defer close(ownerDone)
		g.ServeHTTP(owner, floodLogin("owner", h.right, "192.0.2.200"))
	}()
	// The owner's address had no place, so it takes one from the address
	// with the most: one more flood request is turned away.
	floodWaitFor(t, "the owner's sign-in takes a place", func() bool { return answered.Load() == refused+1 })
	close(h.hold)
	<-ownerDone
	wg.Wait()
	h.mem.sample()

	if owner.Code != http.StatusSeeOther {
		t.Errorf("the owner's sign-in during the flood answered %d, want 303; body %q", owner.Code, owner.Body.String())
	}
	counts := map[int]int{}
	for i, w := range answers {
		counts[w.Code]++
		if w.Header().Get("Authgate-Login") != "" || w.Header().Get("Www-Authenticate") != "" {
			t.Fatalf("flood request %d got a login signal: %v", i, w.Header())
		}
		switch w.Code {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("503 without a usable Retry-After: %q", w.Header().Get("Retry-After"))
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(w.Body.String(), authgate.ProblemBusy) {
				t.Errorf("503 is %q %q, want problem+json of type %s", ct, w.Body.String(), authgate.ProblemBusy)
			}
		default:
			t.Errorf("flood request %d answered %d, want 401 or 503", i, w.Code)
		}
	}
	if want := int(refused) + 1; counts[http.StatusServiceUnavailable] != want {
		t.Errorf("%d flood requests got 503, want %d (those that found no room)", counts[http.StatusServiceUnavailable], want)
	}
	grew := int64(h.mem.peak) - int64(base)
	t.Logf("answers %v; the memory held grew by %d MiB at its peak (bound %d MiB)", counts, grew>>20, boundHashes*hashMiB)
	if grew > boundHashes*hashMiB<<20 {
		t.Errorf("the memory held grew by %d MiB during the flood, want under %d MiB (%d hashes of %d MiB)", grew>>20, boundHashes*hashMiB, boundHashes, hashMiB)
	}
}
