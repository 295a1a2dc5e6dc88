package oidc

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Bounds on what an ID token brings into the gate. The stores keep issuer
// and subject in columns of 255 bytes; an e-mail address is at most 254
// (RFC 5321's path, less the angle brackets); a name is cut at 255.
const (
	maxIssuer  = 255
	maxSubject = 255
	maxEmail   = 254
	maxName    = 255
)

// checkToken applies what go-oidc leaves to its caller: the token's issuer
// and subject must fit the stores (a refusal, which names the claim and its
// length but never its value), and OpenID Connect Core 3.1.3.7: with
// several audiences, azp must be present; when present, it must be the
// gate's client id.
func checkToken(idt *gooidc.IDToken, clientID string) error {
	switch {
	case len(idt.Issuer) > maxIssuer:
		return fmt.Errorf("oidc: the ID token's issuer is %d bytes long, more than the %d the stores keep", len(idt.Issuer), maxIssuer)
	case idt.Subject == "":
		return errors.New("oidc: the ID token has no subject")
	case len(idt.Subject) > maxSubject:
		return fmt.Errorf("oidc: the ID token's subject is %d bytes long, more than the %d the stores keep", len(idt.Subject), maxSubject)
	}
	var c struct {
		AZP *string `json:"azp"`
	}
	if err := idt.Claims(&c); err != nil {
		return err
	}
	switch {
	case c.AZP == nil && len(idt.Audience) > 1:
		return errors.New("oidc: the ID token has several audiences and no azp (authorized party)")
	case c.AZP != nil && *c.AZP != clientID:
		return errors.New("oidc: the ID token's azp (authorized party) is another client")
	case !slices.Contains(idt.Audience, clientID):
		return errors.New("oidc: the ID token's audience is another client") // go-oidc checked it already
	}
	return nil
}

// boundClaims makes c's e-mail address and name safe to keep and show:
// control characters (and invalid UTF-8) removed, then cut at a rune
// boundary, the name to maxName bytes. An e-mail address longer than
// maxEmail is dropped, not cut, since a cut one would be another's, and
// with it its verification.
func boundClaims(c *claimSet) {
	c.Email = clean(c.Email)
	if len(c.Email) > maxEmail {
		c.Email, c.Verified = "", false
	}
	c.Name = cut(clean(c.Name), maxName)
}

// clean returns s without control characters, format characters (such as
// bidirectional overrides) and invalid UTF-8.
func clean(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !unsafeRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// cut returns s cut to at most n bytes at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
