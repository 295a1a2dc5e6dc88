package testkit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// ErrInjected is the error that every failure injected by a [Store]
// wraps, so that a test tells it from the wrapped store's own errors with
// [errors.Is].
var ErrInjected = errors.New("testkit: injected store failure")

// Methods names every method of [authgate.Store], as [Store.Fail] and
// [Store.Calls] take them.
var Methods = []string{
	"CreateSession", "Session", "TouchSession", "RevokeSession", "RevokeUserSessions", "UserSessions",
	"CreateKey", "Key", "TouchKey", "RevokeKey", "RevokeUserKeys", "UserKeys",
	"CreateUser", "User", "UserByLogin", "SetPassword", "DeleteUser", "Users",
}

// WriteMethods names the methods of [authgate.Store] that change what the
// store holds.
var WriteMethods = []string{
	"CreateSession", "TouchSession", "RevokeSession", "RevokeUserSessions",
	"CreateKey", "TouchKey", "RevokeKey", "RevokeUserKeys",
	"CreateUser", "SetPassword", "DeleteUser",
}

// Store wraps an [authgate.Store]: it counts the calls of each method and
// fails the calls a test asks it to fail, with an error that wraps
// [ErrInjected], before they reach the wrapped store. Every other call
// passes through. It is safe for concurrent use.
type Store struct {
	inner authgate.Store

	mu     sync.Mutex
	calls  map[string]int // every call, failed ones included
	failed map[string]int // calls failed by a rule
	rules  []*rule
}

// rule fails the calls of some methods.
type rule struct {
	methods []string // nil: every method
	left    int      // calls still to fail; -1: until Heal
}

func (r *rule) matches(method string) bool {
	return r.left != 0 && (r.methods == nil || slices.Contains(r.methods, method))
}

// Every authgate.Store method is wrapped.
var _ authgate.Store = (*Store)(nil)

// Wrap returns a Store over inner that fails nothing yet.
func Wrap(inner authgate.Store) *Store {
	return &Store{inner: inner, calls: map[string]int{}, failed: map[string]int{}}
}

// Unwrap returns the wrapped store.
func (s *Store) Unwrap() authgate.Store { return s.inner }

// Fail makes every call of the named methods fail, or of every method when
// none is named, until [Store.Heal]. It panics on a name that is not in
// [Methods] or [IdentityMethods], which is a mistake in the test.
func (s *Store) Fail(methods ...string) { s.add(-1, methods) }

// FailNext makes the next n calls of the named methods fail, or the next
// n calls of any method when none is named; later calls pass through
// again. It panics on a name that is not in [Methods] or
// [IdentityMethods].
func (s *Store) FailNext(n int, methods ...string) {
	if n <= 0 {
		panic("testkit: FailNext needs a positive count")
	}
	s.add(n, methods)
}

func (s *Store) add(n int, methods []string) {
	for _, m := range methods {
		if !slices.Contains(Methods, m) && !slices.Contains(IdentityMethods, m) {
			panic(fmt.Sprintf("testkit: %q is not a Store method", m))
		}
	}
	r := &rule{left: n}
	if len(methods) > 0 {
		r.methods = slices.Clone(methods)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, r)
}

// Heal ends every failure that [Store.Fail] and [Store.FailNext] asked for.
func (s *Store) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
}

// Calls returns how many calls the named methods received, or every
// method when none is named, failed calls included.
func (s *Store) Calls(methods ...string) int { return s.sum(s.calls, methods) }

// Failed returns how many calls of the named methods, or of every method
// when none is named, the Store failed on purpose.
func (s *Store) Failed(methods ...string) int { return s.sum(s.failed, methods) }

func (s *Store) sum(counts map[string]int, methods []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(methods) == 0 {
		methods = Methods
	}
	n := 0
	for _, m := range methods {
		n += counts[m]
	}
	return n
}

// ResetCounts sets every call and failure count back to zero.
func (s *Store) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
	clear(s.failed)
}

// enter counts a call of method and returns the injected error, if the
// call is to fail.
func (s *Store) enter(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	for _, r := range s.rules {
		if r.matches(method) {
			if r.left > 0 {
				r.left--
			}
			s.failed[method]++
			return fmt.Errorf("%s: %w", method, ErrInjected)
		}
	}
	return nil
}

// CreateSession counts the call and passes it on unless it is to fail.
func (s *Store) CreateSession(ctx context.Context, x authgate.Session) error {
	if err := s.enter("CreateSession"); err != nil {
		return err
	}
	return s.inner.CreateSession(ctx, x)
}

// Session counts the call and passes it on unless it is to fail.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if err := s.enter("Session"); err != nil {
		return authgate.Session{}, err
	}
	return s.inner.Session(ctx, id)
}

// TouchSession counts the call and passes it on unless it is to fail.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	if err := s.enter("TouchSession"); err != nil {
		return err
	}
	return s.inner.TouchSession(ctx, id, seen)
}

