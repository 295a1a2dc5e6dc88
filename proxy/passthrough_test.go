package proxy_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/proxy"
)

const page = "<!doctype html><html><head><title>Notes</title></head><body><p>hello</p></body></html>"

// pageServer answers every request with page, as text/html, gzipped when
// the path says so, with the CSP the query names.
var pageServer = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("ETag", `"v1"`)
	if csp := r.URL.Query().Get("csp"); csp != "" {
		h.Set("Content-Security-Policy", csp)
	}
	body := []byte(page)
	if strings.HasSuffix(r.URL.Path, ".gz") {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	if strings.HasSuffix(r.URL.Path, ".br") {
		h.Set("Content-Encoding", "br") // the proxy cannot read it; the bytes do not matter
	}
	if strings.HasSuffix(r.URL.Path, ".json") {
		h.Set("Content-Type", "application/json")
	}
	_, _ = w.Write(body)
})

// Pages that a browser loads get the client script, with who is signed
// in, before </head>; everything else arrives byte for byte.
func TestScriptInserted(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		who      caller
		hx       bool
		noScript bool
		want     string // "" for the page unchanged
	}{
		{"page", "/notes", navigation, false, false, `data-user="ada" data-user-id="u-ada"></script></head>`},
		{"gzip page", "/notes.gz", navigation, false, false, `data-user="ada" data-user-id="u-ada"></script></head>`},
		{"CSP nonce", "/notes?csp=script-src+%27nonce-r4nd0m%27", navigation, false, false, `<script nonce="r4nd0m" src="/.authgate/`},
		{"htmx fragment", "/notes", script, true, false, ""},
		{"fetch of a page", "/notes", script, false, false, ""},
		{"JSON", "/notes.json", navigation, false, false, ""},
		{"brotli page", "/notes.br", navigation, false, false, ""},
		{"API key", "/notes", machine, false, false, ""},
		{"insertion off", "/notes", navigation, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, pageServer, func(o *proxy.Options) { o.NoScript = tt.noScript })
			req := f.request(t, http.MethodGet, tt.path, tt.who, true)
			req.Header.Set("Accept-Encoding", "gzip") // asked by hand: the client then decodes nothing itself
			if tt.hx {
				req.Header.Set("HX-Request", "true")
			}
			resp := do(t, req)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if resp.Header.Get("Content-Encoding") == "gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					body, _ = io.ReadAll(zr)
				}
				if string(body) != page {
					t.Errorf("the page changed:\n%s", body)
				}
				if resp.Header.Get("ETag") != `"v1"` {
					t.Errorf("ETag %q changed", resp.Header.Get("ETag"))
				}
				return
			}
			if !strings.Contains(string(body), tt.want) || strings.Count(string(body), "<script") != 1 {
				t.Errorf("no %q, once, in:\n%s", tt.want, body)
			}
			if !strings.HasPrefix(string(body), "<!doctype html><html><head><title>Notes</title><script") {
				t.Errorf("the tag is not right before </head>:\n%s", body)
			}
			if resp.ContentLength != -1 || resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Length %d, Content-Encoding %q: want none (chunked, decoded)", resp.ContentLength, resp.Header.Get("Content-Encoding"))
			}
			if et := resp.Header.Get("ETag"); et != `W/"v1"` {
				t.Errorf("ETag %q, want the weak W/\"v1\"", et)
			}
			up := f.upCalls.all()[0].Header.Get("Accept-Encoding")
			if up != "identity" {
				t.Errorf("the upstream was asked for Accept-Encoding %q, want identity", up)
			}
		})
	}
}

// held is an upstream step that waits for the test.
type held struct {
	reached chan struct{} // closed when the upstream got there
	release chan struct{} // closed by the test to let it go on
}

func newHeld() *held { return &held{make(chan struct{}), make(chan struct{})} }

// A page streams: its first part reaches the browser, script tag inserted,
// while the upstream is still writing. The same for server-sent events.
func TestResponsesStream(t *testing.T) {
	tests := []struct {
		name, ctype, first, rest, want string
		who                            caller
	}{
		{"page", "text/html", "<html><head></head><body>first", "rest</body></html>", "first", navigation},
		{"event stream", "text/event-stream", "data: one\n\n", "data: two\n\n", "data: one", script},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHeld()
			f := newFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				_, _ = io.WriteString(w, tt.first)
				w.(http.Flusher).Flush()
				close(h.reached)
				<-h.release
				_, _ = io.WriteString(w, tt.rest)
			}), nil)
			defer close(h.release)
			resp := do(t, f.request(t, http.MethodGet, "/stream", tt.who, true))
			var got []byte
			buf := make([]byte, 1024)
			for !bytes.Contains(got, []byte(tt.want)) {
				n, err := resp.Body.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					t.Fatalf("read %q, then %v", got, err)
				}
			}
			if tt.who == navigation && !bytes.Contains(got, []byte("<script")) {
				t.Errorf("the first part has no script tag: %q", got)
			}
		})
	}
}

