package oidctest

// User is one of the provider's fixed users.
type User struct {
	// Email is what the user types in the provider's form; with the email
	// scope it is the ID token's email claim.
	Email string
	// Password is the user's password at the provider.
	Password string
	// Subject is the ID token's sub claim.
	Subject string
	// EmailVerified is the email_verified claim.
	EmailVerified bool
	// Groups is the groups claim, sent in every ID token.
	Groups []string
}

// The provider's users: Alice and Bob in the domain example.com with
// verified emails, Carol outside it, Dave in it but with an email the
// provider has not verified.
var (
	Alice = User{Email: "alice@example.com", Password: "alice-password", Subject: "sub-alice", EmailVerified: true, Groups: []string{"staff", "admins"}}
	Bob   = User{Email: "bob@example.com", Password: "bob-password", Subject: "sub-bob", EmailVerified: true, Groups: []string{"staff"}}
	Carol = User{Email: "carol@elsewhere.test", Password: "carol-password", Subject: "sub-carol", EmailVerified: true, Groups: []string{"partners"}}
	Dave  = User{Email: "dave@example.com", Password: "dave-password", Subject: "sub-dave", EmailVerified: false, Groups: []string{"staff"}}
)

// Users returns the provider's users.
func Users() []User { return []User{Alice, Bob, Carol, Dave} }

// Client is a confidential client registered at the provider.
type Client struct {
	// ID is the client id.
	ID string
	// Secret is the client secret, new at each [Start].
	Secret string
}
