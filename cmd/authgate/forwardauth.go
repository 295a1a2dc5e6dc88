package main

import (
	"context"
	"fmt"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
)

// forwardFlags are the forward-auth service's settings: the demo's, and
// which proxies may ask it.
type forwardFlags struct {
	demoFlags
	trusted listFlag
}

// forwardAuth runs "authgate forward-auth", or "authgate forward-auth
// config PROXY" when args start with "config".
func (c *cli) forwardAuth(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "config" {
		return c.forwardConfig(args[1:])
	}
	fs, ff := c.newForwardFlags()
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	gcfg, _, err := ff.check("forward-auth")
	if err != nil {
		return err
	}
	trusted, err := parseTrusted("forward-auth", ff.trusted)
	if err != nil {
		return err
	}
	if len(trusted) == 0 {
		trusted = proxy.Loopback
	}

	// Listen first: a busy port must fail before a first run makes a
	// user whose password it would then never show.
	ln, base, err := listen(ff.addr)
	if err != nil {
		return err
	}
	defer ln.Close() // serve closes it too; a second Close does nothing

	run, err := c.startGate(ctx, adminGate("forward-auth", ff.demoFlags, gcfg, trusted))
	if err != nil {
		return err
	}
	defer run.close()
	sv, g, log := run.serving, run.gate, run.serving.log
	fa, err := proxy.NewForwardAuth(proxy.ForwardAuthOptions{Gate: g, Users: sv.store, TrustedProxies: trusted, Logger: log})
	if err != nil {
		return usageError("%w", err)
	}

	fmt.Fprintf(c.stdout, "authgate forward-auth is running at %s; 'authgate forward-auth config nginx|caddy|traefik|envoy' prints a proxy's config\n\n", base)
	if err := c.printFirstRun(base, ff.store, run.creds); err != nil {
		return err
	}
	log.Info("authgate forward-auth: listening", "url", base)
	return sv.serve(ctx, sv.newHTTPServer(sv.handler(g, fa)), ln)
}

// newForwardFlags returns the forward-auth service's flags.
func (c *cli) newForwardFlags() (*flagSet, *forwardFlags) {
	fs := c.newFlags("forward-auth", "forward-auth [flags]\n"+
		"       authgate forward-auth config nginx|caddy|traefik|envoy --upstream URL [flags]\n\n"+
		"Runs the service that a reverse proxy (nginx, Caddy, Traefik, Envoy) asks before\n"+
		"every request to the app: it serves the login page, logout and /.authgate/, and\n"+
		"the check endpoints under /.authgate-forward/, which answer only --trusted-proxy\n"+
		"addresses. Allowed requests get 200 with X-Authgate-User, X-Authgate-User-Id and\n"+
		"X-Authgate-Method; every other gets the gate's own answer. 'forward-auth config'\n"+
		"prints a commented config for the proxy. Users, keys and sessions are kept in\n"+
		"--db (or the Redis --store); the first run makes the user \"admin\" and an API\n"+
		"key, as the proxy command does. Ctrl+C (SIGINT) or SIGTERM stops it gracefully.")
	ff := new(forwardFlags)
	ff.register(fs, defaultForwardAddr)
	ff.mode = string(authgate.ClientDialog) // the tag's mode is the config's --client-mode
	fs.Var(&ff.trusted, "trusted-proxy", "a `CIDR` that may ask the checks and whose X-Forwarded-* headers are believed (repeatable; default loopback)")
	return fs, ff
}

// defaultForwardAddr is where the forward-auth service listens by default.
const defaultForwardAddr = "127.0.0.1:4181"
