package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/sqlitestore"
)

// TestAdminCommands runs every admin subcommand, and its errors, in order
// on one database: each step sees what the steps before it did.
func TestAdminCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "admin.db")
	var keyID, sessionID string
	steps := []struct {
		name  string
		stdin string
		args  func() []string
		code  int
		want  []string
		check func(t *testing.T, r result)
	}{
		{name: "add a user", stdin: "correct horse\n",
			args: argv("users", "add", "alice", "--name", "Alice Liddell", "--password-stdin", "--db", db),
			want: []string{"added user alice (id usr_"}},
		{name: "flags before the login", stdin: "battery staple",
			args: argv("users", "add", "--db", db, "--password-stdin", "bob"),
			want: []string{"added user bob"}},
		{name: "duplicate user", stdin: "correct horse\n",
			args: argv("users", "add", "alice", "--password-stdin", "--db", db),
			code: exitDuplicate, want: []string{`a user with login "alice" already exists`}},
		{name: "bad login", stdin: "correct horse\n",
			args: argv("users", "add", "Alice!", "--password-stdin", "--db", db),
			code: exitUsage, want: []string{`login "Alice!"`}},
		{name: "short password", stdin: "short\n",
			args: argv("users", "add", "carol", "--password-stdin", "--db", db),
			code: exitUsage, want: []string{"shorter than 8"}},
		{name: "empty password", stdin: "\n",
			args: argv("users", "add", "carol", "--password-stdin", "--db", db),
			code: exitUsage, want: []string{"the password is empty"}},
		{name: "no terminal and no --password-stdin",
			args: argv("users", "add", "carol", "--db", db),
			code: exitUsage, want: []string{"--password-stdin"}},
		{name: "password as a flag", args: argv("users", "add", "carol", "--password", "x", "--db", db),
			code: exitUsage, want: []string{"flag provided but not defined: -password"}},
		{name: "missing login", args: argv("users", "add", "--db", db),
			code: exitUsage, want: []string{"missing argument"}},
		{name: "list users", args: argv("users", "list", "--db", db),
			want: []string{"LOGIN", "alice", "Alice Liddell", "bob"}},

		{name: "create a key", args: argv("keys", "create", "--user", "alice", "--name", "ci", "--expires", "720h", "--db", db),
			want: []string{"API key for alice: ci", "secret:", "expires:"},
			check: func(t *testing.T, r result) {
				keyID = regexp.MustCompile(`id: +(agk_\w+)`).FindStringSubmatch(r.stdout)[1]
			}},
		{name: "key for an unknown user", args: argv("keys", "create", "--user", "nobody", "--name", "ci", "--db", db),
			code: exitNotFound, want: []string{`no user with login "nobody"`}},
		{name: "key without a name", args: argv("keys", "create", "--user", "alice", "--db", db),
			code: exitUsage, want: []string{"--name is required"}},
		{name: "key with a bad expiry", args: argv("keys", "create", "--user", "alice", "--name", "x", "--expires", "soon", "--db", db),
			code: exitUsage, want: []string{"-expires"}},
		{name: "list keys", args: func() []string { return []string{"keys", "list", "--db", db} },
			check: func(t *testing.T, r result) { wantRow(t, r.stdout, keyID, "alice", "ci", "active") }},
		{name: "list a user's keys", args: argv("keys", "list", "--user", "bob", "--db", db),
			want: []string{"no API keys"}},
		{name: "revoke a key", args: func() []string { return []string{"keys", "revoke", keyID, "--db", db} },
			want: []string{"revoked API key agk_"}},
		{name: "key revoked", args: argv("keys", "list", "--user", "alice", "--db", db),
			check: func(t *testing.T, r result) { wantRow(t, r.stdout, keyID, "revoked") }},
		{name: "unknown key", args: argv("keys", "revoke", "agk_aaaaaaaaaaaaaaaa", "--db", db),
			code: exitNotFound, want: []string{"no API key agk_aaaaaaaaaaaaaaaa"}},
		{name: "not a key id", args: argv("keys", "revoke", "hello", "--db", db),
			code: exitUsage, want: []string{"not an API key id"}},

		{name: "no sessions yet", args: argv("sessions", "list", "--user", "alice", "--db", db),
			want: []string{"no sessions for alice"},
			check: func(t *testing.T, r result) {
				sessionID = addSessions(t, db, "alice", 2)[0].String()
			}},
		{name: "list sessions", args: argv("sessions", "list", "--user", "alice", "--db", db),
			check: func(t *testing.T, r result) {
				wantRow(t, r.stdout, sessionID, "active", "192.0.2.7", "Mozilla/5.0 (test)")
				if strings.Contains(r.stdout, "token") {
					t.Error("the listing mentions a token")
				}
			}},
		{name: "revoke one session", args: func() []string { return []string{"sessions", "revoke", sessionID, "--db", db} },
			want: []string{"revoked session "}},
		{name: "session gone from the list", args: argv("sessions", "list", "--user", "alice", "--db", db),
			check: func(t *testing.T, r result) {
				if strings.Contains(r.stdout, sessionID) {
					t.Errorf("revoked session still listed:\n%s", r.stdout)
				}
			}},
		{name: "unknown session", args: argv("sessions", "revoke", strings.Repeat("ab", 32), "--db", db),
			code: exitNotFound, want: []string{"no session abab"}},
		{name: "not a session id", args: argv("sessions", "revoke", "abc", "--db", db),
			code: exitUsage, want: []string{"not a session ID"}},
		{name: "revoke needs one target", args: argv("sessions", "revoke", "--db", db),
			code: exitUsage, want: []string{"either --user LOGIN or one session ID"}},
		{name: "revoke a user's sessions", args: argv("sessions", "revoke", "--user", "alice", "--db", db),
			want: []string{"revoked 1 session of alice"}},
		{name: "sessions of an unknown user", args: argv("sessions", "list", "--user", "nobody", "--db", db),
			code: exitNotFound, want: []string{`no user with login "nobody"`},
			check: func(t *testing.T, r result) {
				sessionID = addSessions(t, db, "alice", 1)[0].String() // for passwd to sign out
			}},

		{name: "change a password", stdin: "a new password\n",
			args: argv("users", "passwd", "alice", "--password-stdin", "--db", db),
			want: []string{"changed the password of alice; signed out 1 session"},
			check: func(t *testing.T, r result) {
				u := userOf(t, db, "alice")
				if ok, err := testkit.Hasher.Verify("a new password", u.PasswordHash); !ok || err != nil {
					t.Errorf("the new password does not verify: %v", err)
				}
			}},
		{name: "password of an unknown user", stdin: "a new password\n",
			args: argv("users", "passwd", "nobody", "--password-stdin", "--db", db),
			code: exitNotFound, want: []string{`no user with login "nobody"`}},
		{name: "remove a user", args: argv("users", "remove", "bob", "--db", db),
			want: []string{"removed user bob; revoked 0 sessions and 0 API keys"}},
		{name: "remove an unknown user", args: argv("users", "remove", "bob", "--db", db),
			code: exitNotFound, want: []string{`no user with login "bob"`}},
		{name: "bob is gone", args: argv("users", "list", "--db", db),
			check: func(t *testing.T, r result) {
				if strings.Contains(r.stdout, "bob") || !strings.Contains(r.stdout, "alice") {
					t.Errorf("users list:\n%s", r.stdout)
				}
			}},
	}
	for _, st := range steps {
		ok := t.Run(st.name, func(t *testing.T) {
			r := runCLI(t, st.stdin, st.args()...)
			r.expect(t, st.code, st.want...)
			if st.check != nil {
				st.check(t, r)
			}
		})
		if !ok {
			t.FailNow() // later steps depend on this one
		}
	}
}

