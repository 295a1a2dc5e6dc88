//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/proxy"
	"github.com/authgate/authgate/sqlitestore"
)

// BenchmarkProxyCommand is a page's fetch() call through the handler that
// `authgate proxy` serves (the access log, with every line formatted; the
// gate on SQLite; the proxy) and through a bare httputil.ReverseProxy with a
// pool of copy buffers in front of the same upstream, handler against
// handler, with the headers of Chromium's fetch() that bench/cmd/proxyload
// sends too, and an upstream in memory. The difference in allocations and
// in CPU time per request (cpu-ns/op) is what the command adds.
func BenchmarkProxyCommand(b *testing.B) {
	ctx := context.Background()
	upURL, err := url.Parse("http://127.0.0.1:8080")
	if err != nil {
		b.Fatal(err)
	}
	bare := &httputil.ReverseProxy{
		Rewrite:    func(pr *httputil.ProxyRequest) { pr.SetURL(upURL); pr.SetXForwarded() },
		Transport:  upstream{},
		BufferPool: new(copyBuffers),
	}

	st, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "gate.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	u := authgate.User{ID: "u1", Login: "admin", PasswordHash: "x", CreatedAt: time.Now()}
	if err := st.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// A clock that stands still: the companion cookie the gate sets when
	// the session's deadlines move (once a second, in a real load) is set
	// at sign-in and never again, so that every request is the common one.
	now := time.Now()
	g, err := authgate.New(authgate.Config{Store: st, Hasher: testkit.Hasher, Logger: log, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	p, err := proxy.New(proxy.Options{Gate: g, Users: st, Upstream: upURL, Logger: log, Transport: noteTransport{rt: upstream{}}})
	if err != nil {
		b.Fatal(err)
	}
	sv := &serving{log: log, sample: newSampler(1), ready: newReadiness(st, make(chan struct{}))}
	command := sv.handler(g, p)

	w := httptest.NewRecorder()
	if _, err := g.SignIn(ctx, w, httptest.NewRequest(http.MethodPost, "http://localhost/login", nil), u); err != nil {
		b.Fatal(err)
	}
	var cookies []string
	for _, c := range w.Result().Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	base := testkit.AsKind(httptest.NewRequest(http.MethodGet, "http://localhost:4180/api/item", nil), authgate.KindScript)
	base.RemoteAddr = "127.0.0.1:40000"
	base.Header.Set("Cookie", strings.Join(cookies, "; "))

	// Every request comes on one HTTP/1 connection, as on a kept-alive one
	// of the server's.
	conn := connContext(ctx, nil)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"authgate", command}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				w := &discardWriter{h: make(http.Header, 4)}
				c.h.ServeHTTP(w, base.Clone(conn))
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// upstream answers every request with a small JSON document, as an API
// does, in memory: the benchmark measures the proxies, not the network.
type upstream struct{}

var upstreamItem = []byte(`{"id":42,"name":"a note","text":"` + strings.Repeat("lorem ipsum ", 16) + `"}` + "\n")

func (upstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(upstreamItem))}},
		Body:          io.NopCloser(bytes.NewReader(upstreamItem)),
		ContentLength: int64(len(upstreamItem)),
		Request:       r,
	}, nil
}

// processCPU returns the CPU time the process has used so far: what a
// request costs whatever else the machine runs, where the time per request
// also counts the waits for a busy CPU.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// copyBuffers lends the bare proxy its copy buffers from a pool, as
// authgate proxy's are.
type copyBuffers struct{ pool sync.Pool }

func (p *copyBuffers) Get() []byte {
	if b, ok := p.pool.Get().(*[32 << 10]byte); ok {
		return b[:]
	}
	return make([]byte, 32<<10)
}

func (p *copyBuffers) Put(b []byte) {
	if cap(b) >= 32<<10 {
		p.pool.Put((*[32 << 10]byte)(b[:32<<10]))
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *discardWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}
