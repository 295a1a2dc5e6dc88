package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/authgate/authgate"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The callback's answers to a flow that cannot finish. They name no secret
// and nothing the provider sent but an error code of a safe shape.
const (
	textNoFlow    = "This sign-in is not known to this browser: it may have finished already, or it was started in another browser or window."
	textExpired   = "This sign-in took too long."
	textState     = "This sign-in does not match the one this browser started."
	textBind      = "This sign-in was not started in this browser. Start it again from this application's sign-in page."
	textIssuer    = "The answer came from another sign-in service than the one this sign-in started at."
	textCode      = "The sign-in service refused the sign-in code: it may have been used already, or be meant for another application."
	textToken     = "The sign-in service's answer could not be verified for this application."
	textTokenTL   = "The sign-in service's answer has expired."
	textBusy      = "Too many sign-ins are under way. Please try again in a moment."
	textThrottled = "Too many failed sign-ins from your address. Please try again later."
)

// callback comes back from the provider: it checks the flow cookie and the
// state, exchanges the code with the PKCE verifier, verifies the ID token
// and its nonce, finds the user and signs them in.
func (p *Provider) callback(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest) {
	now := pr.Now()
	raw, ok := readFlow(r, pr.Secure)
	if !ok {
		pr.Fail(w, r, http.StatusBadRequest, textNoFlow, "", false)
		return
	}
	f, err := p.openFlow(raw, now)
	switch {
	case errors.Is(err, errFlowExpired):
		p.setFlow(w, pr, "")
		pr.Fail(w, r, http.StatusBadRequest, textExpired, "", false)
		return
	case err != nil:
		p.setFlow(w, pr, "")
		pr.Fail(w, r, http.StatusBadRequest, textNoFlow, "", false)
		return
	}
	fail := func(status int, text string) { pr.Fail(w, r, status, text, f.ReturnTo, f.Popup) }
	if !bound(r, pr.Secure, f) {
		// A flow this browser did not start: planted by a sibling
		// subdomain, which can set the flow cookie but not the __Host-
		// bind cookie. The cookie is left alone, as for a stray state: it
		// may be shadowing this browser's own sign-in.
		pr.Logger().LogAttrs(r.Context(), slog.LevelWarn, "authgate: oidc sign-in refused: the flow is not bound to this browser",
			slog.String("provider", p.cfg.Name), slog.String("addr", pr.ClientAddr(r)))
		fail(http.StatusBadRequest, textBind)
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		// Not this browser's sign-in: a stray or forged link, which any
		// site can make the browser follow. The sign-in in progress is
		// left alone, to finish when its own answer comes.
		fail(http.StatusBadRequest, textState)
		return
	}
	// From here the browser's flow is used once, whatever happens next.
	p.setFlow(w, pr, "")
	if code := q.Get("error"); code != "" {
		// The provider did not sign the user in: they cancelled, or it
		// refused them.
		fail(http.StatusForbidden, "The sign-in service did not sign you in ("+safeCode(code)+").")
		return
	}
	// RFC 9207: a provider that names itself must be the one asked.
	if iss := q.Get("iss"); iss != "" && iss != p.cfg.Issuer {
		fail(http.StatusBadRequest, textIssuer)
		return
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		fail(http.StatusBadRequest, textCode)
		return
	}
	if wait := pr.AddressWait(r); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		fail(http.StatusTooManyRequests, textThrottled)
		return
	}
	if !p.acquire() {
		w.Header().Set("Retry-After", "1")
		fail(http.StatusServiceUnavailable, textBusy)
		return
	}
	claims, status, text := p.redeem(r, pr, f, code)
	p.release()
	if status != 0 {
		fail(status, text)
		return
	}
	u, status, text, err := p.user(r.Context(), pr, claims)
	switch {
	case err != nil:
		pr.Logger().LogAttrs(r.Context(), slog.LevelError, "authgate: oidc sign-in: store failed", slog.String("provider", p.cfg.Name), slog.String("err", err.Error()))
		fail(http.StatusServiceUnavailable, "The sign-in cannot be finished at the moment. Please try again in a little while.")
		return
	case status != 0:
		pr.Logger().LogAttrs(r.Context(), slog.LevelInfo, "authgate: oidc sign-in refused", slog.String("provider", p.cfg.Name),
			slog.String("subject", truncate(claims.Subject, 64)), slog.String("addr", pr.ClientAddr(r)))
		fail(status, text)
		return
	}
	pr.SignIn(w, r, u, f.ReturnTo, f.Popup)
}

