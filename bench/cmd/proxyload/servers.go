package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/authgate/authgate/proxy"
)

// item is the upstream's answer: a small JSON document, as an API gives.
var item = []byte(`{"id":42,"name":"a note","text":"` + strings.Repeat("lorem ipsum ", 16) + `","tags":["a","b","c"]}` + "\n")

// serveUpstream is the busy upstream: it answers every request with item.
func serveUpstream(ctx context.Context, addrFile string) error {
	return listenAndServe(ctx, addrFile, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(item)
	}))
}

// serveBare is the baseline: httputil.ReverseProxy with Rewrite and the
// transport authgate proxy uses (proxy.NewTransport: enough idle
// connections kept for one busy upstream). With buffers, it also borrows
// its copy buffers from a pool, as authgate proxy does.
func serveBare(ctx context.Context, addrFile, upstream string, buffers bool) error {
	up, err := url.Parse(upstream)
	if err != nil {
		return err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.SetXForwarded()
		},
		Transport: proxy.NewTransport(),
	}
	if buffers {
		rp.BufferPool = new(bufferPool)
	}
	return listenAndServe(ctx, addrFile, rp)
}

// bufferPool lends the bare proxy 32 KiB copy buffers.
type bufferPool struct{ pool sync.Pool }

func (p *bufferPool) Get() []byte {
	if b, ok := p.pool.Get().(*[32 << 10]byte); ok {
		return b[:]
	}
	return make([]byte, 32<<10)
}

func (p *bufferPool) Put(b []byte) {
	if cap(b) >= 32<<10 {
		p.pool.Put((*[32 << 10]byte)(b[:32<<10]))
	}
}

// listenAndServe serves h on a free loopback port, written to addrFile,
// until ctx ends.
func listenAndServe(ctx context.Context, addrFile string, h http.Handler) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := os.WriteFile(addrFile, []byte(ln.Addr().String()), 0o600); err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
