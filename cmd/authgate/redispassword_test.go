package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/redistest"
)

// TestRedisPassword runs a command against a Redis that requires a password,
// given in each of the ways the command takes it, and checks that no output
// ever repeats a password.
func TestRedisPassword(t *testing.T) {
	const password, wrong = "s3cret-redis-pw", "wrong-redis-pw"
	srv := redistest.Start(t, "--requirepass", password)
	url := "redis://" + srv.Addr + "/0"
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, goodCRLF, bad := file("good", password+"\n"), file("crlf", password+"\r\n"), file("bad", wrong)
	empty := file("empty", "\n")

	tests := []struct {
		name  string
		env   string // $AUTHGATE_REDIS_PASSWORD; "-" leaves it unset
		args  []string
		code  int
		texts []string
	}{
		{"no password", "-", []string{"--store", url}, exitFailure, []string{"Redis"}},
		{"in the environment", password, []string{"--store", url}, exitOK, nil},
		{"wrong in the environment", wrong, []string{"--store", url}, exitFailure, []string{"Redis"}},
		{"empty in the environment", "", []string{"--store", url}, exitUsage, []string{"empty"}},
		{"in a file", "-", []string{"--store", url, "--redis-password-file", good}, exitOK, nil},
		{"in a file with CRLF", "-", []string{"--store", url, "--redis-password-file", goodCRLF}, exitOK, nil},
		{"wrong in a file", "-", []string{"--store", url, "--redis-password-file", bad}, exitFailure, []string{"Redis"}},
		{"empty file", "-", []string{"--store", url, "--redis-password-file", empty}, exitUsage, []string{"empty"}},
		{"missing file", "-", []string{"--store", url, "--redis-password-file", filepath.Join(dir, "none")}, exitUsage, []string{"no such file"}},
		{"in the URL", "-", []string{"--store", "redis://:" + password + "@" + srv.Addr + "/0"}, exitOK, nil},
		{"in the URL and the environment", password, []string{"--store", "redis://:" + wrong + "@" + srv.Addr + "/0"}, exitUsage, []string{"given by both"}},
		{"in the environment and a file", password, []string{"--store", url, "--redis-password-file", good}, exitUsage, []string{"given by both"}},
		{"a file without --store", "-", []string{"--redis-password-file", good}, exitUsage, []string{"needs --store"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == "-" {
				t.Setenv(envRedisPassword, "") // restored after the test
				os.Unsetenv(envRedisPassword)
			} else {
				t.Setenv(envRedisPassword, tc.env)
			}
			r := runCLI(t, "", append([]string{"users", "list"}, tc.args...)...)
			r.expect(t, tc.code, tc.texts...)
			for _, secret := range []string{password, wrong} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("the output repeats a password:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
				}
			}
		})
	}
}
