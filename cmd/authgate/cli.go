package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// cli is one run of the command: its streams and the few things tests swap.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// hasher hashes new passwords and, in the demo, verifies sign-ins.
	// Always authgate.Argon2id{} (OWASP's parameters) from the command
	// line; tests set a cheap one.
	hasher authgate.PasswordHasher
	// now is the clock for new records and the demo's gate.
	now func() time.Time
	// self returns the shell words that run this command again, for the
	// command lines the demo prints.
	self func() string
	// lookupEnv reads the environment: os.LookupEnv; tests swap it.
	lookupEnv func(string) (string, bool)
	// fromEnv maps the flags that the environment set to their variables.
	fromEnv map[string]string
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	return &cli{stdin: stdin, stdout: stdout, stderr: stderr, hasher: authgate.Argon2id{}, now: time.Now, self: selfCommand, lookupEnv: os.LookupEnv}
}

const usageText = `authgate: login sessions that fail loudly and kindly.

Usage:
  authgate demo [flags]                       run the notes demo app
  authgate proxy --upstream URL [flags]       put the gate in front of an app in any language
  authgate forward-auth [flags]               the service nginx, Caddy, Traefik or Envoy asks per request
  authgate forward-auth config nginx|caddy|traefik|envoy --upstream URL [--listen ADDR]
  authgate users add LOGIN [--name NAME] [--password-stdin]
  authgate users list
  authgate users passwd LOGIN [--password-stdin]
  authgate users remove LOGIN                 (revokes its sessions and keys first)
  authgate users identities LOGIN             its accounts at identity providers
  authgate users unlink LOGIN ISSUER SUBJECT  unlinks one of them
  authgate keys create --user LOGIN --name NAME [--expires 720h]
  authgate keys list [--user LOGIN]
  authgate keys revoke ID
  authgate sessions list --user LOGIN
  authgate sessions revoke (--user LOGIN | ID)

Every command takes --db PATH, the SQLite file (default authgate.db), or
--store URL, a Redis (redis://host:6379/0 or rediss://...) or a PostgreSQL
(postgres://user@host/db) to use instead, with a Redis password in
$AUTHGATE_REDIS_PASSWORD or --redis-password-file FILE, a PostgreSQL one in
$PGPASSWORD or the password file $PGPASSFILE names (~/.pgpass).
Passwords are read from the terminal, or from standard input with
--password-stdin; never from a flag. Settings may come from the environment
instead: --idle-timeout is $AUTHGATE_IDLE_TIMEOUT, and the command line wins
(not --user, --name, --expires or --password-stdin). Run 'authgate COMMAND -h'
for details.

`

// command returns the subcommand called name: the first word of the
// command line, or the first two.
func (c *cli) command(name string) (func(context.Context, []string) error, bool) {
	switch name {
	case "demo":
		return c.demo, true
	case "proxy":
		return c.proxy, true
	case "forward-auth":
		return c.forwardAuth, true
	case "users add":
		return c.usersAdd, true
	case "users list":
		return c.usersList, true
	case "users passwd":
		return c.usersPasswd, true
	case "users remove":
		return c.usersRemove, true
	case "users identities":
		return c.usersIdentities, true
	case "users unlink":
		return c.usersUnlink, true
	case "keys create":
		return c.keysCreate, true
	case "keys list":
		return c.keysList, true
	case "keys revoke":
		return c.keysRevoke, true
	case "sessions list":
		return c.sessionsList, true
	case "sessions revoke":
		return c.sessionsRevoke, true
	}
	return nil, false
}

// subcommands lists the second words a group takes, or "" for a name that
// is not a group.
func subcommands(group string) string {
	switch group {
	case "users":
		return "add, list, passwd, remove, identities or unlink"
	case "keys":
		return "create, list or revoke"
	case "sessions":
		return "list or revoke"
	}
	return ""
}

// main dispatches args and returns the exit code.
func (c *cli) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageText+exitCodesHelp())
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.stdout, usageText+exitCodesHelp())
		return exitOK
	}
	name, rest := args[0], args[1:]
	if sub := subcommands(name); sub != "" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return c.fail(usageError("%s needs a subcommand: %s", name, sub))
		}
		name, rest = name+" "+rest[0], rest[1:]
	}
	cmd, ok := c.command(name)
	if !ok {
		return c.fail(usageError("unknown command %q; run 'authgate help'", name))
	}
	err := cmd(ctx, rest)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return c.fail(err)
}

// fail prints err as one line and returns its exit code.
func (c *cli) fail(err error) int {
	code := exitCode(err)
	if err != nil {
		msg := oneLine(err)
		if code == exitUsage {
			msg = c.explain(strings.TrimSuffix(msg, "\n")) + "\n"
		}
		fmt.Fprint(c.stderr, msg)
	}
	return code
}

// flagSet is a subcommand's flags with its usage text.
type flagSet struct {
	*flag.FlagSet
	name  string // "users add"
	usage string // the synopsis and what the command does
}

func (c *cli) newFlags(name, usage string) *flagSet {
	fs := flag.NewFlagSet("authgate "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flagSet{FlagSet: fs, name: name, usage: usage}
}

// parse parses args, in which flags and positional arguments may mix
// ("users add bob --name Bob"); "--" ends the flags. It returns the
// positional arguments. On -h it prints the usage to stdout and returns
// flag.ErrHelp.
func (c *cli) parse(fs *flagSet, args []string, minPos, maxPos int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage(fs, c.stdout)
				return nil, flag.ErrHelp
			}
			return nil, usageError("%s: %v%s; run 'authgate %s -h'", fs.name, err, fs.parseHint(err), fs.name)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if err := c.applyEnv(fs); err != nil {
		return nil, err
	}
	switch {
	case len(pos) < minPos:
		return nil, usageError("%s: missing argument; run 'authgate %s -h'", fs.name, fs.name)
	case len(pos) > maxPos:
		return nil, usageError("%s: unexpected argument %q; run 'authgate %s -h'", fs.name, pos[maxPos], fs.name)
	}
	return pos, nil
}

func (c *cli) printUsage(fs *flagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: authgate %s\n\nFlags (a flag on the command line wins over its environment variable, in brackets):\n", fs.usage)
	envUsage(fs)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	fmt.Fprint(w, "\n"+exitCodesHelp())
}
