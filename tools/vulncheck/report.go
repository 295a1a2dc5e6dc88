package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
)

// message is one object of govulncheck's JSON stream; only the parts read
// here are declared.
type message struct {
	Config *struct {
		DB        string `json:"db"`
		GoVersion string `json:"go_version"`
		ScanLevel string `json:"scan_level"`
	} `json:"config"`
	OSV     *osvEntry `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

// osvEntry is the part of an OSV entry read here.
type osvEntry struct {
	ID       string `json:"id"`
	Summary  string `json:"summary"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
}

// frame is one step of a finding's trace; the first is the vulnerable
// symbol, package or module.
type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

// vuln is what the reports say of one vulnerability in one module.
type vuln struct {
	id, module, version, fixed string
	imported                   bool
	called                     []string
}

// report is what govulncheck found in one module, merged by vulnerability
// and module.
type report struct {
	scanner, db, goVersion string
	summaries              map[string]string
	vulns                  []*vuln
	byKey                  map[[2]string]*vuln
}

// vuln returns the entry for id in module, adding it if new.
func (rep *report) vuln(id, module, version string) *vuln {
	key := [2]string{id, module}
	v := rep.byKey[key]
	if v == nil {
		v = &vuln{id: id, module: module, version: version}
		rep.byKey[key] = v
		rep.vulns = append(rep.vulns, v)
	}
	return v
}

// readReport reads the JSON stream of govulncheck's symbol scan.
func readReport(r io.Reader) (*report, error) {
	rep := &report{summaries: map[string]string{}, byKey: map[[2]string]*vuln{}}
	sawConfig := false
	err := eachMessage(r, func(m message) {
		switch {
		case m.Config != nil:
			sawConfig = true
			c := m.Config
			rep.scanner = scannerVersion()
			rep.db, rep.goVersion = c.DB, c.GoVersion
		case m.OSV != nil:
			rep.summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f, top := m.Finding, m.Finding.Trace[0]
			v := rep.vuln(f.OSV, top.Module, top.Version)
			if f.FixedVersion != "" {
				v.fixed = f.FixedVersion
			}
			if top.Package != "" {
				v.imported = true
			}
			if top.Function != "" {
				if name := top.symbol(); !slices.Contains(v.called, name) {
					v.called = append(v.called, name)
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if !sawConfig {
		return nil, errors.New("govulncheck gave no report")
	}
	return rep, nil
}

// addQuery adds what govulncheck's query of mods found: each OSV entry that
// affects one of the modules at its version.
func (rep *report) addQuery(r io.Reader, mods []module) error {
	return eachMessage(r, func(m message) {
		if m.OSV == nil {
			return
		}
		rep.summaries[m.OSV.ID] = m.OSV.Summary
		for _, a := range m.OSV.Affected {
			for _, mod := range mods {
				if mod.path != a.Package.Name {
					continue
				}
				if affected, fixed := fixFor(a.Ranges, mod.version); affected {
					v := rep.vuln(m.OSV.ID, mod.path, mod.version)
					if fixed != "" {
						v.fixed = fixed
					}
				}
			}
		}
	})
}

// eachMessage calls f with each message of a govulncheck JSON stream.
func eachMessage(r io.Reader, f func(message)) error {
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading govulncheck's report: %w", err)
		}
		f(m)
	}
}

// symbol names the frame's function as pkg.Func or pkg.Recv.Method.
func (f frame) symbol() string {
	if f.Receiver != "" {
		return f.Package + "." + strings.TrimPrefix(f.Receiver, "*") + "." + f.Function
	}
	return f.Package + "." + f.Function
}

// mustFix reports whether v fails the check: the code calls it, or a
// fixed version exists.
func (v *vuln) mustFix() bool {
	return len(v.called) > 0 || v.fixed != ""
}

// judge writes the scanner and each vulnerability to w, and reports whether
// none must be fixed.
func (rep *report) judge(w io.Writer) bool {
	fmt.Fprintf(w, "scanner: %s, %s, database %s\n", rep.scanner, rep.goVersion, rep.db)
	toFix := 0
	for _, v := range rep.vulns {
		at := v.module
		if v.version != "" {
			at += "@" + v.version
		}
		fmt.Fprintf(w, "%s in %s: %s\n", v.id, at, rep.summaries[v.id])
		var how string
		switch {
		case len(v.called) > 0:
			how = "called: " + strings.Join(v.called, ", ")
		case v.imported:
			how = "imported, not called"
		default:
			how = "required, not imported"
		}
		fix := "no fixed version"
		if v.fixed != "" {
			fix = "fixed in " + v.fixed
		}
		verdict := "noted"
		if v.mustFix() {
			verdict = "MUST FIX"
			toFix++
		}
		fmt.Fprintf(w, "  %s; %s: %s\n", how, fix, verdict)
	}
	fmt.Fprintf(w, "vulnerabilities: %d to fix, %d noted\n", toFix, len(rep.vulns)-toFix)
	return toFix == 0
}

// scannerVersion names the govulncheck that runs in process, as the build
// gives it (its own config names this command instead).
func scannerVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "golang.org/x/vuln" {
				return "govulncheck " + dep.Version
			}
		}
	}
	return "govulncheck (version unknown)"
}
