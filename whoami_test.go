package authgate_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestSessionEndpoint: GET /.authgate/session tells a signed-in caller
// (session or API key) who it is (id, display name, login), with no-store and the companion cookie;
// anyone else gets Require's answer for their kind, a store failure 503,
// and other methods 405. HEAD answers the headers only.
func TestSessionEndpoint(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	keyID, secret := e.newKey(time.Time{})

	type info struct {
		UserID   string `json:"user_id"`
		UserName string `json:"user_name"`
		Login    string `json:"login"`
	}
	for _, tt := range []struct {
		name string
		req  *http.Request
		want info
	}{
		{"session", withSession(kindReq("GET", "/.authgate/session", authgate.KindScript, nil), tok), info{testUserID, testName, testLogin}},
		{"API key", newReq("GET", "/.authgate/session", "Authorization", basicAuth(keyID, secret)), info{testUserID, "", testLogin}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(tt.req)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%d Content-Type %q Cache-Control %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
			}
			var got info
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got != tt.want {
				t.Errorf("body %q: %+v, %v; want %+v", rec.Body, got, err, tt.want)
			}
		})
	}

	t.Run("HEAD", func(t *testing.T) {
		rec := e.do(withSession(kindReq("HEAD", "/.authgate/session", authgate.KindScript, nil), tok))
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "0" {
			t.Errorf("HEAD: %d, body %q, Content-Length %q", rec.Code, rec.Body, rec.Header().Get("Content-Length"))
		}
	})

	t.Run("the companion cookie", func(t *testing.T) {
		e.clock.Add(5 * time.Minute) // past the touch interval: a new idle deadline
		rec := e.do(withSession(kindReq("GET", "/.authgate/session", authgate.KindScript, nil), tok))
		if c := cookieNamed(rec, authgate.CompanionCookie); rec.Code != http.StatusOK || c == nil {
			t.Errorf("%d without the companion cookie", rec.Code)
		}
	})

	for _, kind := range allKinds {
		t.Run("signed out, "+kind.String(), func(t *testing.T) {
			assertDenied(t, e.do(kindReq("GET", "/.authgate/session", kind, nil)), kind, authgate.ReasonNone)
		})
	}

	t.Run("POST", func(t *testing.T) {
		rec := e.do(withSession(kindReq("POST", "/.authgate/session", authgate.KindScript, nil), tok))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
		}
	})

	t.Run("store down", func(t *testing.T) {
		e.store.Fail("Session")
		defer e.store.Heal()
		assertUnavailable(t, e.do(withSession(kindReq("GET", "/.authgate/session", authgate.KindScript, nil), tok)))
	})
}
