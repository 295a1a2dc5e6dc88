package authgate_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// codeProvider is a toy [authgate.Provider] whose callback signs in the
// user "u-1" with a fixed code. It counts each wrong code against the
// client's address and refuses every try while the address must wait.
type codeProvider struct{ code string }

func (p codeProvider) ProviderInfo() authgate.ProviderInfo {
	return authgate.ProviderInfo{Name: "code", Label: "a code"}
}

func (p codeProvider) ServeProvider(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest) {
	if pr.Endpoint != "callback" {
		http.NotFound(w, r)
		return
	}
	if wait := pr.AddressWait(r); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		pr.Fail(w, r, http.StatusTooManyRequests, "Too many wrong codes; try again later.", "", false)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("code")), []byte(p.code)) != 1 {
		// Only this client could have sent this code: count it.
		pr.AddressFailed(r)
		pr.Fail(w, r, http.StatusBadRequest, "Wrong code.", "", false)
		return
	}
	pr.SignIn(w, r, authgate.User{ID: "u-1", Login: "ann"}, "/", false)
}

// newCodeGate returns a gate with codeProvider and a throttle that lets an
// address fail twice.
func newCodeGate() *authgate.Gate {
	store := memstore.New()
	if err := store.CreateUser(context.Background(), authgate.User{ID: "u-1", Login: "ann", Name: "Ann"}); err != nil {
		panic(err)
	}
	gate, err := authgate.New(authgate.Config{
		Store:     store,
		Providers: []authgate.Provider{codeProvider{code: "42"}},
		Throttle:  authgate.ThrottleConfig{Address: 2},
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	return gate
}

// callback opens the provider's callback with code, from one address.
func callback(gate *authgate.Gate, code string) *http.Response {
	w := httptest.NewRecorder()
	gate.ServeHTTP(w, httptest.NewRequest("GET", "/.authgate/oidc/code/callback?code="+code, nil))
	return w.Result()
}

// A provider asks the gate's throttle, before it checks what the client
// sent, how long the client's address must wait: 0 until the address has
// failed Throttle.Address times.
func ExampleProviderRequest_AddressWait() {
	gate := newCodeGate()
	for _, code := range []string{"1", "2", "42"} {
		r := callback(gate, code)
		fmt.Println(code, r.StatusCode, r.Header.Get("Retry-After") != "")
	}
	// Output:
	// 1 400 false
	// 2 400 false
	// 42 429 true
}

// A provider counts against the client's address each failure that the
// client itself caused: a wrong code here. A right code signs in as long
// as the address has failed fewer than Throttle.Address times.
func ExampleProviderRequest_AddressFailed() {
	gate := newCodeGate()
	for _, code := range []string{"7", "42"} {
		fmt.Println(code, callback(gate, code).StatusCode)
	}
	// Output:
	// 7 400
	// 42 303
}
