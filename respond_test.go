package authgate_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// TestMethodNotAllowedIsProblemJSON: a method an endpoint does not take
// gets 405 with Allow and a problem+json body, like every other answer.
func TestMethodNotAllowedIsProblemJSON(t *testing.T) {
	gate, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: authgate.Argon2id{Memory: 64, Time: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ method, path, allow string }{
		{http.MethodPut, "/login", "GET, HEAD, POST"},
		{http.MethodGet, "/logout", "POST"},
		{http.MethodGet, "/.authgate/keepalive", "POST"},
		{http.MethodPost, "/.authgate/client.js", "GET, HEAD"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			gate.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405", rec.Code)
			}
			h := rec.Header()
			if got := h.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if got := h.Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", got)
			}
			if got := h.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			var p struct {
				Type   string `json:"type"`
				Title  string `json:"title"`
				Status int    `json:"status"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if p.Type != "about:blank" || p.Title != "Method Not Allowed" || p.Status != http.StatusMethodNotAllowed {
				t.Errorf("body %+v, want about:blank, Method Not Allowed, 405", p)
			}
		})
	}
}
