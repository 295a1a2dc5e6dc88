package proxy_test

import (
	"net/http"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// TestForwardAuthNginxCountsOnce: behind nginx a refused request is asked
// twice (the check, then the deny endpoint); the check seals its answer
// and the deny endpoint sends that, so a wrong API key counts once toward
// the throttle: with a limit of 2 failures per address, two wrong keys get
// 401 and the third 429. A sealed answer opens only for the request it
// was made for.
func TestForwardAuthNginxCountsOnce(t *testing.T) {
	f := newFwdFixture(t, nil, memstore.New()) // Throttle.Address 2
	bad := func(uri string) map[string]string {
		return map[string]string{"X-Original-Method": "GET", "X-Original-URI": uri, "Authorization": "Basic Ym9iOndyb25n"}
	}
	round := func(uri string) *http.Response {
		t.Helper()
		res := f.do(t, check{path: proxy.NginxCheckPath, header: bad(uri)})
		sealed := res.Header.Get(proxy.HeaderAnswer)
		if res.StatusCode != http.StatusUnauthorized || sealed == "" {
			t.Fatalf("the nginx check: %d, %s %q", res.StatusCode, proxy.HeaderAnswer, sealed)
		}
		return f.do(t, check{path: proxy.DenyPath, header: with(bad(uri), proxy.HeaderAnswer, sealed)})
	}
	for range 2 {
		res := round("/api/data")
		checkWant(t, res, want{status: 401, body: authgate.ProblemLoginRequired})
		if res.Header.Get("Www-Authenticate") == "" {
			t.Error("a wrong key's 401 without WWW-Authenticate")
		}
	}
	last := round("/api/data")
	checkWant(t, last, want{status: 429, body: authgate.ProblemTooMany})
	if last.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}

	// Another request, or a forged or mangled answer: the deny endpoint
	// decides again.
	g := newFwdFixture(t, nil, memstore.New())
	res := g.do(t, check{path: proxy.NginxCheckPath, header: bad("/a")})
	sealed := res.Header.Get(proxy.HeaderAnswer)
	nav := with(navHeaders, "X-Original-Method", "GET", "X-Original-URI", "/b")
	for _, v := range []string{sealed, "e30." + sealed[len(sealed)-43:], sealed + "x", "garbage"} {
		checkWant(t, g.do(t, check{path: proxy.DenyPath, header: with(nav, proxy.HeaderAnswer, v)}), want{status: 303, header: map[string]string{"Location": "/login?return_to=%2Fb"}})
	}
}
