package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
)

// gateStart is what a command that serves the gate (demo, proxy,
// forward-auth) gives [cli.startGate].
type gateStart struct {
	name  string          // the command, in messages and logs
	flags demoFlags       // its store and serving flags
	cfg   authgate.Config // the gate's settings, from [demoFlags.check]
	// trusted are the proxies whose X-Forwarded-For the gate believes;
	// when empty, the gate sees the peer's address.
	trusted []netip.Prefix
	// login, userName and keyName are the user and the API key the first
	// run makes (see [cli.firstRunCredentials]).
	login, userName, keyName string
	// beside, when set, opens what the command keeps beside the store: it
	// runs once the store is open and before the first run's credentials
	// are made, and what it returns is closed by [gateRun.close].
	beside func(context.Context) (io.Closer, error)
}

// gateRun is a serving command's gate, ready for the command's own
// handler: the open store, the serving around it and the gate.
type gateRun struct {
	serving *serving
	gate    *authgate.Gate
	creds   demoCreds   // what the first run made, to print once
	closers []io.Closer // the store and what gateStart.beside opened
}

// startGate opens the store gs names, makes the first run's credentials,
// prepares the serving and makes the gate. The caller closes the run with
// [gateRun.close]; on an error nothing is left open.
func (c *cli) startGate(ctx context.Context, gs gateStart) (_ *gateRun, err error) {
	providers, err := c.oidcProviders(gs.name, gs.flags.oidc)
	if err != nil {
		return nil, err
	}
	st, err := c.openStore(ctx, gs.flags.store, true)
	if err != nil {
		return nil, err
	}
	run := &gateRun{closers: []io.Closer{st}}
	defer func() {
		if err != nil {
			run.close()
		}
	}()
	if gs.beside != nil {
		cl, berr := gs.beside(ctx)
		if berr != nil {
			return nil, berr
		}
		run.closers = append(run.closers, cl)
	}
	if run.creds, err = c.firstRunCredentials(ctx, st, gs.login, gs.userName, gs.keyName); err != nil {
		return nil, err
	}
	if run.serving, err = c.newServing(gs.name, gs.flags.serving, st); err != nil {
		return nil, err
	}
	warnOIDCOrigin(run.serving.log, gs.name, gs.flags, len(providers))
	cfg := gs.cfg
	cfg.Store = run.serving.store
	cfg.Hasher = c.hasher
	cfg.Logger = run.serving.log
	cfg.Now = c.now
	cfg.Providers = providers
	if len(gs.trusted) > 0 {
		cfg.ClientAddr = proxy.ClientAddr(gs.trusted)
	}
	if run.gate, err = authgate.New(cfg); err != nil {
		return nil, usageError("%w", err)
	}
	return run, nil
}

// close closes what the run opened, the last opened first.
func (r *gateRun) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i].Close()
	}
}

// listen listens on addr, a host:port, and returns the listener and the URL
// to print for it.
func listen(addr string) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, baseURL(ln.Addr()), nil
}

// adminGate is the start of the proxy and forward-auth commands (name),
// whose first run makes the user [proxyLogin] and its first API key.
func adminGate(name string, df demoFlags, cfg authgate.Config, trusted []netip.Prefix) gateStart {
	return gateStart{name: name, flags: df, cfg: cfg, trusted: trusted,
		login: proxyLogin, userName: "Administrator", keyName: "first key"}
}

// warnOIDCOrigin warns, once at start, that the providers' redirect URI
// follows each request's Host header when --oidc-origin is not set and the
// command listens beyond loopback, where clients choose that header.
func warnOIDCOrigin(log *slog.Logger, name string, df demoFlags, providers int) {
	if providers == 0 || df.oidc.origin != "" || isLoopback(hostOf("http://"+df.addr+"/")) {
		return
	}
	log.Warn("authgate "+name+": --oidc-origin is not set, so the redirect URI sent to the identity provider follows each request's Host header; set --oidc-origin to the origin registered at the provider",
		slog.String("addr", df.addr))
}
