package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/vuln/scan"
)

// check runs govulncheck's symbol scan on the module in dir and its query
// of every module the module requires, and merges the two reports.
func check(ctx context.Context, db database, dir string, stderr io.Writer) (*report, error) {
	dbURL := "file://" + db.dir
	symbols, err := govulncheck(ctx, stderr, "-C", dir, "-db", dbURL, "-test", "-format", "json", "./...")
	if err != nil {
		return nil, fmt.Errorf("govulncheck on %s: %w", dir, err)
	}
	rep, err := readReport(bytes.NewReader(symbols))
	if err != nil {
		return nil, err
	}
	mods, err := requiredModules(ctx, dir)
	if err != nil {
		return nil, err
	}
	queries := make([]string, len(mods))
	for i, m := range mods {
		queries[i] = m.path + "@" + m.version
	}
	answers, err := govulncheck(ctx, stderr, append([]string{"-db", dbURL, "-mode", "query", "-format", "json"}, queries...)...)
	if err != nil {
		return nil, fmt.Errorf("govulncheck query for %s: %w", dir, err)
	}
	if err := rep.addQuery(bytes.NewReader(answers), mods); err != nil {
		return nil, err
	}
	return rep, nil
}

// govulncheck runs govulncheck in process with args and returns what it
// printed.
func govulncheck(ctx context.Context, stderr io.Writer, args ...string) ([]byte, error) {
	var out bytes.Buffer
	cmd := scan.Command(ctx, args...)
	cmd.Stdin = strings.NewReader("")
	cmd.Stdout = &out
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := cmd.Wait(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// module is one module at one version.
type module struct {
	path, version string
}

// requiredModules lists the modules that provide a package to the module
// in dir, its commands or its tests (from `go list -deps -test ./...`),
// leaving out the module itself and those replaced by a folder, and adds
// the Go release as the modules stdlib and toolchain. A module that is in
// the module graph but builds no package here is left out: no code of it
// runs, and `go mod tidy` would drop a requirement that raised it.
func requiredModules(ctx context.Context, dir string) ([]module, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "-json=Module", "./...")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps -test ./... in %s: %w", dir, err)
	}
	var mods []module
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Module *struct {
				Path, Version string
				Main          bool
				Replace       *struct{ Path, Version string }
			}
		}
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("go list -deps -test ./... in %s: %w", dir, err)
		}
		m := p.Module
		var mod module
		switch {
		case m == nil || m.Main:
			continue // the standard library, or the module itself
		case m.Replace != nil && m.Replace.Version == "":
			continue // a folder: checked as a module of its own
		case m.Replace != nil:
			mod = module{m.Replace.Path, m.Replace.Version}
		default:
			mod = module{m.Path, m.Version}
		}
		if !slices.Contains(mods, mod) {
			mods = append(mods, mod)
		}
	}
	cmd = exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir = dir
	out, err = cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOVERSION: %w", err)
	}
	release, err := goSemver(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, err
	}
	return append(mods, module{"stdlib", release}, module{"toolchain", release}), nil
}
