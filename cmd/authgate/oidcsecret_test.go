package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/testkit"
)

// TestReadSecretFile: a file that holds a secret (a client secret, the
// key of --oidc-key-file) is read only when no one but its owner and group
// may read or write it, as PostgreSQL wants of its key; the refusal says
// the mode and what to do, never the content.
func TestReadSecretFile(t *testing.T) {
	const content = "the-secret-in-the-file"
	for _, tc := range []struct {
		mode os.FileMode
		want string // "" when read
	}{
		{0o600, ""},
		{0o400, ""},
		{0o640, ""},
		{0o660, ""},
		{0o604, "mode is 0604"},
		{0o644, "mode is 0644"},
		{0o602, "mode is 0602"},
		{0o666, "mode is 0666"},
	} {
		path := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil {
			t.Fatal(err)
		}
		b, err := readSecretFile(path)
		switch {
		case tc.want == "" && (err != nil || string(b) != content):
			t.Errorf("mode %04o: %q, %v", tc.mode, b, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "chmod 600")):
			t.Errorf("mode %04o: %v, want an error saying %q and chmod 600", tc.mode, err, tc.want)
		case err != nil && strings.Contains(err.Error(), content):
			t.Errorf("mode %04o: the error shows the secret: %v", tc.mode, err)
		}
	}
}

// TestWarnOIDCOrigin: a command that offers providers and listens beyond
// loopback without --oidc-origin warns once that the redirect URI follows
// the Host header; with --oidc-origin, on loopback, or without providers,
// it says nothing.
func TestWarnOIDCOrigin(t *testing.T) {
	for _, tc := range []struct {
		addr      string
		origin    string
		providers int
		warn      bool
	}{
		{"0.0.0.0:8080", "", 1, true},
		{":8080", "", 2, true},
		{"192.0.2.7:8080", "", 1, true},
		{"[::]:8080", "", 1, true},
		{"0.0.0.0:8080", "https://app.example.com", 1, false},
		{"127.0.0.1:8080", "", 1, false},
		{"[::1]:8080", "", 1, false},
		{"localhost:8080", "", 1, false},
		{"0.0.0.0:8080", "", 0, false},
	} {
		logs := testkit.NewLogs()
		var df demoFlags
		df.addr, df.oidc.origin = tc.addr, tc.origin
		warnOIDCOrigin(logs.Logger(), "proxy", df, tc.providers)
		if got := strings.Count(logs.String(), "--oidc-origin is not set"); got != map[bool]int{true: 1, false: 0}[tc.warn] {
			t.Errorf("--addr %s, --oidc-origin %q, %d providers: %d warnings, want warn=%v\n%s", tc.addr, tc.origin, tc.providers, got, tc.warn, logs)
		}
	}
}
