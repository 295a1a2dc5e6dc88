//go:build !unix

package sqlitestore

import "testing"

// runUnprivileged skips: only POSIX systems have the permissions the
// caller's case is about.
func runUnprivileged(t *testing.T) {
	t.Skip("file permissions of this kind are POSIX's")
}
