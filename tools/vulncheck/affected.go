package main

import (
	"fmt"
	"strings"

	"golang.org/x/mod/semver"
)

// osvRange is one range of an OSV entry's affected versions: events in
// order, each "introduced" or "fixed" at a version without the leading v.
type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

// fixFor reports whether version (with its leading v) falls in one of
// ranges, and if so the version that fixes it there, or "" when none does.
func fixFor(ranges []osvRange, version string) (affected bool, fixed string) {
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		in := false
		for _, e := range r.Events {
			switch {
			case e.Introduced != "":
				if e.Introduced == "0" || semver.Compare(version, "v"+e.Introduced) >= 0 {
					in = true
				}
			case e.Fixed != "":
				if in && semver.Compare(version, "v"+e.Fixed) < 0 {
					return true, "v" + e.Fixed
				}
				in = false
			}
		}
		if in {
			return true, ""
		}
	}
	return false, ""
}

// goSemver turns a Go release name (go1.26.8, go1.27rc1, go1.26) into the
// semantic version that the vulnerability database uses for stdlib.
func goSemver(release string) (string, error) {
	v, ok := strings.CutPrefix(release, "go")
	if !ok {
		return "", fmt.Errorf("%q is not a Go release", release)
	}
	pre := ""
	for _, tag := range []string{"rc", "beta"} {
		if num, suffix, ok := strings.Cut(v, tag); ok {
			v, pre = num, "-"+tag+"."+suffix
			break
		}
	}
	if strings.Count(v, ".") == 1 {
		v += ".0"
	}
	v = "v" + v + pre
	if !semver.IsValid(v) {
		return "", fmt.Errorf("%q is not a Go release", release)
	}
	return v, nil
}
