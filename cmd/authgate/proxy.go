package main

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/authgate/authgate/proxy"
)

// proxyLogin is the user the proxy makes on its first run.
const proxyLogin = "admin"

// proxyFlags are the proxy's settings: the demo's, and where the app is.
type proxyFlags struct {
	demoFlags
	upstream string
	public   listFlag
	trusted  listFlag
	noScript bool
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (c *cli) proxy(ctx context.Context, args []string) error {
	fs, pf := c.newProxyFlags()
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	gcfg, mode, err := pf.check("proxy")
	if err != nil {
		return err
	}
	up, trusted, err := pf.checkProxy()
	if err != nil {
		return err
	}

	// Listen first: a busy port must fail before a first run makes a
	// user whose password it would then never show.
	ln, base, err := listen(pf.addr)
	if err != nil {
		return err
	}
	defer ln.Close() // serve closes it too; a second Close does nothing

	run, err := c.startGate(ctx, adminGate("proxy", pf.demoFlags, gcfg, trusted))
	if err != nil {
		return err
	}
	defer run.close()
	sv, g, log := run.serving, run.gate, run.serving.log
	p, err := proxy.New(proxy.Options{
		Gate: g, Users: sv.store, Upstream: up,
		Public: pf.public, TrustedProxies: trusted,
		ClientMode: mode, NoScript: pf.noScript, Logger: log,
		Transport: noteTransport{rt: proxy.NewTransport()},
	})
	if err != nil {
		return usageError("%w", err)
	}

	if err := c.printProxyWelcome(base, up, *pf, run.creds); err != nil {
		return err
	}
	srv := sv.newHTTPServer(sv.handler(g, p))
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true) // h2c, from a TLS-terminating proxy in front
	log.Info("authgate proxy: listening", "url", base, "upstream", up.String())
	return sv.serve(ctx, srv, ln)
}

// newProxyFlags returns the proxy's flags.
func (c *cli) newProxyFlags() (*flagSet, *proxyFlags) {
	fs := c.newFlags("proxy", "proxy --upstream URL [flags]\n\n"+
		"Runs a reverse proxy in front of the app at --upstream, in any language: every\n"+
		"request needs a session or an API key, unless its path starts with a --public\n"+
		"prefix. The app receives X-Authgate-User, X-Authgate-User-Id and\n"+
		"X-Authgate-Method, and never a copy a client sent. Users, keys and sessions are\n"+
		"kept in --db (or the Redis --store). On the first run it makes the user\n"+
		"\"admin\" and an API key; their password and secret are printed once when the\n"+
		"output is a terminal, or else written to a file only its owner can read.\n"+
		"Ctrl+C (SIGINT) or SIGTERM stops it gracefully.")
	pf := new(proxyFlags)
	pf.register(fs, "127.0.0.1:4180")
	pf.registerMode(fs)
	fs.StringVar(&pf.upstream, "upstream", "", "the app's base `URL` (http:// or https://); required")
	fs.Var(&pf.public, "public", "a path `prefix` that needs no sign-in, such as /static/ (repeatable)")
	fs.Var(&pf.trusted, "trusted-proxy", "a `CIDR` whose X-Forwarded-* headers are believed (repeatable; default none)")
	fs.BoolVar(&pf.noScript, "no-script", false, "do not insert the client script into the app's HTML pages")
	return fs, pf
}

// checkProxy validates the proxy's own flags.
func (pf *proxyFlags) checkProxy() (*url.URL, []netip.Prefix, error) {
	if pf.upstream == "" {
		return nil, nil, usageError("proxy: --upstream URL is required")
	}
	up, err := url.Parse(pf.upstream)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return nil, nil, usageError("proxy: --upstream is an http:// or https:// URL with a host")
	}
	if up.User != nil {
		return nil, nil, usageError("proxy: --upstream must not hold a user or password")
	}
	if up.RawQuery != "" || up.Fragment != "" {
		return nil, nil, usageError("proxy: --upstream must have no query or fragment")
	}
	for _, p := range pf.public {
		if !strings.HasPrefix(p, "/") {
			return nil, nil, usageError("proxy: --public %q does not start with /", p)
		}
	}
	trusted, err := parseTrusted("proxy", pf.trusted)
	return up, trusted, err
}

// parseTrusted parses the --trusted-proxy flags of the command called
// name: CIDRs or single addresses.
func parseTrusted(name string, list []string) ([]netip.Prefix, error) {
	var trusted []netip.Prefix
	for _, t := range list {
		pre, err := netip.ParsePrefix(t)
		if err != nil {
			a, aerr := netip.ParseAddr(t)
			if aerr != nil {
				return nil, usageError("%s: --trusted-proxy %q is not a CIDR or an address", name, t)
			}
			pre = netip.PrefixFrom(a, a.BitLen())
		}
		trusted = append(trusted, pre.Masked())
	}
	return trusted, nil
}

// printProxyWelcome says where the proxy listens and, on the first run, how
// to sign in: on the terminal, or else in a file only its owner can read,
// so that a password never lands in a service's log.
func (c *cli) printProxyWelcome(base string, up *url.URL, pf proxyFlags, cr demoCreds) error {
	fmt.Fprintf(c.stdout, "authgate proxy is running at %s in front of %s\n\n", base, up)
	return c.printFirstRun(base, pf.store, cr)
}

// printFirstRun says how to sign in on the first run: on the terminal, or
// else in a file only its owner can read, so that a password never lands
// in a service's log.
func (c *cli) printFirstRun(base string, sf storeFlags, cr demoCreds) error {
	w := c.stdout
	switch {
	case !cr.created:
		fmt.Fprintf(w, "Sign in as an existing user; '%s users add LOGIN' makes another.\n", c.self())
	case outputIsTerminal(w):
		fmt.Fprintf(w, "Made the user %q and an API key. Their password and secret are shown only now:\n\n", proxyLogin)
		printCredentials(w, base, proxyLogin, cr)
	default:
		dir := "."
		if sf.url == "" {
			dir = filepath.Dir(sf.db)
		}
		f, err := os.CreateTemp(dir, "authgate-first-run-*.txt") // mode 0600, a new name
		if err != nil {
			return fmt.Errorf("writing the first run's credentials: %w", err)
		}
		printCredentials(f, base, proxyLogin, cr)
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing the first run's credentials: %w", err)
		}
		abs, _ := filepath.Abs(f.Name())
		fmt.Fprintf(w, "Made the user %q and an API key. The output is not a terminal, so their\n"+
			"password and secret are in %s (readable only by its owner); delete it once read.\n\n", proxyLogin, abs)
	}
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
	return nil
}

// outputIsTerminal reports whether w is a terminal.
func outputIsTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
