package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/redistest"
)

// TestRedisStore runs admin commands and the demo on a Redis given by
// --store. It is skipped when redis-server is not installed.
func TestRedisStore(t *testing.T) {
	srv := redistest.Start(t)
	url := "redis://" + srv.Addr + "/0"
	runCLI(t, "password123", "users", "add", "rita", "--password-stdin", "--store", url).expect(t, exitOK, "added user rita")
	runCLI(t, "password123", "users", "add", "rita", "--password-stdin", "--store", url).expect(t, exitDuplicate)
	runCLI(t, "", "users", "list", "--store", url).expect(t, exitOK, "rita")
	t.Run("identities", func(t *testing.T) { identityCommands(t, "--store", url) })

	d := startDemo(t, nil, "--store", url, "--db", filepath.Join(t.TempDir(), "notes.db"))
	session := signIn(t, d.base, field(t, d.stdout.String(), "Password:"))
	if res, body := page(t, d.base, session); res.StatusCode != 200 || !strings.Contains(body, `id="who">Demo User<`) {
		t.Fatalf("page over the Redis store: %d", res.StatusCode)
	}
	runCLI(t, "", "sessions", "revoke", "--user", "demo", "--store", url).expect(t, exitOK, "revoked 1 session of demo")
}

// TestRedisUnreachable checks that a Redis that does not answer is a
// run-time failure whose message does not repeat the URL's password.
func TestRedisUnreachable(t *testing.T) {
	r := runCLI(t, "", "users", "list", "--store", "redis://:hunter2@127.0.0.1:1/0")
	r.expect(t, exitFailure, "Redis")
	if strings.Contains(r.stderr, "hunter2") {
		t.Errorf("the error repeats the password: %s", r.stderr)
	}
}
