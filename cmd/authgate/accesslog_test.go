package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// Each request's access log line holds its own note, whether the requests
// take turns on one kept-alive HTTP/1 connection (which lends them one note
// in turn) or run at once on one HTTP/2 connection: a request that notes
// nothing never shows what the one before it on its connection noted.
func TestAccessLogNotePerRequest(t *testing.T) {
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher, Logger: testkit.NewLogs().Logger()})
	if err != nil {
		t.Fatal(err)
	}
	var out testkit.Buffer
	sv := &serving{flags: servingFlags{logFormat: "json"}, sample: newSampler(1), ready: newReadiness(memstore.New(), make(chan struct{}))}
	sv.log = sv.flags.newLogger(&out)

	// /up/N notes an upstream answer N, as the proxy's transport does;
	// /quiet notes nothing. /both/N waits until two of them are in.
	var both sync.WaitGroup
	both.Add(2)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, arg, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if name == "both" {
			both.Done()
			both.Wait()
		}
		if n, err := strconv.Atoi(arg); err == nil {
			noteOf(r.Context()).upstreamStatus = n
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := sv.newHTTPServer(sv.handler(g, app))
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + ln.Addr().String()

	get := func(c *http.Client, path string, proto int) {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != proto {
			t.Errorf("%s came over HTTP/%d, want HTTP/%d", path, resp.ProtoMajor, proto)
		}
	}
	// One connection for all: every request waits for the one before.
	h1 := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	for _, path := range []string{"/up/201", "/quiet", "/up/202", "/quiet"} {
		get(h1, path, 1)
	}
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	var wg sync.WaitGroup
	for _, path := range []string{"/both/203", "/both/204"} {
		wg.Go(func() { get(&http.Client{Transport: h2c}, path, 2) })
	}
	wg.Wait()

	want := map[string]float64{"/up/201": 201, "/quiet": 0, "/up/202": 202, "/both/203": 203, "/both/204": 204}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["msg"] != "http" {
			continue
		}
		lines++
		path, _ := rec["path"].(string)
		got, _ := rec["upstream_status"].(float64)
		if w, ok := want[path]; !ok || got != w {
			t.Errorf("%s: upstream_status %v, want %v", path, rec["upstream_status"], want[path])
		}
	}
	if lines != 6 {
		t.Errorf("%d access log lines, want 6:\n%s", lines, out.String())
	}
}