// redeem exchanges the code and verifies the ID token. A non-zero status
// is the answer when it fails.
func (p *Provider) redeem(r *http.Request, pr *authgate.ProviderRequest, f flow, code string) (*claimSet, int, string) {
	log := pr.Logger()
	d, err := p.discover(r.Context(), pr.Now(), log)
	if err != nil {
		return nil, http.StatusServiceUnavailable, "The sign-in service " + p.cfg.Label + " cannot be reached at the moment. Please try again in a little while."
	}
	oc, err := p.oauth(r, pr, d)
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.cfg.Timeout)
	defer cancel()
	ctx = gooidc.ClientContext(ctx, p.client)
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		attrs := []slog.Attr{slog.String("provider", p.cfg.Name), slog.String("err", short(err))}
		if errors.As(err, &re) {
			log.LogAttrs(r.Context(), slog.LevelInfo, "authgate: oidc code refused", attrs...)
			// Only a browser holding a valid flow cookie with this state
			// gets here, so no other site can make it count.
			pr.AddressFailed(r)
			return nil, http.StatusBadRequest, textCode
		}
		log.LogAttrs(r.Context(), slog.LevelError, "authgate: oidc token endpoint unreachable", attrs...)
		if r.Context().Err() == nil {
			// Not a client that went away mid-call, which anyone could
			// do to take the provider off for RetryAfter.
			p.markDown(pr.Now())
		}
		return nil, http.StatusServiceUnavailable, "The sign-in service " + p.cfg.Label + " cannot be reached at the moment. Please try again in a little while."
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, http.StatusBadRequest, textToken
	}
	c, err := p.verify(ctx, d, pr.Now, rawID)
	if err != nil {
		log.LogAttrs(r.Context(), slog.LevelInfo, "authgate: oidc ID token refused", slog.String("provider", p.cfg.Name), slog.String("err", short(err)))
		var expired *gooidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, http.StatusBadRequest, textTokenTL
		}
		return nil, http.StatusBadRequest, textToken
	}
	if subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(f.Nonce)) != 1 {
		return nil, http.StatusBadRequest, textToken
	}
	return c, 0, ""
}

// verify checks an ID token with go-oidc: signature by the provider's
// keys, issuer, audience (this client) and expiry at the gate's time now;
// then azp and the lengths of issuer and subject ([checkToken]), and
// bounds the claims the gate keeps ([boundClaims]).
func (p *Provider) verify(ctx context.Context, d *discovered, now func() time.Time, raw string) (*claimSet, error) {
	return p.verifyWith(ctx, d.provider.Verifier(&gooidc.Config{ClientID: p.cfg.ClientID, Now: now}), raw)
}

// verifyWith is [Provider.verify] with the verifier v.
func (p *Provider) verifyWith(ctx context.Context, v *gooidc.IDTokenVerifier, raw string) (*claimSet, error) {
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := checkToken(idt, p.cfg.ClientID); err != nil {
		return nil, err
	}
	c, err := readClaims(idt, p.cfg.GroupsClaim)
	if err != nil {
		return nil, err
	}
	boundClaims(c)
	return c, nil
}

// safeCode returns an OAuth error code for display if it has the shape
// RFC 6749 gives codes, else "error".
func safeCode(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return "error"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && c != '_' && (c < '0' || c > '9') {
			return "error"
		}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