// TestRemoveRevokes checks that removing a user revokes the user's
// sessions and keys before the user goes.
func TestRemoveRevokes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "remove.db")
	runCLI(t, "password123", "users", "add", "dave", "--password-stdin", "--db", db).expect(t, exitOK)
	out := runCLI(t, "", "keys", "create", "--user", "dave", "--name", "k", "--db", db)
	out.expect(t, exitOK)
	keyID := regexp.MustCompile(`id: +(agk_\w+)`).FindStringSubmatch(out.stdout)[1]
	u := userOf(t, db, "dave")
	ids := addSessions(t, db, "dave", 3)

	runCLI(t, "", "users", "remove", "dave", "--db", db).expect(t, exitOK, "revoked 3 sessions and 1 API key")

	st := openDB(t, db)
	for _, id := range ids {
		if s, err := st.Session(t.Context(), id); err != nil || !s.Revoked {
			t.Errorf("session %s: revoked %v, err %v", id, s.Revoked, err)
		}
	}
	if k, err := st.Key(t.Context(), keyID); err != nil || !k.Revoked {
		t.Errorf("key: revoked %v, err %v", k.Revoked, err)
	}
	if _, err := st.User(t.Context(), u.ID); err == nil {
		t.Error("the user is still there")
	}
}

// TestUsageErrors checks the answers to command lines that make no sense,
// and to -h.
func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "usage.db")
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for 0, else in stderr
	}{
		{"no command", nil, exitUsage, "authgate: login sessions"},
		{"help", []string{"help"}, exitOK, "Exit codes:"},
		{"--help", []string{"--help"}, exitOK, "5  not found"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown subcommand", []string{"users", "frob"}, exitUsage, `unknown command "users frob"`},
		{"group alone", []string{"keys"}, exitUsage, "keys needs a subcommand: create, list or revoke"},
		{"bad flag", []string{"users", "list", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"extra argument", []string{"users", "list", "extra", "--db", db}, exitUsage, `unexpected argument "extra"`},
		{"command help", []string{"keys", "create", "-h"}, exitOK, "Usage: authgate keys create --user LOGIN"},
		{"bad store URL", []string{"users", "list", "--store", "http://user:hunter2@host"}, exitUsage, "redis:// or rediss://"},
		{"bad signal", []string{"demo", "--signal", "302", "--db", db}, exitUsage, `demo: --signal: signal "302" is not 401`},
		{"bad client mode", []string{"demo", "--client-mode", "popup", "--db", db}, exitUsage, "--client-mode"},
		{"idle longer than lifetime", []string{"demo", "--idle-timeout", "2h", "--lifetime", "1h", "--db", db}, exitUsage, "--lifetime"},
		{"bad duration", []string{"demo", "--idle-timeout", "ten", "--db", db}, exitUsage, "-idle-timeout"},
		{"duration without a unit", []string{"proxy", "--upstream", "http://127.0.0.1:1", "--idle-timeout", "5", "--db", db}, exitUsage, "a duration takes a unit, as in 90s"},
		{"warning under a second", []string{"demo", "--warn-before", "500ms", "--db", db}, exitUsage, "--warn-before"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if tc.code == exitOK {
				r.expect(t, exitOK, tc.want)
				return
			}
			if tc.name == "no command" { // the usage, on stderr
				if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
					t.Errorf("exit %d, stderr %q", r.code, r.stderr)
				}
				return
			}
			r.expect(t, tc.code, tc.want)
			if strings.Contains(r.stderr, "hunter2") {
				t.Error("an error repeats a password from the store URL")
			}
		})
	}
}

