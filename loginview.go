package authgate

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"
)

// LoginPage is what the login page shows: the data that the built-in page
// and an app's own [Config.LoginTemplate] are executed with. Its strings are
// plain text; html/template escapes them wherever the template puts them.
//
// The form must post, as application/x-www-form-urlencoded, the fields
// username, password and return_to (the value of ReturnTo) to Action.
type LoginPage struct {
	// Action is the URL the form posts to: LoginPath, with "?compact=1"
	// in the compact variant.
	Action string
	// ReturnTo is the same-origin path the user goes to after signing in,
	// or "" for HomePath. Put it in a hidden field called return_to.
	ReturnTo string
	// Username is the user name of a failed attempt, to fill in again.
	Username string

	// Reason says why the user is on the login page; ReasonText says it
	// in English, such as "Your session expired after 30 minutes without
	// activity. Please sign in again." Both are empty on a first visit and
	// after a failed attempt (see Error).
	Reason     LoginReason
	ReasonText string
	// Limit is the idle timeout (LoginIdle) or the lifetime (LoginLifetime)
	// that ended the session, for a template that words ReasonText itself.
	Limit time.Duration
	// SignedInAs is the display name of the user who is still signed in
	// (LoginSignedIn).
	SignedInAs string

	// Error says what went wrong with the last attempt ("Wrong user name or
	// password.", or how long to wait after too many attempts), or "".
	Error string
	// Status is the page's HTTP status: 200, 401 after a wrong user name or
	// password, 429 after too many attempts.
	Status int

	// PlainHTTP, when not "", says why signing in cannot work on this page
	// (the browser reached it over plain http by a name other than
	// localhost, so it drops the Secure session cookie) and what to do.
	// A template should show it prominently.
	PlainHTTP string
	// Compact is set for the compact variant (LoginPath?compact=1), made
	// to sit in a small frame.
	Compact bool

	// Providers are the identity providers to offer (see
	// [Config.Providers]), each a link to its start endpoint that comes
	// back to ReturnTo; nil when there are none.
	Providers []ProviderLink
	// NoPassword is set when the configuration has no password sign-in
	// ([Config.NoPasswordSignIn]): show no form, only the Providers.
	NoPassword bool
}

// LoginReason says why the login page is shown; see [LoginPage].
type LoginReason string

// The reasons for the login page. The gate finds them from the session
// cookie the browser still sends, never from a query parameter, so a link
// cannot make the page say something false (LoginSignedOut comes from the
// redirect after sign-out and says only that).
const (
	LoginFirst     LoginReason = ""           // no session: a first visit
	LoginSignedOut LoginReason = "signed-out" // the user just signed out
	LoginEnded     LoginReason = "ended"      // the session is gone from the store
	LoginRevoked   LoginReason = "revoked"    // signed out elsewhere, or by an administrator
	LoginLifetime  LoginReason = "lifetime"   // the session reached its lifetime
	LoginIdle      LoginReason = "idle"       // the session expired without activity
	LoginSignedIn  LoginReason = "signed-in"  // still signed in; signing in again switches user
)

// loginView is the login page's data inside the package.
type loginView = LoginPage

// loginReason fills in why the user is on the login page, from the session
// cookie the browser still sends, as [Gate.Require] decided it. It never
// trusts a query parameter for this (but signed_out=1, which says only
// that), so a link cannot make the page say something false.
func (g *Gate) loginReason(r *http.Request, v *LoginPage) {
	if r.URL.Query().Get("signed_out") == "1" {
		v.Reason, v.ReasonText = LoginSignedOut, "You have signed out."
		return
	}
	now := g.cfg.Now()
	var res authResult
	g.sessionState(r.Context(), r, now, &res)
	s := res.session
	switch {
	case res.err != nil:
	case res.ok:
		v.SignedInAs = s.UserName
		v.Reason, v.ReasonText = LoginSignedIn, "You are signed in as "+s.UserName+". Sign in again to switch user."
	case res.reason == ReasonRevoked:
		v.Reason, v.ReasonText = LoginRevoked, "You were signed out, from another window or device or by an administrator. Please sign in again."
	case res.reason != ReasonExpired:
	case s.UserID == "":
		v.Reason, v.ReasonText = LoginEnded, "Your session has ended. Please sign in again."
	case !now.Before(s.Expires):
		v.Limit = s.Expires.Sub(s.CreatedAt)
		v.Reason, v.ReasonText = LoginLifetime, "Your session reached its limit of "+humanDuration(v.Limit)+". Please sign in again."
	default:
		v.Limit = s.IdleTimeout
		v.Reason, v.ReasonText = LoginIdle, "Your session expired after "+humanDuration(v.Limit)+" without activity. Please sign in again."
	}
}

// checkLoginTemplate executes an app's login page template with every field
// empty and with every field set, so that a mistake shows at New, not on a
// user's screen.
func checkLoginTemplate(t *template.Template, action string) error {
	samples := []LoginPage{
		{Action: action, Status: http.StatusOK},
		{
			Action: action + "?compact=1", ReturnTo: "/notes", Username: "ada",
			Reason: LoginIdle, ReasonText: "Your session expired.", Limit: time.Minute, SignedInAs: "Ada",
			Error: "Wrong user name or password.", Status: http.StatusUnauthorized,
			PlainHTTP: plainHTTPWarning, Compact: true,
			Providers:  []ProviderLink{{Name: "sso", Label: "Example SSO", URL: "/.authgate/oidc/sso/start?return_to=%2Fnotes"}},
			NoPassword: true,
		},
	}
	for _, v := range samples {
		if err := t.Execute(io.Discard, v); err != nil {
			return fmt.Errorf("authgate: Config.LoginTemplate fails with a sample LoginPage: %w", err)
		}
	}
	return nil
}
