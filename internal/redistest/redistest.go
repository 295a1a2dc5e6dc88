// Package redistest starts throwaway redis-server processes for tests: a
// single server or a small Redis Cluster, each on free local ports, with its
// files in a test's temporary directory and killed when the test ends.
//
// redis-server and redis-cli are taken from PATH. When redis-server is
// missing the test is skipped, unless the comma-separated environment
// variable AUTHGATE_REQUIRE names "redis", in which case the test fails.
package redistest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireEnv is the environment variable that turns a skip for a missing
// redis-server into a failure when it names "redis".
const RequireEnv = "AUTHGATE_REQUIRE"

// Required reports whether the comma-separated list in the environment
// variable RequireEnv names "redis".
func Required() bool {
	for _, name := range strings.Split(os.Getenv(RequireEnv), ",") {
		if strings.EqualFold(strings.TrimSpace(name), "redis") {
			return true
		}
	}
	return false
}

// lookTools finds redis-server and redis-cli on PATH. It skips the test
// when redis-server is missing, or fails it when Required says so.
func lookTools(t testing.TB, cli bool) (server, client string) {
	t.Helper()
	names := []string{"redis-server"}
	if cli {
		names = append(names, "redis-cli")
	}
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			if Required() {
				t.Fatalf("%s is not on PATH and %s names redis: %v", name, RequireEnv, err)
			}
			t.Skipf("%s is not on PATH (set %s=redis to make this a failure)", name, RequireEnv)
		}
		paths[i] = p
	}
	if cli {
		return paths[0], paths[1]
	}
	return paths[0], ""
}
