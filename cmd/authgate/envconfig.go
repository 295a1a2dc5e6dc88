package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// Every flag that describes a deployment may also be set by an environment
// variable: AUTHGATE_ and the flag's name in capitals with "_" for "-"
// (--idle-timeout is $AUTHGATE_IDLE_TIMEOUT). A flag on the command line
// wins over the environment, which wins over the default. A flag given
// more than once (--public) takes a comma-separated list. An environment
// file (systemd's EnvironmentFile=, docker's --env-file, a Kubernetes
// ConfigMap) is then the configuration file.
//
// The flags of one administrative action (who, what name, how long) are
// the exception: they come from the command line only, so that a variable
// left in the environment never changes what "authgate keys list" lists.
const envPrefix = "AUTHGATE_"

// actionFlags are the flags that the environment never sets.
var actionFlags = map[string]bool{
	"name":           true, // users add --name, keys create --name
	"user":           true, // keys create --user, keys list --user, sessions --user
	"expires":        true, // keys create --expires
	"password-stdin": true, // users add, users passwd
}

// envName is the environment variable of the flag called name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// envLister is a flag that takes a comma-separated list from the
// environment.
type envLister interface {
	setList(v string) error
}

func (l *listFlag) setList(v string) error {
	*l = nil
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// applyEnv sets each flag of fs that the command line left unset from its
// environment variable, and remembers which it set for [cli.explain].
func (c *cli) applyEnv(fs *flagSet) error {
	onLine := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { onLine[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || onLine[f.Name] || actionFlags[f.Name] {
			return
		}
		env := envName(f.Name)
		v, ok := c.lookupEnv(env)
		if !ok {
			return
		}
		var serr error
		if l, isList := f.Value.(envLister); isList {
			serr = l.setList(v)
		} else {
			serr = fs.Set(f.Name, v)
		}
		if serr != nil {
			// Only flags that parse a value (numbers, durations, booleans)
			// can fail, so the value is no secret and may be shown.
			err = usageError("%s: $%s (--%s): invalid value %q: %v%s", fs.name, env, f.Name, v, serr, valueHint(f))
			return
		}
		if c.fromEnv == nil {
			c.fromEnv = make(map[string]string)
		}
		c.fromEnv[f.Name] = env
	})
	return err
}

// explain adds to a usage error's message where each flag it names got its
// value, when that was the environment: a service's command line does not
// show it.
func (c *cli) explain(msg string) string {
	var from []string
	for name, env := range c.fromEnv {
		if namesFlag(msg, name) {
			from = append(from, fmt.Sprintf("--%s is $%s", name, env))
		}
	}
	if len(from) == 0 {
		return msg
	}
	slices.Sort(from)
	return msg + " (" + strings.Join(from, ", ") + ")"
}

// namesFlag reports whether msg mentions --name as a whole word.
func namesFlag(msg, name string) bool {
	word := "--" + name
	for i := 0; ; {
		j := strings.Index(msg[i:], word)
		if j < 0 {
			return false
		}
		end := i + j + len(word)
		if end == len(msg) || !isFlagChar(msg[end]) {
			return true
		}
		i = end
	}
}

func isFlagChar(b byte) bool { return b == '-' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

// envUsage marks each flag's help with its environment variable.
func envUsage(fs *flagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		mark := " [$" + envName(f.Name) + "]"
		if actionFlags[f.Name] || strings.HasSuffix(f.Usage, mark) {
			return
		}
		f.Usage += mark
	})
}
