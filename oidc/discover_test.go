package oidc

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/oidctest"
)

// holdDiscovery counts the discovery requests a client makes and holds
// the first until release is closed; then it answers it, or fails it when
// fail is set.
type holdDiscovery struct {
	n       atomic.Int64
	release chan struct{}
	fail    bool
	next    http.RoundTripper
}

func (h *holdDiscovery) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
		return h.next.RoundTrip(r)
	}
	if h.n.Add(1) == 1 {
		<-h.release
	}
	if h.fail {
		return nil, errors.New("connection refused (held discovery)")
	}
	return h.next.RoundTrip(r)
}

// waiters returns how many requests wait for the discovery under way.
func (p *Provider) waiters() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending == nil {
		return 0
	}
	return p.pending.waiters
}

// TestStartsWaitForDiscovery: sign-ins that start while the first
// discovery is under way wait for it, and there is one discovery request
// for all of them: they all leave for the provider when it answers, and
// all get 503 at the gate, with no redirect, when it fails. Starts beyond
// MaxConcurrent do not wait: 503 at once.
func TestStartsWaitForDiscovery(t *testing.T) {
	const n = 6
	idp := oidctest.Start(t, oidctest.Options{})
	for _, tc := range []struct {
		name   string
		fail   bool
		status int
	}{
		{"the provider answers", false, http.StatusFound},
		{"the provider is down", true, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hold := &holdDiscovery{release: make(chan struct{}), fail: tc.fail, next: http.DefaultTransport}
			e := newEnv(t, idp, 1, func(c *Config) {
				c.MaxConcurrent = n - 1
				c.HTTPClient = &http.Client{Transport: hold}
			})
			answers := make(chan response, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() { answers <- newBrowser(t).get(e.srv.URL + "/.authgate/oidc/sso/start?return_to=%2Fnotes") })
			}
			// One leads the discovery, n-1 wait for it: MaxConcurrent.
			deadline := time.Now().Add(20 * time.Second)
			for hold.n.Load() != 1 || e.prov[0].waiters() != n-1 {
				if time.Now().After(deadline) {
					t.Fatalf("%d discoveries, %d waiting, want 1 and %d", hold.n.Load(), e.prov[0].waiters(), n-1)
				}
				time.Sleep(5 * time.Millisecond)
			}
			// One more: beyond MaxConcurrent, 503 without waiting.
			wantPage(t, newBrowser(t).get(e.srv.URL+"/.authgate/oidc/sso/start"), http.StatusServiceUnavailable, "cannot be reached")
			close(hold.release)
			wg.Wait()
			close(answers)
			for r := range answers {
				if r.StatusCode != tc.status {
					t.Errorf("a start during the discovery: %s, want %d\n%s", r.Status, tc.status, r.body)
				}
				if tc.fail {
					wantPage(t, r, tc.status, "cannot be reached")
				}
			}
			if got := hold.n.Load(); got != 1 {
				t.Errorf("%d discovery requests, want 1", got)
			}
		})
	}
}
