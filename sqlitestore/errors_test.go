package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/storetest"
)

// holdLock opens path with a plain connection and takes the write lock
// with the given BEGIN statement until the test ends.
func holdLock(t *testing.T, path, begin string) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		t.Fatalf("%s: %v", begin, err)
	}
	t.Cleanup(func() {
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Errorf("ROLLBACK: %v", err)
		}
		conn.Close()
		db.Close()
	})
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	short := defaultConfig()
	short.busyTimeout = 100 * time.Millisecond
	notDB := []byte("this is a text file, not a database; it is long enough to have a header\n")

	tests := []struct {
		name string
		// setup prepares dir and returns the path to open.
		setup func(t *testing.T, dir string) string
		// use is what fails, given the path; nil means Open itself.
		use      func(s *Store) error
		want     error
		wantText string // in the message
		skip     func() string
		// unprivileged: the case means nothing to root, so root runs it
		// in a child process as nobody.
		unprivileged bool
	}{
		{
			name:     "missing directory",
			setup:    func(t *testing.T, dir string) string { return filepath.Join(dir, "missing", "authgate.db") },
			want:     fs.ErrNotExist,
			wantText: "does not exist",
		},
		{
			name: "directory is a file",
			setup: func(t *testing.T, dir string) string {
				writeFile(t, filepath.Join(dir, "file"), nil)
				return filepath.Join(dir, "file", "authgate.db")
			},
			want:     ErrCannotOpen,
			wantText: "not a directory",
		},
		{
			name:     "path is a directory",
			setup:    func(t *testing.T, dir string) string { return dir },
			want:     ErrCannotOpen,
			wantText: "is a directory",
		},
		{
			name: "directory not writable",
			setup: func(t *testing.T, dir string) string {
				ro := filepath.Join(dir, "ro")
				if err := os.Mkdir(ro, 0o555); err != nil {
					t.Fatal(err)
				}
				return filepath.Join(ro, "authgate.db")
			},
			want:         ErrCannotOpen,
			wantText:     "cannot open",
			unprivileged: true,
			skip: func() string {
				if runtime.GOOS == "windows" {
					return "file permissions of this kind are POSIX's"
				}
				return ""
			},
		},
		{
			name: "directory not writable for anyone",
			setup: func(t *testing.T, dir string) string {
				return "/proc/authgate-sqlitestore-test.db"
			},
			want:     ErrCannotOpen,
			wantText: "cannot open",
			skip: func() string {
				if runtime.GOOS != "linux" {
					return "needs /proc"
				}
				return ""
			},
		},
		{
			name: "not a database",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "notes.txt")
				writeFile(t, p, bytes.Repeat(notDB, 100))
				return p
			},
			want:     ErrNotDatabase,
			wantText: "not an SQLite database",
		},
		{
			name: "newer schema",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "authgate.db")
				db, err := sql.Open("sqlite", p)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
					t.Fatal(err)
				}
				return p
			},
			want:     ErrNewerSchema,
			wantText: "schema version 99",
		},
		{
			name: "locked while creating the schema",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "authgate.db")
				holdLock(t, p, "BEGIN EXCLUSIVE")
				return p
			},
			want:     ErrLocked,
			wantText: "locked",
		},
		{
			name: "locked while writing",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "authgate.db")
				s, err := Open(ctx, p) // makes the schema
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				holdLock(t, p, "BEGIN IMMEDIATE")
				return p
			},
			use: func(s *Store) error {
				return s.CreateSession(ctx, storetest.NewSession("u1", time.Now()))
			},
			want:     ErrLocked,
			wantText: "locked",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil {
				if why := tc.skip(); why != "" {
					t.Skip(why)
				}
			}
			if tc.unprivileged && os.Geteuid() == 0 {
				// Permissions do not bind root: run this case as nobody.
				runUnprivileged(t)
				return
			}
			path := tc.setup(t, t.TempDir())
			before, _ := os.ReadFile(path)
			s, err := open(ctx, path, short)
			if err == nil {
				t.Cleanup(func() { s.Close() })
				if tc.use == nil {
					t.Fatal("Open succeeded")
				}
				err = tc.use(s)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want one that is %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not say %q", err, tc.wantText)
			}
			t.Logf("error: %v", err)
			if tc.use == nil && before != nil {
				if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
					t.Error("a failed Open changed the file")
				}
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
