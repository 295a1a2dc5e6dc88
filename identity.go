package authgate

import "context"

// Method says how a request proved who it is.
type Method uint8

// The ways a request can be authenticated.
const (
	MethodSession Method = iota + 1 // a browser session cookie
	MethodAPIKey                    // an API key over HTTP Basic
)

// String returns "session" or "apikey".
func (m Method) String() string {
	switch m {
	case MethodSession:
		return "session"
	case MethodAPIKey:
		return "apikey"
	}
	return "unknown"
}

// Identity is who made a request. The gate puts it in the request's context;
// handlers read it with [FromContext].
type Identity struct {
	UserID    string // the user's stable id
	UserName  string // the display name at sign-in; empty for API keys
	Method    Method // how the request authenticated
	SessionID Hash   // the session's id, when Method is MethodSession
	KeyID     string // the key's id, when Method is MethodAPIKey
}

type identityKey struct{}

// FromContext returns the identity the gate found for the request, if any.
// Only the gate sets it: no request header can.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok
}

// NewContext returns a copy of ctx that carries id. Tests of handlers use it
// to stand in for the gate.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// identityContext carries an Identity in one allocation, where
// context.WithValue and a separate *Identity would take two. It is what the
// gate puts on every signed-in request.
type identityContext struct {
	context.Context
	id Identity
}

// Value returns the identity for the gate's key and asks the parent
// context for any other.
func (c *identityContext) Value(key any) any {
	if _, ok := key.(identityKey); ok {
		return &c.id
	}
	return c.Context.Value(key)
}
