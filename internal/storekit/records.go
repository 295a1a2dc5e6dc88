package storekit

import (
	"time"

	"github.com/authgate/authgate"
)

// NormalSession returns x as a store that keeps its times in unix
// milliseconds ([ToMS]) reads it back: times and the idle timeout lose
// anything finer than a millisecond, and zero times stay zero.
func NormalSession(x authgate.Session) authgate.Session {
	x.CreatedAt = FromMS(ToMS(x.CreatedAt))
	x.LastSeen = FromMS(ToMS(x.LastSeen))
	x.Expires = FromMS(ToMS(x.Expires))
	x.IdleTimeout = x.IdleTimeout.Truncate(time.Millisecond)
	return x
}

// NormalKey returns k as a store that keeps its times in unix milliseconds
// ([ToMS]) reads it back: times lose anything finer than a millisecond,
// and zero times (no expiry, never used) stay zero.
func NormalKey(k authgate.APIKey) authgate.APIKey {
	k.CreatedAt = FromMS(ToMS(k.CreatedAt))
	k.ExpiresAt = FromMS(ToMS(k.ExpiresAt))
	k.LastUsed = FromMS(ToMS(k.LastUsed))
	return k
}
