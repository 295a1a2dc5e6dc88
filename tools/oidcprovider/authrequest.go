package main

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// authRequest is an authorization request between the authorize endpoint
// and the code exchange. The storage hands out copies, so the library never
// reads one while the sign-in page completes it.
type authRequest struct {
	id           string
	created      time.Time
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	prompt       []string
	hintSubject  string

	subject  string
	authTime time.Time
	done     bool
}

// The methods below make an authRequest an [op.AuthRequest].

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// GetAudience is the client that asked, and the clients its audience
// scopes name.
func (a *authRequest) GetAudience() []string {
	aud := []string{a.clientID}
	for _, s := range a.scopes {
		if id, ok := extraAudience(s); ok && !slices.Contains(aud, id) {
			aud = append(aud, id)
		}
	}
	return aud
}

// GetAMR says the user signed in with a password.
func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}

// hasPrompt reports whether the request asked for the prompt value p.
func (a *authRequest) hasPrompt(p string) bool {
	for _, v := range a.prompt {
		if v == p {
			return true
		}
	}
	return false
}

// newAuthRequest keeps what the provider needs of a parsed request.
func newAuthRequest(id string, now time.Time, r *oidc.AuthRequest, hintSubject string) *authRequest {
	a := &authRequest{
		id:           id,
		created:      now,
		clientID:     r.ClientID,
		redirectURI:  r.RedirectURI,
		state:        r.State,
		nonce:        r.Nonce,
		scopes:       append([]string(nil), r.Scopes...),
		responseType: r.ResponseType,
		responseMode: r.ResponseMode,
		prompt:       append([]string(nil), r.Prompt...),
		hintSubject:  hintSubject,
	}
	if r.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	return a
}
