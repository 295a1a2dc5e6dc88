package authgate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Errors a store returns. Stores wrap them with %w where they add detail, so
// callers test with errors.Is.
var (
	// ErrNotFound means the store holds no such session, key or user.
	ErrNotFound = errors.New("authgate: not found")
	// ErrDuplicate means a user with that login name, or a record with that
	// id, already exists.
	ErrDuplicate = errors.New("authgate: already exists")
)

// Hash is the SHA-256 of a secret: of a session token's 32 random bytes
// (not its base64 text), or of an API key's secret as the text the client
// sends. Stores key sessions by it and never see the token itself.
type Hash [32]byte

// HashOf returns the SHA-256 of b.
func HashOf(b []byte) Hash { return Hash(sha256.Sum256(b)) }

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the hex form that [Hash.String] returns.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != hex.EncodedLen(len(h)) {
		return h, errors.New("authgate: a session id is 64 hex digits")
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, errors.New("authgate: a session id is 64 hex digits")
	}
	return h, nil
}

// Session is a signed-in browser session as a store keeps it.
//
// A session is valid while it is not revoked, now is before LastSeen plus
// IdleTimeout (the sliding idle deadline) and now is before Expires (the
// absolute lifetime). A store may delete a session once Expires has passed.
type Session struct {
	ID          Hash          // SHA-256 of the session token
	UserID      string        // the user's stable id
	UserName    string        // the user's display name at sign-in
	CreatedAt   time.Time     // when the user signed in
	LastSeen    time.Time     // last touch; the idle deadline slides from here
	IdleTimeout time.Duration // the idle timeout in force when the session was made
	Expires     time.Time     // the absolute deadline; never moves
	Revoked     bool          // signed out, here or elsewhere
	UserAgent   string        // the User-Agent of the sign-in request
	Address     string        // the client address of the sign-in request
}

// IdleDeadline returns the time at which the session expires for lack of
// activity, which is never later than Expires.
func (s *Session) IdleDeadline() time.Time {
	d := s.LastSeen.Add(s.IdleTimeout)
	if d.After(s.Expires) {
		return s.Expires
	}
	return d
}

// APIKey is a credential for machine clients, sent as HTTP Basic with ID as
// the user name and the secret as the password. The store keeps only the
// SHA-256 of the secret.
type APIKey struct {
	ID         string    // public id, the Basic user name
	SecretHash Hash      // SHA-256 of the secret
	Name       string    // what the key is for, as its owner wrote it
	UserID     string    // the owner
	CreatedAt  time.Time // when the key was made
	ExpiresAt  time.Time // zero: never expires
	LastUsed   time.Time // zero: never used; written no more often than session touches
	Revoked    bool      // revoked keys are refused
}

// User is an account that can sign in with a password.
type User struct {
	ID           string    // stable id; sessions and keys refer to it
	Login        string    // the name typed at sign-in; unique
	Name         string    // display name
	PasswordHash string    // a PHC string, see PasswordHasher
	CreatedAt    time.Time // when the account was made
}

// SessionStore keeps browser sessions. Implementations must be safe for
// concurrent use. Session is on every request's path, so it should be cheap.
type SessionStore interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the given id, including revoked and
	// expired ones the store still holds, or ErrNotFound.
	Session(ctx context.Context, id Hash) (Session, error)
	// TouchSession moves the session's LastSeen forward to seen. A seen
	// earlier than the stored LastSeen is ignored. ErrNotFound if absent.
	TouchSession(ctx context.Context, id Hash, seen time.Time) error
	// RevokeSession marks the session revoked. ErrNotFound if absent.
	RevokeSession(ctx context.Context, id Hash) error
	// RevokeUserSessions revokes every live session of a user and returns
	// how many it revoked.
	RevokeUserSessions(ctx context.Context, userID string) (int, error)
	// UserSessions lists a user's sessions that are neither revoked nor past
	// their absolute deadline, newest first.
	UserSessions(ctx context.Context, userID string) ([]Session, error)
}

