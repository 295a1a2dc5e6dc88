package authgate

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// keyIDPrefix starts every API key id, so that a leaked id is easy to spot.
const keyIDPrefix = "agk_"

// maxBasicLen bounds the Authorization header the gate decodes.
const maxBasicLen = 512

// NewAPIKey makes a new API key for a user and returns it with its secret.
// The secret is shown to the user once; the key keeps only its SHA-256.
// A zero expires means the key does not expire. Store the key with
// [KeyStore.CreateKey].
func NewAPIKey(userID, name string, now, expires time.Time) (APIKey, string, error) {
	if userID == "" {
		return APIKey{}, "", errors.New("authgate: an API key needs an owner")
	}
	if name == "" || len(name) > 100 {
		return APIKey{}, "", errors.New("authgate: an API key's name is 1 to 100 characters")
	}
	if !expires.IsZero() && !expires.After(now) {
		return APIKey{}, "", errors.New("authgate: an API key's expiry must be in the future")
	}
	var idb [10]byte
	var sec [32]byte
	_, _ = rand.Read(idb[:])
	_, _ = rand.Read(sec[:])
	id := keyIDPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(idb[:]))
	secret := base64.RawURLEncoding.EncodeToString(sec[:])
	return APIKey{
		ID:         id,
		SecretHash: HashOf([]byte(secret)),
		Name:       name,
		UserID:     userID,
		CreatedAt:  now,
		ExpiresAt:  expires,
	}, secret, nil
}

// keyAuth checks an Authorization: Basic header carrying an API key.
func (g *Gate) keyAuth(ctx context.Context, r *http.Request, authz string, now time.Time, res *authResult) {
	res.reason = ReasonInvalid
	var buf basicBuf
	id, secret, ok := parseBasicInto(authz, &buf)
	if !ok {
		return
	}
	addr := g.cfg.ClientAddr(r)
	// Key ids are never locked: only the address is limited.
	if wait := g.throttle.addressWait(now, addr); wait > 0 {
		res.retry = wait
		return
	}
	k, err := g.store.Key(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		res.err = err
		return
	}
	// Compare even for an unknown id, so that both take the same path.
	given := HashOf(secret)
	match := subtle.ConstantTimeCompare(given[:], k.SecretHash[:]) == 1 && err == nil
	switch {
	case !match:
		g.throttle.addressFailed(now, addr)
		g.log.LogAttrs(ctx, infoLevel, "authgate: API key refused", keyAttr(id), addrAttr(addr))
		return
	case k.Revoked:
		res.reason = ReasonRevoked
		return
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		res.reason = ReasonExpired
		return
	}
	if seen := g.touchSlot(now); seen.After(k.LastUsed) && g.claimTouch(k.ID, seen) {
		if err := g.store.TouchKey(ctx, k.ID, seen); err != nil {
			g.log.LogAttrs(ctx, warnLevel, "authgate: touching an API key failed", keyAttr(id), errAttr(err))
		}
	}
	res.ok = true
	res.reason = ""
	res.id = Identity{UserID: k.UserID, Method: MethodAPIKey, KeyID: k.ID}
}

// parseBasic parses "Basic base64(user:password)". It refuses oversized
// headers, bad base64 and a missing colon.
func parseBasic(authz string) (user, password string, ok bool) {
	var buf basicBuf
	user, p, ok := parseBasicInto(authz, &buf)
	return user, string(p), ok
}

// basicBuf holds a Basic header's text or its decoding, on the caller's
// stack.
type basicBuf [maxBasicLen]byte

// parseBasicInto is parseBasic decoding into buf, so that a request with an
// API key allocates only the key id: the password is a slice of buf.
func parseBasicInto(authz string, buf *basicBuf) (user string, password []byte, ok bool) {
	const prefix = "basic "
	if len(authz) > maxBasicLen || len(authz) < len(prefix) || !asciiEqualFold(authz[:len(prefix)], prefix) {
		return "", nil, false
	}
	var text basicBuf
	n := copy(text[:], textproto.TrimString(authz[len(prefix):]))
	n, err := base64.StdEncoding.Decode(buf[:], text[:n])
	if err != nil {
		return "", nil, false
	}
	raw := buf[:n]
	u, p, ok := bytes.Cut(raw, []byte{':'})
	if !ok || len(u) == 0 || len(p) == 0 || bytes.ContainsFunc(raw, isControl) {
		return "", nil, false
	}
	return string(u), p, true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
