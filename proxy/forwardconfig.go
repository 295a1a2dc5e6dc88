package proxy

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"text/template"

	"github.com/authgate/authgate"
)

// forwardConfigs holds the config templates, one per proxy.
//
//go:embed forwardconfig
var forwardConfigs embed.FS

// forwardProxies maps the name of each proxy [WriteForwardConfig] writes a
// config for to its template.
var forwardProxies = map[string]string{
	"nginx":   "forwardconfig/nginx.conf",
	"caddy":   "forwardconfig/Caddyfile",
	"traefik": "forwardconfig/traefik.yml",
	"envoy":   "forwardconfig/envoy.yaml",
}

// ForwardConfig is what a reverse proxy's config for a [ForwardAuth] needs.
type ForwardConfig struct {
	// Upstream is the app's base URL: http or https, with no path.
	Upstream string
	// Listen is the proxy's "host:port" or ":port".
	Listen string
	// Gate is the "host:port" of the ForwardAuth service.
	Gate string
	// ClientMode is the data-mode of the client script's tag, which the
	// nginx config inserts into every HTML page and the others show in
	// their comments. Default [authgate.ClientDialog].
	ClientMode authgate.ClientMode
}

// forwardConfigData is what the templates fill in.
type forwardConfigData struct {
	Upstream, UpstreamHost, UpstreamPort string
	UpstreamScheme, UpstreamServer       string // http or https; host:port
	UpstreamSNI                          bool   // https to a name, not an IP address (RFC 6066)
	Listen, Host, Port                   string
	Gate, GateHost, GatePort             string
	// Tag is the client script's tag for the pages.
	Tag string
	// Spoofable lists the identity headers' names with every mix of "-"
	// and "_" between their words, for proxies that remove headers only by
	// exact name.
	Spoofable []string
}

// WriteForwardConfig writes a commented config for the proxy called name
// ("nginx", "caddy", "traefik" or "envoy"): it listens on c.Listen, asks
// the ForwardAuth at c.Gate before every request, and passes the allowed
// ones to c.Upstream with the identity headers. For nginx it is a server
// block for the http block; for Caddy a site block of a Caddyfile; for
// Traefik the dynamic configuration of its file provider; for Envoy a whole
// bootstrap file.
func WriteForwardConfig(w io.Writer, name string, c ForwardConfig) error {
	file, ok := forwardProxies[name]
	if !ok {
		return fmt.Errorf("proxy: the proxy is nginx, caddy, traefik or envoy, not %q", name)
	}
	d, err := c.data()
	if err != nil {
		return err
	}
	t, err := template.ParseFS(forwardConfigs, file)
	if err != nil {
		return err
	}
	return t.Execute(w, d)
}

// data checks c and splits its addresses for the templates.
func (c ForwardConfig) data() (forwardConfigData, error) {
	var d forwardConfigData
	up, err := url.Parse(c.Upstream)
	if err != nil {
		return d, errors.New("proxy: the upstream is not a URL")
	}
	if err := checkUpstream(up); err != nil {
		return d, err
	}
	if up.Path != "" && up.Path != "/" {
		return d, fmt.Errorf("proxy: upstream %q must have no path", up.Redacted())
	}
	d.Upstream = up.Scheme + "://" + up.Host
	d.UpstreamHost, d.UpstreamPort = up.Hostname(), up.Port()
	if d.UpstreamPort == "" {
		d.UpstreamPort = map[string]string{"http": "80", "https": "443"}[up.Scheme]
	}
	d.UpstreamScheme, d.UpstreamServer = up.Scheme, net.JoinHostPort(d.UpstreamHost, d.UpstreamPort)
	_, ipErr := netip.ParseAddr(d.UpstreamHost)
	d.UpstreamSNI = up.Scheme == "https" && ipErr != nil
	d.Listen = c.Listen
	if d.Host, d.Port, err = net.SplitHostPort(c.Listen); err != nil || d.Port == "" {
		return d, fmt.Errorf("proxy: the listen address is host:port or :port, not %q", c.Listen)
	}
	d.Gate = c.Gate
	if d.GateHost, d.GatePort, err = net.SplitHostPort(c.Gate); err != nil || d.GateHost == "" || d.GatePort == "" {
		return d, fmt.Errorf("proxy: the gate's address is host:port, not %q", c.Gate)
	}
	if c.ClientMode, err = clientMode(c.ClientMode); err != nil {
		return d, err
	}
	d.Tag = `<script src="/.authgate/client.js" data-mode="` + string(c.ClientMode) + `"></script>`
	for _, name := range []string{HeaderUser, HeaderUserID, HeaderMethod} {
		d.Spoofable = append(d.Spoofable, separatorMixes(name)...)
	}
	return d, nil
}

// separatorMixes returns name with each "-" kept or turned into "_", in
// every combination, name itself first.
func separatorMixes(name string) []string {
	words := strings.Split(name, "-")
	out := []string{words[0]}
	for _, word := range words[1:] {
		next := make([]string, 0, 2*len(out))
		for _, sep := range []string{"-", "_"} {
			for _, o := range out {
				next = append(next, o+sep+word)
			}
		}
		out = next
	}
	return out
}
