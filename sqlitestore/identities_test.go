package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestUpgradeKeepsLinks opens a file made before links went with their
// user (schema version 2, holding a link): the upgrade keeps the link, and
// deleting the user then takes it.
func TestUpgradeKeepsLinks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	s := openAt(t, path, defaultConfig())
	for _, q := range []string{
		`DROP TRIGGER users_deleted_unlink`,
		`DROP INDEX identities_by_user`,
		`PRAGMA user_version = 2`,
	} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.CreateUser(ctx, authgate.User{ID: "u1", Login: "ada", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.LinkIdentity(ctx, "https://sso.example.com", "248289761001", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, defaultConfig())
	var v int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(migrations))
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
