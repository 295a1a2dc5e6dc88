package proxy_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authgate/authgate/proxy"
)

// proxyBlock is one ```proxy block of docs/PROTOCOL.md: a client's request,
// and what the upstream receives or, with the upstream down, what the client
// receives.
type proxyBlock struct {
	where    string
	request  string
	down     bool
	expected string
}

func proxyBlocks(t *testing.T, file string) []proxyBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []proxyBlock
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```proxy" {
			continue
		}
		start := i + 1
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		text := strings.Join(body, "\n")
		b := proxyBlock{where: strings.TrimPrefix(file, "../") + ":" + strconv.Itoa(start)}
		switch {
		case strings.Contains(text, "\n\nupstream receives:\n"):
			b.request, b.expected, _ = strings.Cut(text, "\n\nupstream receives:\n")
		case strings.Contains(text, "\n\nupstream down; the client receives:\n"):
			b.request, b.expected, _ = strings.Cut(text, "\n\nupstream down; the client receives:\n")
			b.down = true
		default:
			t.Fatalf("%s: a proxy block with neither \"upstream receives:\" nor \"upstream down; the client receives:\"", b.where)
		}
		out = append(out, b)
	}
	return out
}

// headerLines parses "Name: value" lines, keeping the names as written.
func headerLines(lines []string) [][2]string {
	var out [][2]string
	for _, l := range lines {
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		out = append(out, [2]string{k, strings.TrimSpace(v)})
	}
	return out
}

// matches reports whether got is want, in which <...> stands for any text.
func matches(want, got string) bool {
	parts := strings.Split(want, "<...>")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

// TestProtocolProxy sends every ```proxy block's request to a proxy and
// checks what the upstream receives, or, with the upstream down, what the
// client receives: docs/PROTOCOL.md section 8 is exact.
func TestProtocolProxy(t *testing.T) {
	blocks := proxyBlocks(t, "../docs/PROTOCOL.md")
	if len(blocks) < 3 {
		t.Fatalf("docs/PROTOCOL.md has %d proxy blocks; want at least 3", len(blocks))
	}
	for _, b := range blocks {
		t.Run(b.where, func(t *testing.T) {
			store, gate, fill := docGate(t)
			got := make(chan *http.Request, 1)
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- r.Clone(r.Context())
			}))
			defer up.Close()
			if b.down {
				up.Close()
			}
			u, _ := url.Parse(up.URL)
			p, err := proxy.New(proxy.Options{Gate: gate, Users: store, Upstream: u, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			resp, body := sendRaw(t, p, fill.Replace(b.request))
			want := strings.Split(b.expected, "\n")
			if b.down {
				checkAnswer(t, want, resp, body)
				return
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("the client got %d, not the upstream's answer: %s", resp.StatusCode, body)
			}
			checkUpstream(t, want, <-got)
		})
	}
}

func checkUpstream(t *testing.T, want []string, r *http.Request) {
	t.Helper()
	if line := r.Method + " " + r.RequestURI + " HTTP/1.1"; line != want[0] {
		t.Errorf("the upstream got %q; the doc says %q", line, want[0])
	}
	listed := map[string]bool{}
	for _, h := range headerLines(want[1:]) {
		name := http.CanonicalHeaderKey(h[0])
		listed[name] = true
		v := r.Header.Get(name)
		if name == "Host" {
			v = r.Host
		}
		if !matches(h[1], v) || len(r.Header.Values(name)) > 1 {
			t.Errorf("the upstream got %s: %q; the doc says %q", name, r.Header.Values(name), h[1])
		}
	}
	for name := range r.Header {
		low := strings.ReplaceAll(strings.ToLower(name), "_", "-")
		if !listed[name] && (strings.HasPrefix(low, "x-authgate-") || low == "cookie" || low == "authorization" || low == "forwarded") {
			t.Errorf("the upstream got %s: %q, which the doc does not list", name, r.Header[name])
		}
	}
}

func checkAnswer(t *testing.T, want []string, resp *http.Response, body []byte) {
	t.Helper()
	if line := "HTTP/1.1 " + resp.Status; line != want[0] {
		t.Errorf("the client got %q; the doc says %q", line, want[0])
	}
	hs := headerLines(want[1:])
	for _, h := range hs {
		if v := resp.Header.Get(h[0]); !matches(h[1], v) {
			t.Errorf("the client got %s: %q; the doc says %q", h[0], v, h[1])
		}
	}
	wantBody := strings.TrimSpace(strings.Join(want[1+len(hs)+1:], "\n"))
	var a, b any
	if json.Unmarshal([]byte(wantBody), &a) != nil || json.Unmarshal(body, &b) != nil {
		t.Fatalf("the bodies are not JSON: doc %q, got %q", wantBody, body)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("the client got %s; the doc says %s", body, wantBody)
	}
}
