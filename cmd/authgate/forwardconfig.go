package main

import (
	"io"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
)

// newForwardConfigFlags returns the flags of "forward-auth config".
func (c *cli) newForwardConfigFlags() (*flagSet, *proxy.ForwardConfig) {
	fs := c.newFlags("forward-auth config", "forward-auth config nginx|caddy|traefik|envoy --upstream URL [flags]\n\n"+
		"Prints a commented config for the proxy: it listens on --listen, asks the\n"+
		"forward-auth service at --addr before every request, and passes allowed ones\n"+
		"to the app at --upstream with X-Authgate-User, X-Authgate-User-Id and\n"+
		"X-Authgate-Method. For nginx a server block, for Caddy a Caddyfile site, for\n"+
		"Traefik the file provider's dynamic configuration, for Envoy a bootstrap file.\n"+
		"The nginx config inserts the client script's tag into HTML pages; behind the\n"+
		"others the app's pages include it (the tag is in the config's comments).")
	cf := new(proxy.ForwardConfig)
	fs.StringVar(&cf.Upstream, "upstream", "", "the app's base `URL` (http:// or https://, no path); required")
	fs.StringVar(&cf.Listen, "listen", ":8080", "the `host:port` the proxy listens on")
	fs.StringVar(&cf.Gate, "addr", defaultForwardAddr, "the `host:port` of authgate forward-auth")
	fs.StringVar((*string)(&cf.ClientMode), "client-mode", string(authgate.ClientDialog), "the data-mode of the client script's tag: redirect, reload or dialog\n(nginx inserts the tag into HTML pages; for the others it is in the comments)")
	return fs, cf
}

// forwardConfig prints the config of the proxy named in args.
func (c *cli) forwardConfig(args []string) error {
	fs, cf := c.newForwardConfigFlags()
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if cf.Upstream == "" {
		return usageError("forward-auth config: --upstream URL is required")
	}
	// Write to memory first: a bad flag prints nothing.
	var b strings.Builder
	if err := proxy.WriteForwardConfig(&b, pos[0], *cf); err != nil {
		return usageError("forward-auth config: %w", err)
	}
	_, err = io.WriteString(c.stdout, b.String())
	return err
}
