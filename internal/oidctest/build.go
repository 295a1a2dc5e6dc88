package oidctest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// build compiles tools/oidcprovider into a temporary folder, once per test
// binary, and returns the program's path.
func build() (string, error) {
	binary.once.Do(func() {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			binary.err = errors.New("oidctest: cannot find its own source to locate tools/oidcprovider")
			return
		}
		src := filepath.Join(filepath.Dir(file), "..", "..", "tools", "oidcprovider")
		gobin, err := exec.LookPath("go")
		if err != nil {
			binary.err = fmt.Errorf("oidctest: building the provider needs the go command: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "oidctest-")
		if err != nil {
			binary.err = err
			return
		}
		path := filepath.Join(dir, "oidcprovider")
		cmd := exec.Command(gobin, "build", "-o", path, ".")
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			binary.err = fmt.Errorf("oidctest: go build in %s: %w\n%s", src, err, out)
			return
		}
		binary.dir, binary.path = dir, path
	})
	return binary.path, binary.err
}

// RemoveBinary removes the program [Start] built, if it did. Call it from
// TestMain after the tests have run.
func RemoveBinary() {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
}

// Main runs the tests of m, removes the program [Start] built (see
// [RemoveBinary]) and exits with the tests' status: the whole TestMain of
// a package that needs nothing else there.
func Main(m *testing.M) {
	code := m.Run()
	RemoveBinary()
	os.Exit(code)
}