// KeyStore keeps API keys. Implementations must be safe for concurrent use.
type KeyStore interface {
	// CreateKey stores a new key; ErrDuplicate if the id is taken.
	CreateKey(ctx context.Context, k APIKey) error
	// Key returns the key with the given id, revoked or not, or ErrNotFound.
	Key(ctx context.Context, id string) (APIKey, error)
	// TouchKey moves the key's LastUsed forward to used. ErrNotFound if absent.
	TouchKey(ctx context.Context, id string, used time.Time) error
	// RevokeKey marks the key revoked. ErrNotFound if absent.
	RevokeKey(ctx context.Context, id string) error
	// RevokeUserKeys revokes every key of a user and returns how many.
	RevokeUserKeys(ctx context.Context, userID string) (int, error)
	// UserKeys lists a user's keys, revoked ones included, newest first.
	UserKeys(ctx context.Context, userID string) ([]APIKey, error)
}

// UserStore keeps accounts for the built-in login form. Apps with their own
// user table implement it over that table, or skip it and call
// [Gate.SignIn] from their own login handler.
type UserStore interface {
	// CreateUser stores a new user; ErrDuplicate if the id or login is taken.
	CreateUser(ctx context.Context, u User) error
	// User returns the user with the given id, or ErrNotFound.
	User(ctx context.Context, id string) (User, error)
	// UserByLogin returns the user whose login is exactly login, byte for
	// byte, or ErrNotFound. Logins are case-sensitive, in the stores as in
	// the throttle (see [ThrottleConfig]).
	UserByLogin(ctx context.Context, login string) (User, error)
	// SetPassword replaces a user's password hash. ErrNotFound if absent.
	SetPassword(ctx context.Context, id, passwordHash string) error
	// DeleteUser removes a user. It does not revoke the user's sessions or
	// keys; callers do that first. A store that is also an
	// [IdentityStore] removes the user's links with the user, in the same
	// transaction or script; a link made while the user is being deleted
	// may outlive it, and then names no one (package oidc removes such a
	// link at its next sign-in). ErrNotFound if absent.
	DeleteUser(ctx context.Context, id string) error
	// Users lists every user, ordered by login.
	Users(ctx context.Context) ([]User, error)
}

// Store is everything a [Gate] keeps ([Config.Store]). Four packages
// implement it: [github.com/authgate/authgate/memstore] (one process,
// nothing kept on restart), [github.com/authgate/authgate/sqlitestore] (one
// file, the default), [github.com/authgate/authgate/redisstore] and
// [github.com/authgate/authgate/pgstore] (several instances of an app share
// it, in Redis or in PostgreSQL). [github.com/authgate/authgate/storetest.Run]
// checks any other implementation against the same contract.
type Store interface {
	SessionStore
	KeyStore
	UserStore
}

// IdentityStore links users to their accounts at identity providers: an
// issuer URL and the subject the issuer names the user by (the ID token's
// iss and sub) map to one user id. Package
// [github.com/authgate/authgate/oidc] needs it of [Config.Store]; the four
// stores of this module implement it, and
// [github.com/authgate/authgate/storetest.Run] checks it when a store does.
// A store may limit issuer and subject to 255 bytes each.
type IdentityStore interface {
	// LinkIdentity links issuer and subject to userID; ErrDuplicate if
	// that pair is already linked, to this user or another.
	LinkIdentity(ctx context.Context, issuer, subject, userID string) error
	// IdentityUser returns the user id linked to issuer and subject, or
	// ErrNotFound.
	IdentityUser(ctx context.Context, issuer, subject string) (string, error)
	// UserIdentities lists the accounts linked to userID, ordered by
	// issuer, then subject, byte-wise: at most [MaxUserIdentities], the
	// first in that order. An unknown user has none.
	UserIdentities(ctx context.Context, userID string) ([]LinkedIdentity, error)
	// UnlinkIdentity removes the link of issuer and subject to userID;
	// ErrNotFound if the pair is not linked to that user (a link another
	// sign-in has just made for someone else stays).
	UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error
}

// LinkedIdentity is an account at an identity provider that
// [IdentityStore.UserIdentities] lists: the ID token's iss and sub.
type LinkedIdentity struct {
	Issuer  string // the provider's issuer URL
	Subject string // the provider's id of the account
}

// MaxUserIdentities bounds what [IdentityStore.UserIdentities] returns, so
// that a user linked to many accounts costs a listing no more than this.
// Unlinking some (see [IdentityStore.UnlinkIdentity]) shows the rest.
const MaxUserIdentities = 100