// RevokeSession counts the call and passes it on unless it is to fail.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	if err := s.enter("RevokeSession"); err != nil {
		return err
	}
	return s.inner.RevokeSession(ctx, id)
}

// RevokeUserSessions counts the call and passes it on unless it is to fail.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := s.enter("RevokeUserSessions"); err != nil {
		return 0, err
	}
	return s.inner.RevokeUserSessions(ctx, userID)
}

// UserSessions counts the call and passes it on unless it is to fail.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := s.enter("UserSessions"); err != nil {
		return nil, err
	}
	return s.inner.UserSessions(ctx, userID)
}

// CreateKey counts the call and passes it on unless it is to fail.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := s.enter("CreateKey"); err != nil {
		return err
	}
	return s.inner.CreateKey(ctx, k)
}

// Key counts the call and passes it on unless it is to fail.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	if err := s.enter("Key"); err != nil {
		return authgate.APIKey{}, err
	}
	return s.inner.Key(ctx, id)
}

// TouchKey counts the call and passes it on unless it is to fail.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	if err := s.enter("TouchKey"); err != nil {
		return err
	}
	return s.inner.TouchKey(ctx, id, used)
}

// RevokeKey counts the call and passes it on unless it is to fail.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	if err := s.enter("RevokeKey"); err != nil {
		return err
	}
	return s.inner.RevokeKey(ctx, id)
}

// RevokeUserKeys counts the call and passes it on unless it is to fail.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := s.enter("RevokeUserKeys"); err != nil {
		return 0, err
	}
	return s.inner.RevokeUserKeys(ctx, userID)
}

// UserKeys counts the call and passes it on unless it is to fail.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if err := s.enter("UserKeys"); err != nil {
		return nil, err
	}
	return s.inner.UserKeys(ctx, userID)
}

// CreateUser counts the call and passes it on unless it is to fail.
func (s *Store) CreateUser(ctx context.Context, u authgate.User) error {
	if err := s.enter("CreateUser"); err != nil {
		return err
	}
	return s.inner.CreateUser(ctx, u)
}

// User counts the call and passes it on unless it is to fail.
func (s *Store) User(ctx context.Context, id string) (authgate.User, error) {
	if err := s.enter("User"); err != nil {
		return authgate.User{}, err
	}
	return s.inner.User(ctx, id)
}

// UserByLogin counts the call and passes it on unless it is to fail.
func (s *Store) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := s.enter("UserByLogin"); err != nil {
		return authgate.User{}, err
	}
	return s.inner.UserByLogin(ctx, login)
}

// SetPassword counts the call and passes it on unless it is to fail.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) error {
	if err := s.enter("SetPassword"); err != nil {
		return err
	}
	return s.inner.SetPassword(ctx, id, passwordHash)
}

// DeleteUser counts the call and passes it on unless it is to fail.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if err := s.enter("DeleteUser"); err != nil {
		return err
	}
	return s.inner.DeleteUser(ctx, id)
}

// Users counts the call and passes it on unless it is to fail.
func (s *Store) Users(ctx context.Context) ([]authgate.User, error) {
	if err := s.enter("Users"); err != nil {
		return nil, err
	}
	return s.inner.Users(ctx)
}

// IdentityMethods names the methods of [authgate.IdentityStore], which
// [Store] has too, for [Store.Fail] and [Store.Calls].
var IdentityMethods = []string{"LinkIdentity", "IdentityUser", "UserIdentities", "UnlinkIdentity"}

// errNoIdentities is what the identity methods return when the wrapped
// store does not keep identity links.
var errNoIdentities = errors.New("testkit: the wrapped store does not implement authgate.IdentityStore")

// LinkIdentity counts the call and passes it on unless it is to fail.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := s.enter("LinkIdentity"); err != nil {
		return err
	}
	is, ok := s.inner.(authgate.IdentityStore)
	if !ok {
		return errNoIdentities
	}
	return is.LinkIdentity(ctx, issuer, subject, userID)
}

// IdentityUser counts the call and passes it on unless it is to fail.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	if err := s.enter("IdentityUser"); err != nil {
		return "", err
	}
	is, ok := s.inner.(authgate.IdentityStore)
	if !ok {
		return "", errNoIdentities
	}
	return is.IdentityUser(ctx, issuer, subject)
}

// UserIdentities counts the call and passes it on unless it is to fail.
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]authgate.LinkedIdentity, error) {
	if err := s.enter("UserIdentities"); err != nil {
		return nil, err
	}
	is, ok := s.inner.(authgate.IdentityStore)
	if !ok {
		return nil, errNoIdentities
	}
	return is.UserIdentities(ctx, userID)
}

// UnlinkIdentity counts the call and passes it on unless it is to fail.
func (s *Store) UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := s.enter("UnlinkIdentity"); err != nil {
		return err
	}
	is, ok := s.inner.(authgate.IdentityStore)
	if !ok {
		return errNoIdentities
	}
	return is.UnlinkIdentity(ctx, issuer, subject, userID)
}
