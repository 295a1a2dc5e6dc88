package sqlitestore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// fileMode is the mode of the database file and, since SQLite gives the
// write-ahead log and its index the mode of the database, of -wal and -shm
// too: they hold password hashes, so only their owner may read them.
const fileMode fs.FileMode = 0o600

// sideFiles are the suffixes of the files SQLite keeps beside the database.
var sideFiles = []string{"-wal", "-shm", "-journal"}

// createFile creates the database file at abs with fileMode unless it
// exists, before the driver would create it with the umask's mode.
func createFile(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, fs.ErrExist):
		return nil
	default:
		return fmt.Errorf("%w: %s: %w", ErrCannotOpen, abs, pathCause(err))
	}
}

// narrowFiles narrows an existing database, -wal, -shm or -journal that
// others may read or write to fileMode. Open calls it once the file has
// proved to be a database, so that a mistyped path to some other file
// keeps its mode. A file that cannot be narrowed (another user owns it) is
// refused: the store does not keep password hashes in a file that others
// can read.
func narrowFiles(abs string) error {
	for _, p := range append([]string{abs}, prefixed(abs, sideFiles)...) {
		if err := narrow(p); err != nil {
			return err
		}
	}
	return nil
}

// narrow removes the group's and others' permissions from the file at path,
// if it exists and has any.
func narrow(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCannotOpen, path, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&^fileMode == 0 {
		return nil
	}
	if err := os.Chmod(path, fi.Mode().Perm()&fileMode); err != nil {
		return fmt.Errorf("%w: %s is readable or writable by others (mode %v) and cannot be narrowed to %v: %w",
			ErrCannotOpen, path, fi.Mode().Perm(), fileMode, err)
	}
	return nil
}

// pathCause strips the operation and path that a *fs.PathError repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// prefixed returns s followed by each suffix.
func prefixed(s string, suffixes []string) []string {
	out := make([]string, len(suffixes))
	for i, suf := range suffixes {
		out[i] = s + suf
	}
	return out
}
