//go:build unix

package sqlitestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestFileModes opens stores under a umask of 022, which would leave new
// files readable by everyone, and checks the mode of the database, its
// write-ahead log and its index after a write.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })

	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) // makes files before Open
		wantErr error                           // from Open, or nil
		want    fs.FileMode                     // of every file that exists after
	}{
		{
			name:  "new database",
			setup: func(*testing.T, string) {},
			want:  0o600,
		},
		{
			name: "existing database readable by everyone",
			setup: func(t *testing.T, path string) {
				s := openAt(t, path, defaultConfig())
				writeSession(t, s)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				chmod(t, path, 0o644)
			},
			want: 0o600,
		},
		{
			name: "existing database and log writable by the group",
			setup: func(t *testing.T, path string) {
				s := openAt(t, path, defaultConfig())
				writeSession(t, s)
				chmod(t, path, 0o660)
				chmod(t, path+"-wal", 0o664)
				chmod(t, path+"-shm", 0o664)
			},
			want: 0o600,
		},
		{
			name: "a file that is not a database keeps its mode",
			setup: func(t *testing.T, path string) {
				writeFile(t, path, []byte("not a database, and not the store's to change\n"))
				chmod(t, path, 0o644)
			},
			wantErr: ErrNotDatabase,
			want:    0o644,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "authgate.db")
			tc.setup(t, path)
			s, err := Open(context.Background(), path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Open: error %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				writeSession(t, s)
				t.Cleanup(func() { s.Close() })
			}
			found := 0
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(p)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				found++
				if got := fi.Mode().Perm(); got != tc.want {
					t.Errorf("%s: mode %v, want %v", filepath.Base(p), got, tc.want)
				}
			}
			if tc.wantErr == nil && found != 3 {
				t.Errorf("found %d of the database, -wal and -shm, want all 3", found)
			}
		})
	}
}

// writeSession writes a session, so that the write-ahead log and its index
// exist.
func writeSession(t *testing.T, s *Store) {
	t.Helper()
	now := time.Now()
	err := s.CreateSession(context.Background(), authgate.Session{
		ID: authgate.HashOf([]byte(t.Name() + now.String())), UserID: "u1",
		CreatedAt: now, LastSeen: now, IdleTimeout: time.Hour, Expires: now.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
