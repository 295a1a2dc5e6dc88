package bench

import (
	"context"
	"net/http"
	"time"
)

// Contender is one way of guarding Handler with a login session: the bare
// handler, authgate on one of its stores, or a peer library.
type Contender interface {
	// Name identifies the contender in benchmark names and tables, such as
	// "authgate-sqlite" or "scs-memstore".
	Name() string
	// Handler is Handler behind the contender's guard.
	Handler() http.Handler
	// SignIn starts a session for a user as if it had signed in age ago and
	// been idle since (age is shorter than the idle timeout), and returns
	// the Cookie header a browser would send with it.
	SignIn(ctx context.Context, age time.Duration) (cookie string, err error)
	// Expired returns the Cookie header of a session whose idle timeout has
	// passed.
	Expired(ctx context.Context) (cookie string, err error)
	// Writes counts the writes made to the contender's session store so
	// far: creates, touches, commits and revocations.
	Writes() int64
	// Close releases what the contender holds.
	Close() error
}

// Timeouts every contender is configured with.
const (
	// IdleTimeout ends a session after this long without a request.
	IdleTimeout = 30 * time.Minute
	// Lifetime ends a session this long after sign-in.
	Lifetime = 12 * time.Hour
)

// BenchUser is the user every benchmark session belongs to.
const (
	BenchUserID   = "u-000001"
	BenchUserName = "Ada Lovelace"
)
