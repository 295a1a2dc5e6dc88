package main

import "strings"

// user is one of the provider's fixed users.
type user struct {
	subject       string
	email         string
	emailVerified bool
	name          string
	password      string
	groups        []string
}

// users is the provider's fixed set of users, by subject. Their passwords
// are test data, known to the tests that sign in with them.
var users = map[string]*user{
	"sub-alice": {
		subject: "sub-alice", email: "alice@example.com", emailVerified: true,
		name: "Alice", password: "alice-password", groups: []string{"staff", "admins"},
	},
	"sub-bob": {
		subject: "sub-bob", email: "bob@example.com", emailVerified: true,
		name: "Bob", password: "bob-password", groups: []string{"staff"},
	},
	"sub-carol": {
		subject: "sub-carol", email: "carol@elsewhere.test", emailVerified: true,
		name: "Carol", password: "carol-password", groups: []string{"partners"},
	},
	"sub-dave": {
		subject: "sub-dave", email: "dave@example.com", emailVerified: false,
		name: "Dave", password: "dave-password", groups: []string{"staff"},
	},
}

// userByEmail returns the user whose email is email, or nil.
func userByEmail(email string) *user {
	for _, u := range users {
		if strings.EqualFold(u.email, email) {
			return u
		}
	}
	return nil
}
