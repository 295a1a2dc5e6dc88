package oidc

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// maxFlowCookie bounds the flow cookie the gate reads: its return_to is at
// most 2048 bytes, and the rest is a few hundred.
const maxFlowCookie = 3800

// flow is what a sign-in carries from start to callback, in a cookie that
// only the gate can make (see [Provider.sealFlow]).
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // the PKCE code verifier
	ReturnTo string `json:"r,omitempty"`
	Popup    bool   `json:"p,omitempty"`
	Bind     string `json:"b"` // bindHash of the bind cookie's value
	Expires  int64  `json:"e"` // unix seconds, by the gate's clock
}

// errFlow is a flow cookie that is missing, forged, stale or for another
// sign-in.
var errFlow = errors.New("oidc: no valid sign-in in progress")

// flowCookie is the flow cookie's name: __Secure- when it is Secure, so
// that a plain-http page cannot set it.
func flowCookie(secure bool) string {
	if secure {
		return "__Secure-authgate_oidc"
	}
	return "authgate_oidc"
}

// random returns n random bytes in base64url.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// mac signs a flow cookie's payload for this provider.
func (p *Provider) mac(payload string) []byte {
	h := hmac.New(sha256.New, p.cfg.Key)
	h.Write([]byte("authgate oidc flow 1\n" + p.cfg.Name + "\n" + p.cfg.Issuer + "\n"))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// sealFlow returns the flow cookie's value: the flow as base64url JSON, a
// dot, and its HMAC-SHA256 under Config.Key. A value longer than
// maxFlowCookie, which openFlow would refuse, drops ReturnTo: the sign-in
// then comes back to the home page rather than failing at the callback.
func (p *Provider) sealFlow(f flow) string {
	v := p.seal(f)
	if len(v) > maxFlowCookie {
		f.ReturnTo = ""
		v = p.seal(f)
	}
	return v
}

func (p *Provider) seal(f flow) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // & < > as themselves, not 6 bytes each
	_ = enc.Encode(f)        // plain strings and numbers: cannot fail
	payload := base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return payload + "." + base64.RawURLEncoding.EncodeToString(p.mac(payload))
}

// openFlow checks a flow cookie's value at now and returns its flow.
func (p *Provider) openFlow(v string, now time.Time) (flow, error) {
	var f flow
	if len(v) > maxFlowCookie {
		return f, errFlow
	}
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return f, errFlow
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, p.mac(payload)) {
		return f, errFlow
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(b, &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" || f.Bind == "" {
		return flow{}, errFlow
	}
	if !now.Before(time.Unix(f.Expires, 0)) {
		return flow{}, errFlowExpired
	}
	return f, nil
}

// errFlowExpired is a flow cookie older than Config.FlowTimeout.
var errFlowExpired = errors.New("oidc: the sign-in took too long")

// setFlow sets the flow cookie, or clears it when value is "".
func (p *Provider) setFlow(w http.ResponseWriter, pr *authgate.ProviderRequest, value string) {
	c := &http.Cookie{
		Name:     flowCookie(pr.Secure),
		Value:    value,
		Path:     pr.Base,
		HttpOnly: true,
		Secure:   pr.Secure,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(p.cfg.FlowTimeout / time.Second),
	}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// readFlow returns the flow cookie's value in r, if any.
func readFlow(r *http.Request, secure bool) (string, bool) {
	c, err := r.Cookie(flowCookie(secure))
	if err != nil {
		return "", false
	}
	return c.Value, true
}
