package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// endless is a provider that answers its discovery document, or its keys,
// with a body that never ends, and counts the bytes it sent.
type endless struct {
	srv     *httptest.Server
	what    string // "discovery" or "keys": which answer never ends
	written atomic.Int64
	done    chan struct{} // closed when the endless answer stopped
}

func newEndless(t *testing.T, what string) *endless {
	e := &endless{what: what, done: make(chan struct{})}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/.well-known/openid-configuration" && what == "keys":
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": e.srv.URL, "authorization_endpoint": e.srv.URL + "/authorize", "token_endpoint": e.srv.URL + "/token",
				"jwks_uri": e.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"ES256"},
			})
		case r.URL.Path == "/.well-known/openid-configuration" || r.URL.Path == "/keys":
			defer close(e.done)
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 32<<10)) // JSON whitespace, for ever
			for {
				n, err := w.Write(chunk)
				e.written.Add(int64(n))
				if err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// TestEndlessAnswers: a provider whose discovery document or keys never
// end makes the gate read at most 1 MiB of them, long before the 20 s
// Timeout, which the copy of its client without one gets: the discovery
// fails (so the start gets 503), the key fetch fails (the token is
// refused), and the provider
// sees the connection close after little more than the bound (and what
// the sockets' buffers hold).
func TestEndlessAnswers(t *testing.T) {
	const most = 16 << 20 // 1 MiB read, and the buffers of two loopback sockets
	for _, what := range []string{"discovery", "keys"} {
		t.Run(what, func(t *testing.T) {
			idp := newEndless(t, what)
			p, err := New(Config{Name: "sso", Label: "SSO", Issuer: idp.srv.URL, ClientID: "authgate", ClientSecret: "secret", Key: testKey,
				Timeout: 20 * time.Second, HTTPClient: &http.Client{}})
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.discover(t.Context(), time.Now(), testkit.NewLogs().Logger())
			switch {
			case what == "discovery" && (err == nil || !strings.Contains(err.Error(), "longer than 1048576 bytes")):
				t.Fatalf("discovery: %v, want an error saying the answer is too long", err)
			case what == "keys" && err != nil:
				t.Fatalf("discovery: %v", err)
			case what == "keys":
				s := newSigner(t)
				now := time.Now()
				raw := s.sign(t, map[string]any{"iss": idp.srv.URL, "sub": "sub-bob", "aud": "authgate", "exp": now.Add(time.Minute).Unix()})
				if _, err := p.verify(context.Background(), d, time.Now, raw); err == nil || !strings.Contains(err.Error(), "longer than 1048576 bytes") {
					t.Fatalf("verify: %v, want an error saying the keys are too long", err)
				}
			}
			select {
			case <-idp.done:
			case <-time.After(30 * time.Second):
				t.Fatalf("the gate still reads the endless answer after %d bytes", idp.written.Load())
			}
			t.Logf("the provider sent %d bytes", idp.written.Load())
			if n := idp.written.Load(); n > most {
				t.Errorf("the provider sent %d bytes before the gate hung up, want at most %d", n, most)
			}
		})
	}
}

// TestHTTPClientCopied: New copies Config.HTTPClient, giving the copy
// Config.Timeout when it has none and keeping its own otherwise, and
// leaves the caller's client as it was.
func TestHTTPClientCopied(t *testing.T) {
	for _, tc := range []struct {
		client  *http.Client
		timeout time.Duration // Config.Timeout
		want    time.Duration
	}{
		{nil, 7 * time.Second, 7 * time.Second},
		{&http.Client{}, 7 * time.Second, 7 * time.Second},
		{&http.Client{}, 0, 10 * time.Second}, // the documented default
		{&http.Client{Timeout: time.Second}, 7 * time.Second, time.Second},
	} {
		p, err := New(Config{Name: "sso", Label: "SSO", Issuer: "https://sso.example.com", ClientID: "authgate", ClientSecret: "secret", Key: testKey,
			Timeout: tc.timeout, HTTPClient: tc.client})
		if err != nil {
			t.Fatal(err)
		}
		if p.client.Timeout != tc.want {
			t.Errorf("the provider's client has Timeout %v, want %v", p.client.Timeout, tc.want)
		}
		if _, ok := p.client.Transport.(*boundedTransport); !ok {
			t.Errorf("the provider's client reads answers through %T, want the bounded transport", p.client.Transport)
		}
		if tc.client != nil && (p.client == tc.client || tc.client.Transport != nil || (tc.want != time.Second && tc.client.Timeout != 0)) {
			t.Errorf("New changed the caller's client: %+v", tc.client)
		}
	}
}
