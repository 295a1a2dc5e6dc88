package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestBusyPortMakesNoUser checks that a serving command whose port is taken
// fails (exit 1) before its first run makes a user: a user made then would
// have a password nobody was ever shown.
func TestBusyPortMakesNoUser(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	for _, args := range [][]string{
		{"demo"},
		{"proxy", "--upstream", "http://127.0.0.1:1"},
		{"forward-auth"},
	} {
		t.Run(args[0], func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "authgate.db")
			runCLI(t, "", append(args, "--addr", addr, "--db", db)...).expect(t, exitFailure, "listening on "+addr)
			// Either no database was made, or one with no user in it.
			r := runCLI(t, "", "users", "list", "--db", db)
			noDB := r.code != exitOK && strings.Contains(r.stderr, "there is no database")
			if !noDB && (r.code != exitOK || strings.Contains(r.stdout, "demo") || strings.Contains(r.stdout, "admin")) {
				t.Errorf("after the busy port, users list says (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
