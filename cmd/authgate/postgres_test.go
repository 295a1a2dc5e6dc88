package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/pgtest"
)

// TestPostgresStore runs every admin command and the demo on a PostgreSQL
// database given by --store. It is skipped when PostgreSQL is not
// installed.
func TestPostgresStore(t *testing.T) {
	srv := pgtest.Start(t)
	url := srv.URL()
	run := func(stdin string, args ...string) result {
		return runCLI(t, stdin, append(args, "--store", url)...)
	}
	run("password123", "users", "add", "rita", "--password-stdin").expect(t, exitOK, "added user rita")
	run("password123", "users", "add", "rita", "--password-stdin").expect(t, exitDuplicate)
	run("password456", "users", "passwd", "rita", "--password-stdin").expect(t, exitOK)
	run("", "users", "list").expect(t, exitOK, "rita")
	t.Run("identities", func(t *testing.T) { identityCommands(t, "--store", url) })
	created := run("", "keys", "create", "--user", "rita", "--name", "ci")
	created.expect(t, exitOK)
	id := field(t, created.stdout, "id:")
	run("", "keys", "list", "--user", "rita").expect(t, exitOK, id)
	run("", "keys", "revoke", id).expect(t, exitOK, "revoked")
	run("", "keys", "revoke", "agk_missing").expect(t, exitNotFound)

	d := startDemo(t, nil, "--store", url, "--db", filepath.Join(t.TempDir(), "notes.db"))
	session := signIn(t, d.base, field(t, d.stdout.String(), "Password:"))
	if res, body := page(t, d.base, session); res.StatusCode != 200 || !strings.Contains(body, `id="who">Demo User<`) {
		t.Fatalf("page over the PostgreSQL store: %d", res.StatusCode)
	}
	run("", "sessions", "list", "--user", "demo").expect(t, exitOK)
	run("", "sessions", "revoke", "--user", "demo").expect(t, exitOK, "revoked 1 session of demo")
	// The demo learns of the revocation by a notification: within
	// milliseconds, polled here with a generous deadline.
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		res, _ := page(t, d.base, session)
		if res.StatusCode != http.StatusOK {
			t.Logf("the demo refused the session %v after the command revoked it", time.Since(start))
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("the demo still serves a session the command revoked %v ago", time.Since(start))
		}
	}
	run("", "users", "remove", "rita").expect(t, exitOK)
	run("", "users", "list").expect(t, exitOK)
}
