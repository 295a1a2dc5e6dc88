package authgate_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// discardWriter is a ResponseWriter that keeps only the status, so that
// the benchmarks measure the gate, not a recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

func (d *discardWriter) reset() {
	clear(d.h)
	d.code = http.StatusOK
}

var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("ok"))
})

// benchGate is a gate on the memory store, quiet and with cheap hashing.
func benchGate(b *testing.B) (*authgate.Gate, *memstore.Store) {
	b.Helper()
	st := memstore.New()
	g, err := authgate.New(authgate.Config{Store: st, Hasher: testkit.Hasher, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return g, st
}

// runBench serves a fresh clone of r to h per iteration and checks the
// status.
func runBench(b *testing.B, h http.Handler, r *http.Request, want int) {
	b.Helper()
	w := &discardWriter{h: make(http.Header)}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r.Clone(ctx))
		if w.code != want {
			b.Fatalf("status %d, want %d", w.code, want)
		}
	}
}

// BenchmarkBare is the handler alone, for comparison with the gated ones.
func BenchmarkBare(b *testing.B) {
	r := httptest.NewRequest("GET", "https://app.example/notes", nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("User-Agent", browserUA)
	runBench(b, benchHandler, r, http.StatusOK)
}

// BenchmarkSignedInGET is a signed-in page load through Require on the
// memory store, in the steady state: the browser already holds the current
// companion cookie, so no Set-Cookie is written.
func BenchmarkSignedInGET(b *testing.B) {
	g, _ := benchGate(b)
	sr := httptest.NewRequest("POST", "https://app.example/login", nil)
	rec := httptest.NewRecorder()
	if _, err := g.SignIn(sr.Context(), rec, sr, authgate.User{ID: "u1", Login: "ada"}); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "https://app.example/notes", nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("User-Agent", browserUA)
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(c)
	}
	runBench(b, g.Require(benchHandler), r, http.StatusOK)
}

// BenchmarkScriptSignal is a fetch call without a session: the
// login-required signal.
func BenchmarkScriptSignal(b *testing.B) {
	g, _ := benchGate(b)
	r := httptest.NewRequest("GET", "https://app.example/api/notes", nil)
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.Header.Set("Referer", "https://app.example/notes")
	runBench(b, g.Require(benchHandler), r, http.StatusUnauthorized)
}

// BenchmarkAPIKey is a machine call with a valid API key over Basic.
func BenchmarkAPIKey(b *testing.B) {
	g, st := benchGate(b)
	k, secret, err := authgate.NewAPIKey("u1", "bench", time.Now(), time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreateKey(context.Background(), k); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "https://app.example/api/notes", nil)
	r.SetBasicAuth(k.ID, secret)
	runBench(b, g.Require(benchHandler), r, http.StatusOK)
}
