package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	// requestLifetime is how long an authorization request (and its code)
	// may wait for the sign-in and the code exchange.
	requestLifetime = 10 * time.Minute
	// accessTokenLifetime is how long an access token is good for.
	accessTokenLifetime = 5 * time.Minute
	// maxEntries bounds each of the storage's maps: pending requests,
	// codes, access tokens.
	maxEntries = 10000
)

var (
	errNotFound = errors.New("not found")
	errFull     = errors.New("too many pending entries")
)

// accessToken is what the provider remembers of an access token it issued.
type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

// storage is the provider's in-memory [op.Storage]: fixed clients and
// users, and the requests, codes and tokens of running sign-ins.
type storage struct {
	clients map[string]*client
	key     *signingKey

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> request id
	tokens   map[string]*accessToken // by token id
}

var (
	_ op.Storage                   = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest = (*storage)(nil)
)

func newStorage(clients map[string]*client, key *signingKey) *storage {
	return &storage{
		clients:  clients,
		key:      key,
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]*accessToken{},
	}
}

// randomID returns 32 random bytes, base64url-encoded.
func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pruneLocked drops expired requests, codes and tokens.
func (s *storage) pruneLocked(now time.Time) {
	for id, a := range s.requests {
		if now.Sub(a.created) > requestLifetime {
			delete(s.requests, id)
		}
	}
	for code, id := range s.codes {
		if _, ok := s.requests[id]; !ok {
			delete(s.codes, code)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
}

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, hintSubject string) (op.AuthRequest, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxEntries {
		s.pruneLocked(now)
		if len(s.requests) >= maxEntries {
			return nil, errFull
		}
	}
	a := newAuthRequest(randomID(), now, r, hintSubject)
	s.requests[a.id] = a
	c := *a
	return &c, nil
}

// request returns a copy of the live request id.
func (s *storage) request(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok || time.Since(a.created) > requestLifetime {
		return nil, errNotFound
	}
	c := *a
	return &c, nil
}

// complete marks the request id as signed in by subject at authTime.
func (s *storage) complete(id, subject string, authTime time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return errNotFound
	}
	a.subject, a.authTime, a.done = subject, authTime, true
	return nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	return s.request(id)
}

// AuthRequestByCode returns the request of a code once: the code is
// forgotten whatever the exchange then decides, so a replayed code is
// refused.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	delete(s.codes, code)
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.request(id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return errNotFound
	}
	if len(s.codes) >= maxEntries {
		s.pruneLocked(time.Now())
		if len(s.codes) >= maxEntries {
			return errFull
		}
	}
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// clientOf returns the client a token request was made by.
func clientOf(r op.TokenRequest) string {
	if c, ok := r.(interface{ GetClientID() string }); ok {
		return c.GetClientID()
	}
	if aud := r.GetAudience(); len(aud) > 0 {
		return aud[0]
	}
	return ""
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= maxEntries {
		s.pruneLocked(now)
		if len(s.tokens) >= maxEntries {
			return "", time.Time{}, errFull
		}
	}
	id := randomID()
	t := &accessToken{
		subject:  r.GetSubject(),
		clientID: clientOf(r),
		scopes:   slices.Clone(r.GetScopes()),
		expires:  now.Add(accessTokenLifetime),
	}
	s.tokens[id] = t
	return id, t.expires, nil
}

// token returns the live access token id.
func (s *storage) token(id string) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || time.Now().After(t.expires) {
		return nil, errNotFound
	}
	return t, nil
}

// The provider offers no refresh tokens: its clients do not have the grant.

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType()
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant()
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession forgets the access tokens of the user for the client;
// browser sessions end at /logout.
func (s *storage) TerminateSession(_ context.Context, subject, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == subject && t.clientID == clientID {
			delete(s.tokens, id)
		}
	}
	return nil
}

func (s *storage) RevokeToken(_ context.Context, tokenID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		delete(s.tokens, tokenID)
	}
	return nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errors.New("unknown client")
	}
	return c, nil
}

// AuthorizeClientIDSecret compares the secret in constant time.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		return errors.New("wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the library; the ID token's claims
// come from SetUserinfoFromRequest.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return setUserinfo(info, r.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.token(tokenID)
	if err != nil || t.subject != subject {
		return errors.New("token is not valid")
	}
	return setUserinfo(info, subject, t.scopes)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.token(tokenID)
	if err != nil || t.subject != subject || t.clientID != clientID {
		return errors.New("token is not valid")
	}
	info := new(oidc.UserInfo)
	if err := setUserinfo(info, subject, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Active = true
	return nil
}

// GetPrivateClaimsFromScopes adds the groups claim to JWT access tokens
// (the provider issues opaque ones, so it is not called today).
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, subject, _ string, _ []string) (map[string]any, error) {
	u, ok := users[subject]
	if !ok {
		return nil, errNotFound
	}
	return map[string]any{"groups": u.groups}, nil
}

// The JWT profile grant is not offered.

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

func (s *storage) Health(context.Context) error { return nil }

// setUserinfo fills info with the claims of the user subject that the
// scopes allow, and the groups claim always.
func setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	u, ok := users[subject]
	if !ok {
		return errNotFound
	}
	info.Subject = u.subject
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeEmail:
			info.Email = u.email
			info.EmailVerified = oidc.Bool(u.emailVerified)
			if !u.emailVerified {
				// The typed field leaves a false value out; say it.
				info.AppendClaims("email_verified", false)
			}
		case oidc.ScopeProfile:
			info.Name = u.name
			info.PreferredUsername = u.email
		}
	}
	info.AppendClaims("groups", slices.Clone(u.groups))
	return nil
}
