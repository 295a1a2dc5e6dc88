// Command authgate runs the authgate demo app, a reverse proxy in front of
// an app in any language or the forward-auth service such a proxy asks, and administers the users, API keys and sessions
// of an authgate database.
//
// Usage:
//
//	authgate demo [flags]
//	authgate proxy --upstream URL [flags]
//	authgate forward-auth [flags]
//	authgate forward-auth config nginx|caddy|traefik|envoy --upstream URL [--listen ADDR]
//	authgate users add LOGIN [--name NAME] [--password-stdin]
//	authgate users list
//	authgate users passwd LOGIN [--password-stdin]
//	authgate users remove LOGIN
//	authgate users identities LOGIN
//	authgate users unlink LOGIN ISSUER SUBJECT
//	authgate keys create --user LOGIN --name NAME [--expires 720h]
//	authgate keys list [--user LOGIN]
//	authgate keys revoke ID
//	authgate sessions list --user LOGIN
//	authgate sessions revoke (--user LOGIN | ID)
//
// Every command works on the SQLite file that --db names (default
// authgate.db), or on the Redis that --store names (redis:// or rediss://),
// whose password is read from $AUTHGATE_REDIS_PASSWORD or from the file
// that --redis-password-file names rather than from the URL, or on the
// PostgreSQL database it names (postgres:// or postgresql://), whose
// password is read from $PGPASSWORD or the password file (~/.pgpass, or
// the one $PGPASSFILE names).
// Passwords are read from the terminal without echo, or from standard input
// with --password-stdin; never from a flag. Every other flag but --user,
// --name and --expires may come from an environment variable instead:
// --idle-timeout is $AUTHGATE_IDLE_TIMEOUT; the command line wins.
//
// The serving commands (demo, proxy) answer /.authgate/livez and
// /.authgate/readyz, write an access log, serve Prometheus metrics on
// --metrics-addr and shut down gracefully on SIGTERM; docs/OPERATIONS.md in
// the repository tells how to run them as a service.
//
// Exit codes:
//
//	0  success
//	1  failure at run time (the server failed, the port is in use, Redis is unreachable)
//	2  bad usage: unknown command, bad flag, argument or input
//	3  the database cannot be opened, created or used (locked, read-only, full, corrupt, not a database, newer schema)
//	4  duplicate: a user with that login already exists
//	5  not found: no such user, API key or session
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code. ctx ends the
// demo server and any wait for input.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return newCLI(stdin, stdout, stderr).main(ctx, args)
}
