package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate/bench"
)

// newTestDriver returns a driver on a test server that runs Handler behind
// an authgate memory store gate, with n signed-in sessions.
func newTestDriver(t *testing.T, n int) (*driver, *atomic.Int64) {
	t.Helper()
	ctx := context.Background()
	g, err := bench.NewGateOn(ctx, bench.StoreMemory, t.TempDir(), bench.Servers{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	var served atomic.Int64
	h := g.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	jars := make([]*bench.Jar, n)
	for i := range jars {
		c, err := g.SignIn(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		jars[i] = bench.NewJar(c)
	}
	d := &driver{url: srv.URL + "/dashboard", client: srv.Client(), jars: jars}
	return d, &served
}

func TestClosedLoop(t *testing.T) {
	d, served := newTestDriver(t, 10)
	n, lat := d.closed(context.Background(), 4, 200*time.Millisecond)
	if n == 0 || n != len(lat) {
		t.Fatalf("%d requests, %d latencies", n, len(lat))
	}
	if e := d.errors.Load(); e != 0 {
		t.Errorf("%d errors: a signed-in page load through the gate should get 200", e)
	}
	if got := served.Load(); got < int64(n) {
		t.Errorf("the server saw %d requests, the driver counted %d", got, n)
	}
}

func TestPairedOpenLoop(t *testing.T) {
	a, _ := newTestDriver(t, 10)
	b, _ := newTestDriver(t, 10)
	lat := pairedOpen(context.Background(), []*driver{a, b}, 200, 250*time.Millisecond)
	if len(lat) != 2 || len(lat[0]) != 25 || len(lat[1]) != 25 {
		t.Errorf("latencies %d and %d, want 25 and 25 (200 req/s for 250 ms, alternately)", len(lat[0]), len(lat[1]))
	}
	if e := a.errors.Load() + b.errors.Load(); e != 0 {
		t.Errorf("%d errors", e)
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want time.Duration
		ok   bool
	}{
		{"plain", "4242 (load) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 7 0 100 0 0", 1750 * time.Millisecond, true},
		{"spaces in the name", "4242 (a b) c) R 1 4242 4242 0 -1 4194560 100 0 0 0 3 4 0 0 20 0 7 0 100 0 0", 70 * time.Millisecond, true},
		{"short", "4242 (load) S 1 2", 0, false},
		{"garbage", "no parenthesis", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseStat(tt.stat)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: parseStat = %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		rps  []float64
		want float64
	}{
		{"none", nil, 0},
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		ps := make([]pair, len(tt.rps))
		for i, v := range tt.rps {
			ps[i].gated.rps = v
		}
		if got := median(ps, func(p pair) float64 { return p.gated.rps }); got != tt.want {
			t.Errorf("%s: median %v, want %v", tt.name, got, tt.want)
		}
	}
}
