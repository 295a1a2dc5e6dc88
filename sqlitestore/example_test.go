package sqlitestore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/sqlitestore"
)

func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, filepath.Join(dir, "authgate.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	now := time.Now()
	id := authgate.HashOf([]byte("the session token"))
	err = s.CreateSession(ctx, authgate.Session{
		ID: id, UserID: "u1", UserName: "Ada",
		CreatedAt: now, LastSeen: now,
		IdleTimeout: 30 * time.Minute, Expires: now.Add(12 * time.Hour),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := s.RevokeUserSessions(ctx, "u1")
	fmt.Println("revoked", n, err)
	got, err := s.Session(ctx, id)
	fmt.Println(got.UserName, got.Revoked, err)
	fmt.Println("check:", s.Check(ctx))
	// Output:
	// revoked 1 <nil>
	// Ada true <nil>
	// check: <nil>
}

// Open's errors say what went wrong, and can be told apart with errors.Is.
func ExampleOpen_errors() {
	_, err := sqlitestore.Open(context.Background(), filepath.Join(os.TempDir(), "no such directory", "authgate.db"))
	fmt.Println(errors.Is(err, sqlitestore.ErrCannotOpen), errors.Is(err, fs.ErrNotExist))
	// Output:
	// true true
}
