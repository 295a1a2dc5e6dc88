package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
)

// TestUpgradeKeepsLinks opens a database made before a user's links were
// indexed (schema version 2, holding a link): the upgrade keeps the link,
// and deleting the user then takes it.
func TestUpgradeKeepsLinks(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Shared(t).Database(t)
	s := open(t, url, pgstore.Options{})
	if err := s.CreateUser(ctx, authgate.User{ID: "u1", Login: "ada", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkIdentity(ctx, "https://sso.example.com", "248289761001", "u1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range []string{`DROP INDEX authgate_identities_by_user`, `UPDATE authgate_schema SET version = 2`} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	s = open(t, url, pgstore.Options{})
	var v int
	if err := c.QueryRow(ctx, `SELECT version FROM authgate_schema`).Scan(&v); err != nil || v != 3 {
		t.Fatalf("schema version %d, %v; want 3", v, err)
	}
	if links, err := s.UserIdentities(ctx, "u1"); err != nil || len(links) != 1 {
		t.Fatalf("after the upgrade the user's links are %v, %v; want the one", links, err)
	}
	if err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if id, err := s.IdentityUser(ctx, "https://sso.example.com", "248289761001"); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("after DeleteUser the link names %q, %v; want ErrNotFound", id, err)
	}
}
