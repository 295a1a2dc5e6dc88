package authgate_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// TestAttackNoSecretsInLogs runs every path that logs (sign-in, refused sign-in,
// unknown user, logout, keepalive, API keys good and bad, throttling,
// failed touches, a store outage) with every log level on, and checks that
// no password, token, API secret or Basic credential appears in any line,
// whole or in part.
func TestAttackNoSecretsInLogs(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Minute}
	})
	keyID, secret := e.newKey(time.Time{})
	wrongPWs := []string{"wrong-pw-3a9f1c", "wrong-pw-unknown-user-77e2"}
	wrongSecret := "wrong-secret-b5d3e1f0a9c8"
	var tokens []string
	tokens = append(tokens, e.signInAs(testLogin, testPassword), e.signInAs(bobLogin, bobPassword))
	e.loginJSON("alice", wrongPWs[0], "")
	e.loginForm("mallory", wrongPWs[1], "")
	for range 4 { // throttled after 3
		e.loginJSON("bob", wrongPWs[0], "")
	}
	var basics []string
	for _, s := range []string{secret, wrongSecret} {
		r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(keyID, s)
		basics = append(basics, r.Header.Get("Authorization")[len("Basic "):])
		e.do(r)
	}
	e.do(withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tokens[0]))
	e.store.Fail(testkit.WriteMethods...)
	e.clock.Add(5 * time.Minute) // past the touch interval: touches fail
	e.get(tokens[0], authgate.KindScript)
	r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
	r.SetBasicAuth(keyID, secret)
	e.do(r)
	e.store.Heal()
	e.store.Fail()
	for _, k := range allKinds {
		e.get(tokens[1], k)
	}
	e.loginJSON("alice", testPassword, "")
	e.do(withCookie(kindReq(http.MethodPost, "/logout", authgate.KindScript, nil), secureCookie, tokens[1]))
	e.do(withCookie(kindReq(http.MethodGet, "/open/x", authgate.KindScript, nil), secureCookie, tokens[1]))
	e.store.Heal()
	e.do(withCookie(kindReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tokens[0]))
	tokens = append(tokens, e.signInAs(testLogin, testPassword))

	logs := e.logs.String()
	for _, must := range []string{"signed in", "sign-in refused", "API key refused", "touching a session failed", "store unavailable"} {
		if !strings.Contains(logs, must) {
			t.Fatalf("the logs lack %q, so the scenario did not run its paths:\n%s", must, logs)
		}
	}
	// In order: the passwords, the API secrets, the wrong passwords, the
	// session tokens and the Basic credentials.
	secrets := append([]string{testPassword, bobPassword, secret, wrongSecret}, wrongPWs...)
	secrets = append(append(secrets, tokens...), basics...)
	e.logs.AssertNoSecrets(t, secrets...)
}
