package bench

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// pg is the PostgreSQL server that the package's tests and benchmarks
// share: initdb and a start take seconds. TestMain stops it.
var pg struct {
	once sync.Once
	srv  *PostgresServer
	err  error
}

// sharedPostgres starts the shared server on its first call.
func sharedPostgres() (*PostgresServer, error) {
	pg.once.Do(func() { pg.srv, pg.err = StartPostgres() })
	return pg.srv, pg.err
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.srv != nil {
		_ = pg.srv.Close()
	}
	os.Exit(code)
}

// setup returns every contender, with a redis-server of its own and the
// shared PostgreSQL server when they are installed, all closed when tb
// ends.
func setup(tb testing.TB) []Contender {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	var servers Servers
	srv, err := StartRedis(ctx, dir)
	switch {
	case errors.Is(err, ErrNoRedis):
		tb.Log("redis-server is not on PATH: no Redis rows")
	case err != nil:
		tb.Fatal(err)
	default:
		tb.Cleanup(func() { _ = srv.Close() })
		servers.Redis = srv.Addr
	}
	ps, err := sharedPostgres()
	switch {
	case errors.Is(err, ErrNoPostgres):
		tb.Log("PostgreSQL is not installed: no PostgreSQL rows")
	case err != nil:
		tb.Fatal(err)
	default:
		servers.Postgres = ps.URL
	}
	cs, err := Contenders(ctx, dir, servers)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, c := range cs {
			if err := c.Close(); err != nil {
				tb.Errorf("closing %s: %v", c.Name(), err)
			}
		}
	})
	return cs
}

// measure times requests like base on h, each answered with want: serve
// or paired.
type measure func(b *testing.B, h http.Handler, base *http.Request, want int)

// serve runs base, cloned afresh for each iteration, through h and checks
// every response's status.
func serve(b *testing.B, h http.Handler, base *http.Request, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, base.Clone(ctx))
		if w.Code != want {
			b.Fatalf("status %d, want %d", w.Code, want)
		}
	}
}

// BenchmarkSignedInGET is a page load on a live session, the request every
// signed-in user makes all day.
func BenchmarkSignedInGET(b *testing.B) { signedInGET(b, serve, true) }

// signedInGET runs m on a page load on a live session, for every contender
// (the bare handler too when withBare).
func signedInGET(b *testing.B, m measure, withBare bool) {
	ctx := context.Background()
	for _, c := range setup(b) {
		if _, ok := c.(Bare); ok && !withBare {
			continue
		}
		cookie, err := c.SignIn(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Name(), func(b *testing.B) {
			m(b, c.Handler(), PageRequest(cookie), http.StatusOK)
		})
	}
}

// BenchmarkScriptExpired is a fetch() call on a session past its idle
// timeout: the gate answers with its login signal, a peer with the 401 an
// app writes by hand. The bare handler answers 200, as the floor.
func BenchmarkScriptExpired(b *testing.B) { scriptExpired(b, serve, true) }

// scriptExpired runs m on a fetch() call on an expired session, for every
// contender (the bare handler too, answering 200, when withBare).
func scriptExpired(b *testing.B, m measure, withBare bool) {
	ctx := context.Background()
	for _, c := range setup(b) {
		want := http.StatusUnauthorized
		if _, ok := c.(Bare); ok {
			if !withBare {
				continue
			}
			want = http.StatusOK
		}
		cookie, err := c.Expired(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Name(), func(b *testing.B) {
			m(b, c.Handler(), ScriptRequest(cookie), want)
		})
	}
}

// BenchmarkAPIKey is a machine client's call with an API key over HTTP
// Basic. Only authgate has API keys; the bare handler is the floor.
func BenchmarkAPIKey(b *testing.B) { apiKey(b, serve, true) }

// apiKey runs m on a machine client's call with an API key, for the gates
// (and the bare handler, with a made-up key, when withBare).
func apiKey(b *testing.B, m measure, withBare bool) {
	ctx := context.Background()
	for _, c := range setup(b) {
		var authz string
		switch c := c.(type) {
		case Bare:
			if !withBare {
				continue
			}
			authz = "Basic " + base64.StdEncoding.EncodeToString([]byte("agk_aaaaaaaaaaaaaaaa:"+randomHex(21)))
		case *Gate:
			var err error
			if authz, err = c.NewKey(ctx); err != nil {
				b.Fatal(err)
			}
		default:
			continue
		}
		b.Run(c.Name(), func(b *testing.B) {
			m(b, c.Handler(), MachineRequest(authz), http.StatusOK)
		})
	}
}

// BenchmarkBurst1000 sends 1,000 page loads on one session signed in two
// minutes earlier, one after another, updating its cookies from each
// response as a browser does. An op is the whole burst (its time includes
// the client's cookie-jar upkeep); writes/op counts the session store's
// writes and set-cookies/op the responses that set a cookie.
func BenchmarkBurst1000(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	for _, c := range setup(b) {
		b.Run(c.Name(), func(b *testing.B) {
			h := c.Handler()
			var writes int64
			var setCookies int
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				cookie, err := c.SignIn(ctx, 2*time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := Burst(ctx, h, c, cookie, n)
				if err != nil {
					b.Fatal(err)
				}
				writes += res.Writes
				setCookies += res.SetCookies
			}
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
			b.ReportMetric(float64(setCookies)/float64(b.N), "set-cookies/op")
		})
	}
}

// paired measures what h adds to the bare handler with the noise of a
// shared machine taken out: each iteration sends base to the bare handler
// and to h, in alternating order, timing each, and added-ns/op is the
// difference of their means. Both halves run within microseconds of each
// other, so a burst of load from another process slows both alike. ns/op
// is the pair's.
func paired(b *testing.B, h http.Handler, base *http.Request, want int) {
	ctx := context.Background()
	bare := Handler()
	var bareTime, gateTime time.Duration
	one := func(h http.Handler, want int) time.Duration {
		r, w := base.Clone(ctx), httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != want {
			b.Fatalf("status %d, want %d", w.Code, want)
		}
		return d
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			bareTime += one(bare, http.StatusOK)
			gateTime += one(h, want)
		} else {
			gateTime += one(h, want)
			bareTime += one(bare, http.StatusOK)
		}
		i++
	}
	b.ReportMetric(float64(gateTime-bareTime)/float64(i), "added-ns/op")
}

// BenchmarkPairedSignedInGET is BenchmarkSignedInGET measured with paired.
func BenchmarkPairedSignedInGET(b *testing.B) { signedInGET(b, paired, false) }

// BenchmarkPairedScriptExpired is BenchmarkScriptExpired measured with
// paired.
func BenchmarkPairedScriptExpired(b *testing.B) { scriptExpired(b, paired, false) }

// BenchmarkPairedAPIKey is BenchmarkAPIKey measured with paired.
func BenchmarkPairedAPIKey(b *testing.B) { apiKey(b, paired, false) }
