package authgate_test

import (
	"context"
	"fmt"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// A user's links to identity providers' accounts are listed, removed one
// at a time, and go with the user.
func ExampleIdentityStore() {
	ctx := context.Background()
	s := memstore.New()
	_ = s.CreateUser(ctx, authgate.User{ID: "u1", Login: "ada"})
	_ = s.LinkIdentity(ctx, "https://sso.example.com", "248289761001", "u1")
	_ = s.LinkIdentity(ctx, "https://gitlab.example.com", "42", "u1")

	links, _ := s.UserIdentities(ctx, "u1")
	fmt.Println(links)

	err := s.UnlinkIdentity(ctx, "https://gitlab.example.com", "42", "u1")
	fmt.Println(err)
	err = s.UnlinkIdentity(ctx, "https://gitlab.example.com", "42", "u1")
	fmt.Println(err)

	_ = s.DeleteUser(ctx, "u1")
	_, err = s.IdentityUser(ctx, "https://sso.example.com", "248289761001")
	fmt.Println(err)
	// Output:
	// [{https://gitlab.example.com 42} {https://sso.example.com 248289761001}]
	// <nil>
	// authgate: not found
	// authgate: not found
}
