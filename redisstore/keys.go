package redisstore

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/authgate/authgate"
)

// keyspace names the store's Redis keys. See the package doc for the layout.
type keyspace struct {
	prefix string
}

// session is the record of the session with the given id. It is built
// with one allocation, since every request asks for it.
func (k keyspace) session(id authgate.Hash) string {
	var b strings.Builder
	var hexID [2 * len(authgate.Hash{})]byte
	hex.Encode(hexID[:], id[:])
	b.Grow(len(k.prefix) + 2 + len(hexID))
	b.WriteString(k.prefix)
	b.WriteString("s:")
	b.Write(hexID[:])
	return b.String()
}

// apiKey is the record of the API key with the given id.
func (k keyspace) apiKey(id string) string { return k.prefix + "k:" + id }

// userSessions is the sorted set of a user's session ids.
func (k keyspace) userSessions(userID string) string {
	return k.prefix + "{u:" + userID + "}:sessions"
}

// userKeys is the set of a user's API key ids.
func (k keyspace) userKeys(userID string) string { return k.prefix + "{u:" + userID + "}:keys" }

// user is the record of the user with the given id.
func (k keyspace) user(id string) string { return k.prefix + "user:" + id }

// login maps a login name to a user id.
func (k keyspace) login(login string) string { return k.prefix + "login:" + login }

// users is the set of every user id.
func (k keyspace) users() string { return k.prefix + "users" }

// identity maps an identity provider's issuer and subject to a user id.
// The issuer's length comes first, so no two pairs share a key.
func (k keyspace) identity(issuer, subject string) string {
	return k.prefix + "idp:" + strconv.Itoa(len(issuer)) + ":" + issuer + subject
}

// userIdentities is the sorted set of a user's links to identity
// providers' accounts: it says which links hold (see identities.go). It
// lives in the cluster slot of the user's record, so that one script
// deletes both, unless the user id holds a '}' that keeps Redis from
// putting them together; together says which.
func (k keyspace) userIdentities(userID string) (key string, together bool) {
	return slotMate(k.user(userID), ":idps")
}

// slotMate names a key that Redis Cluster puts in key's slot: key's own
// hash tag decides for both when it has one; else key, whole, becomes the
// new key's tag, which works unless key holds a '}'.
func slotMate(key, suffix string) (string, bool) {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if end := strings.IndexByte(key[open+1:], '}'); end > 0 {
			return key + suffix, true
		}
	}
	return "{" + key + "}" + suffix, !strings.Contains(key, "}")
}
