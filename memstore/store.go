// Package memstore keeps authgate's sessions, API keys and users in memory.
//
// It suits tests and single-process apps that can afford to sign everybody
// out on a restart. Everything is lost when the process ends.
//
// Session lookups, which the gate makes on every request, take a read lock
// and a hash-table lookup and do not allocate. A session takes about 100
// bytes besides its strings, which sessions share (one copy of each
// distinct User-Agent, user and address); listing or revoking a user's
// sessions reads only that user's. Times keep millisecond precision.
// Sessions past their absolute deadline are dropped now and then as new
// sessions are made, so memory follows the number of live sessions.
package memstore

import (
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// Store is an in-memory authgate.Store. Make one with New; it is safe for
// concurrent use. Like every store, its methods fail with an error wrapping
// the context's error once their context is done, and change nothing.
type Store struct {
	now func() time.Time // see WithClock

	sessMu   sync.RWMutex
	sessions table
	creates  int // sessions made since the last purge
	purgeAt  int // purge when creates reaches it

	keyMu sync.RWMutex
	keys  map[string]authgate.APIKey

	userMu  sync.RWMutex
	users   map[string]authgate.User // by id
	byLogin map[string]string        // login to id

	idMu       sync.RWMutex
	identities map[identity]string              // issuer and subject to user id
	userLinks  map[string]map[identity]struct{} // user id to its identities
}

// Every authgate.Store method is implemented.
var _ authgate.Store = (*Store)(nil)

// Option changes how New makes a Store.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now, for
// the one decision it takes by the clock: whether a session is past its
// absolute deadline (RevokeUserSessions, UserSessions and the purge of old
// sessions). Give it the clock the gate has in authgate.Config.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		now:      time.Now,
		sessions: newTable(),
		purgeAt:  minPurge,
		keys:     make(map[string]authgate.APIKey),
		users:    make(map[string]authgate.User),
		byLogin:  make(map[string]string),

		identities: make(map[identity]string),
		userLinks:  make(map[string]map[identity]struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}