// TestDatabaseErrors checks exit code 3 for databases that cannot be used.
func TestDatabaseErrors(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	runCLI(t, "password123", "users", "add", "x", "--password-stdin", "--db", notDir).expect(t, exitOK)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"directory missing", []string{"users", "add", "eve", "--password-stdin", "--db", filepath.Join(dir, "missing", "a.db")}, "does not exist"},
		{"path is a directory", []string{"users", "add", "eve", "--password-stdin", "--db", dir}, "is a directory"},
		{"parent is a file", []string{"users", "add", "eve", "--password-stdin", "--db", filepath.Join(notDir, "a.db")}, "not a directory"},
		{"no such database", []string{"users", "list", "--db", filepath.Join(dir, "typo.db")}, "there is no database at"},
		{"not a database", []string{"demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "junk.db")}, "not an SQLite database"},
	}
	if err := writeFile(filepath.Join(dir, "junk.db"), strings.Repeat("not a database\n", 100)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runCLI(t, "password123", tc.args...).expect(t, exitDatabase, tc.want)
		})
	}
}

// TestLockedDatabase holds the write lock from another connection while
// the command tries to write: it waits for the busy timeout (five seconds)
// and exits 3.
func TestLockedDatabase(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "locked.db")
	runCLI(t, "password123", "users", "add", "x", "--password-stdin", "--db", db).expect(t, exitOK)
	release := holdWriteLock(t, db)
	defer release()
	runCLI(t, "password123", "users", "add", "eve", "--password-stdin", "--db", db).expect(t, exitDatabase, "locked")
	release()
	runCLI(t, "password123", "users", "add", "eve", "--password-stdin", "--db", db).expect(t, exitOK)
}

// TestOWASPHasher checks that the command line, without a test's cheap
// hasher, stores argon2id hashes with OWASP's parameters.
func TestOWASPHasher(t *testing.T) {
	db := filepath.Join(t.TempDir(), "owasp.db")
	var out, errb strings.Builder
	code := run(t.Context(), []string{"users", "add", "frank", "--password-stdin", "--db", db},
		strings.NewReader("password123\n"), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if h := userOf(t, db, "frank").PasswordHash; !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("stored hash %q does not use OWASP's parameters", h)
	}
}

func argv(args ...string) func() []string { return func() []string { return args } }

// wantRow fails t unless one line of out holds every one of cells.
func wantRow(t *testing.T, out string, cells ...string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		all := true
		for _, c := range cells {
			all = all && strings.Contains(line, c)
		}
		if all {
			return
		}
	}
	t.Errorf("no line holds %q:\n%s", cells, out)
}

func openDB(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func userOf(t *testing.T, db, login string) authgate.User {
	t.Helper()
	st := openDB(t, db)
	u, err := st.UserByLogin(t.Context(), login)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// addSessions stores n live sessions for a user, as sign-ins would, and
// returns their ids.
func addSessions(t *testing.T, db, login string, n int) []authgate.Hash {
	t.Helper()
	st := openDB(t, db)
	u, err := st.UserByLogin(t.Context(), login)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var ids []authgate.Hash
	for i := range n {
		id := authgate.HashOf([]byte(login + string(rune('a'+i)) + now.String()))
		err := st.CreateSession(t.Context(), authgate.Session{
			ID: id, UserID: u.ID, UserName: u.Name, CreatedAt: now, LastSeen: now,
			IdleTimeout: time.Hour, Expires: now.Add(2 * time.Hour),
			UserAgent: "Mozilla/5.0 (test)", Address: "192.0.2.7",
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