// A request body streams to the upstream: the upstream reads its first part
// before the client has sent the rest.
func TestUploadStreams(t *testing.T) {
	firstPart := make(chan string, 1)
	f := newFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line, _ := bufio.NewReader(r.Body).ReadString('\n')
		firstPart <- line
		_, _ = io.Copy(io.Discard, r.Body)
	}), nil)
	pr, pw := io.Pipe()
	req := f.request(t, http.MethodPost, "/upload", machine, true)
	req.Body = pr
	req.ContentLength = -1
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		done <- resp
	}()
	_, _ = io.WriteString(pw, "part one\n")
	if got := <-firstPart; got != "part one\n" {
		t.Errorf("the upstream read %q first", got)
	}
	_, _ = io.WriteString(pw, strings.Repeat("more\n", 1000))
	pw.Close()
	if resp := <-done; resp != nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	}
}

// A WebSocket upgrade passes through, also with Firefox's
// "Connection: keep-alive, Upgrade"; the bytes after it flow both ways. One
// from a page of another origin is refused.
func TestWebSocketUpgrade(t *testing.T) {
	f := newFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "not an upgrade", http.StatusBadRequest)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		_ = rw.Flush()
		line, _ := rw.ReadString('\n')
		_, _ = rw.WriteString("echo " + line)
		_ = rw.Flush()
	}), nil)
	u, _ := url.Parse(f.srv.URL)
	upgrade := func(origin string) (*bufio.Reader, net.Conn, *http.Response) {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: localhost\r\n"+
			"Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-Fetch-Mode: websocket\r\n"+
			"Origin: "+origin+"\r\nCookie: "+f.cookie+"\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		return br, conn, resp
	}
	if _, _, resp := upgrade("http://evil.localhost"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an upgrade from another origin: status %d, want 403", resp.StatusCode)
	}
	br, conn, resp := upgrade("http://localhost")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d, want 101", resp.StatusCode)
	}
	_, _ = io.WriteString(conn, "ping\n")
	if line, _ := br.ReadString('\n'); line != "echo ping\n" {
		t.Errorf("after the upgrade: %q, want the echo", line)
	}
}

// Clients speaking HTTP/2 (over TLS) reach the upstream.
func TestHTTP2(t *testing.T) {
	f := newFixture(t, ok, nil)
	srv := httptest.NewUnstartedServer(f.proxy)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/x", nil)
	req.SetBasicAuth(f.keyID, f.secret)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("%s %d %q, want HTTP/2 200 \"ok\"", resp.Proto, resp.StatusCode, body)
	}
}

// An upstream that is down gets 502: a short page for a page load,
// problem+json of its own type for script calls and machines. Never a
// login signal.
func TestBadGateway(t *testing.T) {
	f := newFixture(t, ok, nil)
	f.up.Close()
	tests := []struct {
		name  string
		who   caller
		ctype string
	}{
		{"page", navigation, "text/html; charset=utf-8"},
		{"script", script, "application/problem+json"},
		{"machine", machine, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, f.request(t, http.MethodGet, "/x", tt.who, true))
			if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Content-Type") != tt.ctype {
				t.Fatalf("%d %q, want 502 %q", resp.StatusCode, resp.Header.Get("Content-Type"), tt.ctype)
			}
			if resp.Header.Get("WWW-Authenticate") != "" {
				t.Error("a 502 carries a login challenge")
			}
			if tt.ctype == "application/problem+json" {
				var p struct{ Type string }
				if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Type != proxy.ProblemBadGateway {
					t.Errorf("type %q (%v), want %q", p.Type, err, proxy.ProblemBadGateway)
				}
			}
		})
	}
}

// A page whose Content-Security-Policy blocks the script, or that comes in
// an encoding the proxy cannot read, gets one log line for all such pages.
func TestOneLogLine(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/notes?csp=script-src+%27none%27", "Content-Security-Policy blocks the client script"},
		{"/notes.br", "encoding the proxy cannot read"},
	}
	for _, tt := range tests {
		logs := testkit.NewLogs()
		f := newFixture(t, pageServer, func(o *proxy.Options) {
			o.Logger = logs.Logger()
		})
		for range 3 {
			resp := do(t, f.request(t, http.MethodGet, tt.path, navigation, true))
			_, _ = io.Copy(io.Discard, resp.Body)
		}
		if n := strings.Count(logs.String(), tt.want); n != 1 {
			t.Errorf("%s: %d log lines saying %q; want 1:\n%s", tt.path, n, tt.want, logs.String())
		}
	}
}
