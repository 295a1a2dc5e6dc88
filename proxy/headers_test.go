package proxy_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/authgate/authgate/proxy"
)

// The upstream sees who is calling, and none of the identity headers,
// gate cookies or API key secrets a client sent, on every path.
func TestUpstreamHeaders(t *testing.T) {
	f := newFixture(t, ok, func(o *proxy.Options) { o.Public = []string{"/static/"} })
	spoof := map[string]string{
		"X-Authgate-User":    "root",
		"X-Authgate_User":    "root",
		"x_authgate_user_id": "u-root",
		"X-AUTHGATE-METHOD":  "key",
		"X-Authgate-Admin":   "yes",
	}
	tests := []struct {
		name              string
		path              string
		who               caller
		signed            bool
		wantUser, wantVia string // "" for none
	}{
		{"session", "/page", navigation, true, testLogin, proxy.MethodSession},
		{"script call", "/api/x", script, true, testLogin, proxy.MethodSession},
		{"API key", "/api/x", machine, true, testLogin, proxy.MethodKey},
		{"public, signed out", "/static/a.css", navigation, false, "", ""},
		{"public, signed in", "/static/a.css", navigation, true, testLogin, proxy.MethodSession},
		{"public, API key", "/static/a.css", machine, true, testLogin, proxy.MethodKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.upCalls.all())
			req := f.request(t, http.MethodGet, tt.path, tt.who, tt.signed)
			for k, v := range spoof {
				req.Header[k] = []string{v} // as sent, not canonicalised
			}
			req.Header.Add("Cookie", "theme=dark; authgate_exp=1.2")
			resp := do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.StatusCode)
			}
			calls := f.upCalls.all()
			if len(calls) != before+1 {
				t.Fatalf("the upstream got %d requests, want 1", len(calls)-before)
			}
			got := calls[len(calls)-1].Header
			for k := range got {
				low := strings.ReplaceAll(strings.ToLower(k), "_", "-")
				if strings.HasPrefix(low, "x-authgate-") && k != proxy.HeaderUser && k != proxy.HeaderUserID && k != proxy.HeaderMethod {
					t.Errorf("the upstream got the client's %s: %q", k, got[k])
				}
			}
			if v := got.Values(proxy.HeaderUser); tt.wantUser == "" && len(v) != 0 || tt.wantUser != "" && (len(v) != 1 || v[0] != tt.wantUser) {
				t.Errorf("%s = %q, want %q", proxy.HeaderUser, v, tt.wantUser)
			}
			wantID := ""
			if tt.wantUser != "" {
				wantID = testUserID
			}
			if v := got.Get(proxy.HeaderUserID); v != wantID {
				t.Errorf("%s = %q, want %q", proxy.HeaderUserID, v, wantID)
			}
			if v := got.Get(proxy.HeaderMethod); v != tt.wantVia {
				t.Errorf("%s = %q, want %q", proxy.HeaderMethod, v, tt.wantVia)
			}
			if c := got.Get("Cookie"); c != "theme=dark" {
				t.Errorf("the upstream's Cookie is %q, want only the app's own cookie", c)
			}
			if a := got.Get("Authorization"); a != "" {
				t.Errorf("the upstream got Authorization %q: the API key's secret left the gate", a)
			}
		})
	}
}

// Requests that are not signed in get the gate's answers, and the upstream
// never runs for them; the login page is the gate's.
func TestSignedOutNeverReachUpstream(t *testing.T) {
	f := newFixture(t, ok, nil)
	tests := []struct {
		name   string
		path   string
		who    caller
		status int
	}{
		{"page", "/notes?id=1", navigation, http.StatusSeeOther},
		{"script", "/api/x", script, http.StatusUnauthorized},
		{"machine", "/api/x", machine, http.StatusUnauthorized},
		{"login page", "/login", navigation, http.StatusOK},
		{"dotted path", "/static/../admin", navigation, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, f.request(t, http.MethodGet, tt.path, tt.who, false))
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	if n := len(f.upCalls.all()); n != 0 {
		t.Errorf("the upstream ran %d times for requests that are not signed in", n)
	}
}

// X-Forwarded-* from a trusted proxy are kept and extended; from anyone
// else they are replaced.
func TestForwardedHeaders(t *testing.T) {
	tests := []struct {
		name                  string
		trusted               []netip.Prefix
		wantFor, wantHost, wp string
	}{
		{"untrusted client", nil, "127.0.0.1", "localhost", "http"},
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "203.0.113.9, 127.0.0.1", "app.example", "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, ok, func(o *proxy.Options) { o.TrustedProxies = tt.trusted })
			req := f.request(t, http.MethodGet, "/", machine, true)
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.Header.Set("X-Forwarded-Host", "app.example")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("Forwarded", "for=203.0.113.9")
			do(t, req)
			got := f.upCalls.all()[0].Header
			if v := got.Get("X-Forwarded-For"); v != tt.wantFor {
				t.Errorf("X-Forwarded-For %q, want %q", v, tt.wantFor)
			}
			if v := got.Get("X-Forwarded-Host"); v != tt.wantHost {
				t.Errorf("X-Forwarded-Host %q, want %q", v, tt.wantHost)
			}
			if v := got.Get("X-Forwarded-Proto"); v != tt.wp {
				t.Errorf("X-Forwarded-Proto %q, want %q", v, tt.wp)
			}
			if v := got.Get("Forwarded"); (v != "") != (tt.trusted != nil) {
				t.Errorf("Forwarded %q reached the upstream: trusted %v", v, tt.trusted != nil)
			}
		})
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		remote, xff, want string
	}{
		{"192.0.2.1:5000", "203.0.113.9", "192.0.2.1"},
		{"10.0.0.2:5000", "203.0.113.9", "203.0.113.9"},
		{"10.0.0.2:5000", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"},
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "garbage", "10.0.0.2"},
	}
	addr := proxy.ClientAddr(trusted)
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := addr(r); got != tt.want {
			t.Errorf("from %s with X-Forwarded-For %q: %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}
