package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// discovered is what discovery found: the provider's endpoints and keys.
type discovered struct {
	provider *gooidc.Provider
	endpoint oauth2.Endpoint
}

// errDown means the provider cannot be reached now: its discovery failed
// a moment ago or just now, or too many sign-ins wait for the one under way.
var errDown = errors.New("oidc: the provider cannot be reached")

// pending is a discovery under way, which other requests wait for.
type pending struct {
	done    chan struct{} // closed when d and err are set
	d       *discovered
	err     error
	waiters int // requests waiting for it, under Provider.mu
}

// discover returns the provider's discovery document, fetching it on first
// use and again after [Provider.markDown]. Only one request at a time
// fetches it, within Config.Timeout; requests that come meanwhile wait for
// that one (each no longer than its own context lives; at most
// Config.MaxConcurrent of them, the others get errDown), and every request
// for Config.RetryAfter after a failure gets errDown at once, so a
// provider that is down costs one call per RetryAfter, whatever the
// traffic.
func (p *Provider) discover(ctx context.Context, now time.Time, log *slog.Logger) (*discovered, error) {
	p.mu.Lock()
	if d := p.disc; d != nil {
		p.mu.Unlock()
		return d, nil
	}
	if c := p.pending; c != nil {
		if c.waiters >= p.cfg.MaxConcurrent {
			p.mu.Unlock()
			return nil, errDown
		}
		c.waiters++
		p.mu.Unlock()
		select {
		case <-c.done:
			return c.d, c.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", errDown, ctx.Err())
		}
	}
	if !p.failedAt.IsZero() && now.Before(p.failedAt.Add(p.cfg.RetryAfter)) {
		p.mu.Unlock()
		return nil, errDown
	}
	c := &pending{done: make(chan struct{})}
	p.pending = c
	p.mu.Unlock()

	// Discovery outlives the request that started it only by its timeout;
	// the provider keeps the client for fetching keys later.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Timeout)
	defer cancel()
	gp, err := gooidc.NewProvider(gooidc.ClientContext(dctx, p.client), p.cfg.Issuer)

	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = nil
	defer close(c.done)
	if err != nil {
		p.failedAt = now
		log.LogAttrs(ctx, slog.LevelError, "authgate: oidc discovery failed", slog.String("provider", p.cfg.Name), slog.String("err", short(err)))
		c.err = fmt.Errorf("%w: %w", errDown, err)
		return nil, c.err
	}
	ep := gp.Endpoint()
	ep.AuthStyle = authStyle(gp)
	p.disc = &discovered{provider: gp, endpoint: ep}
	c.d = p.disc
	return p.disc, nil
}

// authStyle is how the token endpoint takes the client's credentials, by
// the discovery document's token_endpoint_auth_methods_supported: HTTP
// Basic when it lists client_secret_basic or says nothing (the default of
// OpenID Connect Discovery 1.0), form parameters when it lists only
// client_secret_post. Never oauth2's AutoDetect, which sends every refused
// code twice.
func authStyle(gp *gooidc.Provider) oauth2.AuthStyle {
	var doc struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if gp.Claims(&doc) == nil && !slices.Contains(doc.Methods, "client_secret_basic") && slices.Contains(doc.Methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// markDown forgets the discovery after a call to the provider failed for
// want of an answer (not a refusal): starts get errDown, and so a 503 at
// the gate rather than a redirect to a provider that is down, until
// RetryAfter has passed and a new discovery finds it again.
func (p *Provider) markDown(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.disc = nil
	p.failedAt = now
}

// short bounds an error's text for a log line: a provider's error page
// may be long.
func short(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
