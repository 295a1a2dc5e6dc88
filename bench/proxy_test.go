package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
	"github.com/authgate/authgate/sqlitestore"
)

// proxyItem is the upstream's answer in the proxy benchmarks: a small JSON
// document, as an API gives.
var proxyItem = []byte(`{"id":42,"name":"a note","text":"lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum","tags":["a","b","c"]}` + "\n")

// proxyPair is a bare httputil.ReverseProxy and an authgate proxy in front
// of the same upstream, over the same kind of transport, with the cookie of
// a session on the authgate one.
type proxyPair struct {
	bare, gate http.Handler
	cookie     string
}

// newProxyPair starts the upstream and both proxies; the gate keeps its
// sessions in SQLite, as the command does by default.
func newProxyPair(tb testing.TB) proxyPair {
	tb.Helper()
	ctx := context.Background()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(proxyItem)
	}))
	tb.Cleanup(up.Close)
	upURL, err := url.Parse(up.URL)
	if err != nil {
		tb.Fatal(err)
	}

	bareTransport := proxy.NewTransport()
	tb.Cleanup(bareTransport.CloseIdleConnections)
	bare := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upURL)
			pr.SetXForwarded()
		},
		Transport: bareTransport,
	}

	st, err := sqlitestore.Open(ctx, filepath.Join(tb.TempDir(), "gate.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	u := authgate.User{ID: BenchUserID, Login: "ada", Name: BenchUserName, PasswordHash: "x", CreatedAt: time.Now()}
	if err := st.CreateUser(ctx, u); err != nil {
		tb.Fatal(err)
	}
	g, err := newGate(st, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	gateTransport := proxy.NewTransport()
	tb.Cleanup(gateTransport.CloseIdleConnections)
	p, err := proxy.New(proxy.Options{Gate: g, Users: st, Upstream: upURL, Transport: gateTransport})
	if err != nil {
		tb.Fatal(err)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, AppURL+"/login", nil)
	if _, err := g.SignIn(ctx, w, r, u); err != nil {
		tb.Fatal(err)
	}
	cookie, err := cookieHeader(w.Result().Cookies())
	if err != nil {
		tb.Fatal(err)
	}
	return proxyPair{bare: bare, gate: p, cookie: cookie}
}

// discardWriter is a ResponseWriter that keeps only the status, so that
// the benchmark measures the proxy and not a recorder's buffer.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkProxyScriptCall is a page's fetch() call through a bare
// ReverseProxy and through authgate proxy, handler against handler: the
// same upstream, the same transport. The difference is what the gate adds
// to a request; allocations per request are the best guide to it.
func BenchmarkProxyScriptCall(b *testing.B) {
	pair := newProxyPair(b)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", pair.bare}, {"authgate", pair.gate}} {
		b.Run(c.name, func(b *testing.B) {
			base := ScriptRequest(pair.cookie)
			base.RemoteAddr = "127.0.0.1:40000"
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := &discardWriter{h: make(http.Header)}
					r := base.Clone(context.Background())
					c.h.ServeHTTP(w, r)
					if w.status != 0 && w.status != http.StatusOK {
						b.Errorf("status %d", w.status)
						return
					}
				}
			})
		})
	}
}

// BenchmarkProxyServer is BenchmarkProxyScriptCall over loopback HTTP:
// each proxy in an http.Server of its own, driven by keep-alive clients.
func BenchmarkProxyServer(b *testing.B) {
	pair := newProxyPair(b)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", pair.bare}, {"authgate", pair.gate}} {
		b.Run(c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			u := srv.URL + "/api/items?page=2"
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, u, nil)
					BrowserHeaders(req.Header, pair.cookie, false)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
