package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// message is one object of govulncheck's JSON stream; only the parts read
// here are declared.
type message struct {
	Config *struct {
		ScannerName    string     `json:"scanner_name"`
		ScannerVersion string     `json:"scanner_version"`
		DB             string     `json:"db"`
		DBLastModified *time.Time `json:"db_last_modified"`
		GoVersion      string     `json:"go_version"`
		ScanLevel      string     `json:"scan_level"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
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

// vuln is what the report says of one vulnerability in one module.
type vuln struct {
	id, module, version, fixed string
	imported                   bool
	called                     []string
}

// report is govulncheck's report, findings merged by vulnerability.
type report struct {
	scanner, db, goVersion, level string
	summaries                     map[string]string
	vulns                         []*vuln
}

// readReport reads govulncheck's JSON stream.
func readReport(r io.Reader) (*report, error) {
	rep := &report{summaries: map[string]string{}}
	byKey := map[[2]string]*vuln{}
	dec := json.NewDecoder(r)
	sawConfig := false
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading govulncheck's report: %w", err)
		}
		switch {
		case m.Config != nil:
			sawConfig = true
			c := m.Config
			rep.scanner = strings.TrimSpace(c.ScannerName + " " + c.ScannerVersion)
			rep.db, rep.goVersion, rep.level = c.DB, c.GoVersion, c.ScanLevel
		case m.OSV != nil:
			rep.summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f, top := m.Finding, m.Finding.Trace[0]
			key := [2]string{f.OSV, top.Module}
			v := byKey[key]
			if v == nil {
				v = &vuln{id: f.OSV, module: top.Module, version: top.Version}
				byKey[key] = v
				rep.vulns = append(rep.vulns, v)
			}
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
	}
	if !sawConfig {
		return nil, errors.New("no govulncheck report on standard input (did govulncheck run with -format json?)")
	}
	return rep, nil
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

// judge writes the database, the scanner and each vulnerability to w, and
// reports whether none must be fixed.
func (rep *report) judge(db database, w io.Writer) bool {
	fmt.Fprintf(w, "vulnerability database: %s (%d OSV entries in %s), dated %s (from %s)\n",
		rep.db, db.entries, db.dir, db.date.Format(time.DateOnly), db.dateBy)
	fmt.Fprintf(w, "scanner: %s, %s, %s level\n", rep.scanner, rep.goVersion, rep.level)
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
