package oidc_test

import (
	"log"
	"net/http"
	"os"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/oidc"
)

// A gate that offers sign-in with the company's provider beside the
// password form. Register the app at the provider with the redirect URI
// https://app.example.com/.authgate/oidc/sso/callback.
func Example() {
	key, err := os.ReadFile("/etc/app/oidc.key") // 32 random bytes, the same on every instance
	if err != nil {
		log.Fatal(err)
	}
	sso, err := oidc.New(oidc.Config{
		Name:           "sso",
		Label:          "Example SSO",
		Issuer:         "https://sso.example.com/realms/staff",
		ClientID:       "app",
		ClientSecret:   os.Getenv("SSO_CLIENT_SECRET"),
		Key:            key,
		Origin:         "https://app.example.com",
		AllowedDomains: []string{"example.com"},
		CreateUsers:    true,
	})
	if err != nil {
		log.Fatal(err)
	}
	gate, err := authgate.New(authgate.Config{
		Store:     memstore.New(),
		Providers: []authgate.Provider{sso},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login", gate)
	mux.Handle("/logout", gate)
	mux.Handle("/.authgate/", gate) // the providers' start and callback too
	mux.Handle("/", gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := authgate.FromContext(r.Context())
		w.Write([]byte("hello " + id.UserName))
	})))
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}
