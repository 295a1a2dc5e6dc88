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

// parseHint returns [valueHint] for the flag that err, an error of Parse,
// names, if any.
func (fs *flagSet) parseHint(err error) string {
	m := badFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	if f := fs.Lookup(m[1]); f != nil {
		return valueHint(f)
	}
	return ""
}
