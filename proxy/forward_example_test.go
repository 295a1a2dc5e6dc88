package proxy_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// A forward-auth service answers the check that Caddy or Traefik sends for
// a page load that is not signed in with the gate's 303 to the login page,
// built from the original URI.
func ExampleNewForwardAuth() {
	store := memstore.New()
	gate, err := authgate.New(authgate.Config{Store: store, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	fa, err := proxy.NewForwardAuth(proxy.ForwardAuthOptions{Gate: gate, Users: store})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fa) // on loopback, which is trusted by default
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+proxy.CheckPath, nil)
	req.Header.Set("X-Forwarded-Method", "GET")
	req.Header.Set("X-Forwarded-Uri", "/reports?year=2025")
	req.Header.Set("X-Forwarded-Host", "app.example")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	// Output: 303 /login?return_to=%2Freports%3Fyear%3D2025
}
