package main

import (
	"flag"
	"regexp"
	"time"
)

// valueHint returns what a value of flag f must look like where the flag
// package says only "parse error": for a duration, that it takes a unit.
func valueHint(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		if _, isDuration := g.Get().(time.Duration); isDuration {
			return " (a duration takes a unit, as in 90s, 30m or 12h)"
		}
	}
	return ""
}

// badFlag finds the flag's name in the flag package's "invalid value"
// error.
var badFlag = regexp.MustCompile(`^invalid value ".*" for flag -([a-z0-9-]+): `)

// unknownFlag finds the flag's name in the flag package's "not defined"
// error.
var unknownFlag = regexp.MustCompile(`^flag provided but not defined: -+([a-z0-9-]+)$`)

// movedFlags say, for a command and a flag it does not take, where that
// setting is made instead.
var movedFlags = map[string]string{
	"forward-auth client-mode": " (the service writes no script tag: the mode is the tag's, set by 'authgate forward-auth config nginx --client-mode MODE' in the tag nginx inserts, or by data-mode in the app's own tag)",
}

// parseHint returns [valueHint] for the flag that err, an error of Parse,
// names, if any, or where a flag the command does not take belongs.
func (fs *flagSet) parseHint(err error) string {
	if m := unknownFlag.FindStringSubmatch(err.Error()); m != nil {
		return movedFlags[fs.name+" "+m[1]]
	}
	m := badFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	if f := fs.Lookup(m[1]); f != nil {
		return valueHint(f)
	}
	return ""
}
