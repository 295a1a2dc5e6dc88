package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/authgate/authgate"
)

// bindLen is the length of a bind cookie's value: 32 random bytes in
// base64url.
const bindLen = 43

// bindCookie is the name of the cookie that binds a sign-in to the browser
// that started it. The flow cookie is __Secure-, which a sibling subdomain
// may still set (with Domain=), so on its own a page there could plant a
// flow of the attacker's and sign the visitor in as the attacker (login
// CSRF). A __Host- cookie can only be set by this host, over https, with
// Path=/ and no Domain: the flow holds the hash of its value, and the
// callback wants both. On plain http with [authgate.Config.InsecureCookies]
// it has no prefix, as the gate's other cookies there.
func bindCookie(secure bool) string {
	if secure {
		return "__Host-authgate_oidc_bind"
	}
	return "authgate_oidc_bind"
}

// bindHash is what a flow keeps of a bind cookie's value.
func bindHash(v string) string {
	sum := sha256.Sum256([]byte("authgate oidc bind 1\n" + v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// readBind returns the bind cookie's value in r, if it has the shape the
// gate gives it.
func readBind(r *http.Request, secure bool) (string, bool) {
	c, err := r.Cookie(bindCookie(secure))
	if err != nil || len(c.Value) != bindLen {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return "", false
	}
	return c.Value, true
}

// bind returns the browser's bind value, setting the bind cookie: the one
// the browser has, so that sign-ins in progress with other providers (or in
// other tabs) stay valid, or a new one. Only this host can have set it.
func (p *Provider) bind(w http.ResponseWriter, r *http.Request, pr *authgate.ProviderRequest) string {
	v, ok := readBind(r, pr.Secure)
	if !ok {
		v = random(32)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     bindCookie(pr.Secure),
		Value:    v,
		Path:     "/",
		HttpOnly: true,
		Secure:   pr.Secure,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(p.cfg.FlowTimeout / time.Second),
	})
	return v
}

// bound reports whether r's bind cookie is the one flow f was started
// with.
func bound(r *http.Request, secure bool, f flow) bool {
	v, ok := readBind(r, secure)
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(bindHash(v)), []byte(f.Bind)) == 1
}
