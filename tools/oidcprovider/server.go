package main

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// config is what the flags and the environment set.
type config struct {
	// redirects are the redirect URIs (glob patterns allowed) both clients accept.
	redirects []string
	// secrets holds each client's secret, by client id.
	secrets         map[string]string
	idTokenLifetime time.Duration
	sessionLifetime time.Duration
}

// newHandler builds the provider for issuer: the library's OpenID endpoints
// and the sign-in page.
func newHandler(issuer string, cfg config) (http.Handler, error) {
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	clients := map[string]*client{}
	for _, id := range clientIDs {
		clients[id] = &client{id: id, secret: cfg.secrets[id], redirects: cfg.redirects, idTokenLifetime: cfg.idTokenLifetime}
	}
	store := newStorage(clients, key)
	opConfig := &op.Config{
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.English},
	}
	// The key encrypts the opaque access tokens; a new one at each start.
	rand.Read(opConfig.CryptoKey[:])
	opConfig.CryptoKeyId = "k1"
	provider, err := op.NewProvider(opConfig, store, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("starting the OP: %w", err)
	}
	l := &login{
		storage:  store,
		sessions: newSessions(cfg.sessionLifetime),
		provider: provider,
		callback: op.AuthCallbackURL(provider),
	}
	pages := http.NewServeMux()
	l.routes(pages)
	mux := http.NewServeMux()
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.Handle(loginPath, interceptor.Handler(pages))
	mux.Handle(logoutPath, pages)
	mux.Handle("/", provider)
	return mux, nil
}
