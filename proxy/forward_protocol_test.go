package proxy_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/authgate/authgate/proxy"
)

// TestProtocolForwardAuth sends every ```forward-auth block's request of
// docs/PROTOCOL.md to a forward-auth service and checks the answer.
func TestProtocolForwardAuth(t *testing.T) {
	data, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	n := 0
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```forward-auth" {
			continue
		}
		start := i + 1
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		req, answer, ok := strings.Cut(strings.Join(body, "\n"), "\n\nthe gate answers:\n")
		if !ok {
			t.Fatalf("PROTOCOL.md:%d: a forward-auth block without \"the gate answers:\"", start)
		}
		n++
		t.Run("PROTOCOL.md:"+strconv.Itoa(start), func(t *testing.T) {
			checkForwardBlock(t, req, strings.Split(answer, "\n"))
		})
	}
	if n < 5 {
		t.Fatalf("docs/PROTOCOL.md has %d forward-auth blocks; want at least 5", n)
	}
}

func checkForwardBlock(t *testing.T, request string, want []string) {
	store, gate, fill := docGate(t)
	fa, err := proxy.NewForwardAuth(proxy.ForwardAuthOptions{Gate: gate, Users: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := sendRaw(t, fa, fill.Replace(request))
	if line := "HTTP/1.1 " + resp.Status; line != want[0] {
		t.Errorf("the gate answered %q; the doc says %q (body %s)", line, want[0], body)
	}
	hs := headerLines(want[1:])
	for _, h := range hs {
		got := resp.Header.Values(h[0])
		switch {
		case h[1] == "(none)":
			if len(got) > 0 {
				t.Errorf("the gate answered %s: %q; the doc says none", h[0], got)
			}
		case len(got) != 1 || !matches(h[1], got[0]):
			t.Errorf("the gate answered %s: %q; the doc says %q", h[0], got, h[1])
		}
	}
	wantBody := strings.TrimSpace(strings.Join(want[min(len(want), 1+len(hs)+1):], "\n"))
	if wantBody == "" {
		return
	}
	var a, b any
	if json.Unmarshal([]byte(wantBody), &a) != nil || json.Unmarshal(body, &b) != nil {
		t.Fatalf("the bodies are not JSON: doc %q, got %q", wantBody, body)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("the gate answered %s; the doc says %s", body, wantBody)
	}
}
