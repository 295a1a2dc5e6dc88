package main

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// holdWriteLock takes the write lock of the database at path from a
// connection of its own, as another process would, and returns the
// function that lets it go (safe to call twice).
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
			_ = conn.Close()
			_ = db.Close()
		})
	}
	t.Cleanup(release)
	return release
}
