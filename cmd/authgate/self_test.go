package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestRunAgain checks the command line the demo prints to run authgate
// again, for each way it can have been started.
func TestRunAgain(t *testing.T) {
	root := filepath.FromSlash("/home/ada/authgate")
	goRun := filepath.FromSlash("/tmp/go-build1234/b001/exe/authgate")
	tests := []struct {
		name           string
		arg0, exe, cwd string
		root, want     string
	}{
		{"go run in the module's root", goRun, goRun, root, root, "go run ./cmd/authgate"},
		{"go run deeper in the module", goRun, goRun, filepath.Join(root, "cmd"), root, "go run github.com/authgate/authgate/cmd/authgate"},
		{"go run outside the module", goRun, goRun, filepath.FromSlash("/home/ada"), "", "go run github.com/authgate/authgate/cmd/authgate@latest"},
		{"installed, on PATH", "authgate", filepath.FromSlash("/home/ada/go/bin/authgate"), root, root, "authgate"},
		{"by a relative path", "./authgate", filepath.Join(root, "authgate"), root, root, "./authgate"},
		{"by a path with a space", "/opt/my tools/authgate", "/opt/my tools/authgate", root, "", "'/opt/my tools/authgate'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runAgain(tt.arg0, tt.exe, tt.cwd, tt.root); got != tt.want {
				t.Errorf("runAgain(%q, %q, %q, %q) = %q, want %q", tt.arg0, tt.exe, tt.cwd, tt.root, got, tt.want)
			}
		})
	}
	if got, _ := os.Getwd(); moduleRoot(got) == "" {
		t.Errorf("moduleRoot(%q) found no authgate module above the test's directory", got)
	}
}

// TestPrintedPasswdLineWorks runs the "Reset password" line that a second
// demo run prints, in a shell, as the user would copy it: after go test (and
// so after go run) it must work without authgate on PATH.
func TestPrintedPasswdLineWorks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the printed lines are for a POSIX shell")
	}
	db := filepath.Join(t.TempDir(), "with space.db")
	runCLI(t, "first password\n", "users", "add", demoLogin, "--password-stdin", "--db", db).expect(t, exitOK)

	var out bytes.Buffer
	c := newCLI(strings.NewReader(""), &out, &out)
	c.printWelcome("http://127.0.0.1:8080/", demoFlags{store: storeFlags{db: db}, addr: "127.0.0.1:8080", idle: time.Minute, lifetime: time.Hour}, demoCreds{})
	m := regexp.MustCompile(`(?m)^\s*Reset password:\s+(.+)$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no Reset password line in:\n%s", out.String())
	}
	cmd := exec.Command("sh", "-c", m[1]+" --password-stdin")
	cmd.Stdin = strings.NewReader("second password\n")
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command that runs this test is not on PATH: %v", err)
	}
	// Only the go command and the system's tools: no authgate on PATH.
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(goCmd)+":/usr/bin:/bin")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the printed line %q failed: %v\n%s", m[1], err, b)
	}
}
