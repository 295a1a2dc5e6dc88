package oidctest

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// startTimeout bounds how long the provider may take to print its issuer.
const startTimeout = 30 * time.Second

// The redirect URI patterns [Start] registers when [Options.RedirectURIs]
// is empty: any path on any port of 127.0.0.1 or of localhost.
const (
	AnyLoopbackPort  = "http://127.0.0.1:*/**"
	AnyLocalhostPort = "http://localhost:*/**"
)

// Options configures the provider [Start] runs.
type Options struct {
	// RedirectURIs are the redirect URIs both clients accept; glob patterns
	// (path.Match-like, ** for any path) are allowed. Empty means
	// [AnyLoopbackPort] and [AnyLocalhostPort].
	RedirectURIs []string
	// IDTokenLifetime is how long the ID tokens are valid; zero means the
	// provider's default, two minutes.
	IDTokenLifetime time.Duration
	// SessionLifetime is how long a browser stays signed in at the
	// provider; zero means its default, an hour.
	SessionLifetime time.Duration
}

// Provider is a running tools/oidcprovider.
type Provider struct {
	// Issuer is the provider's issuer URL, http://127.0.0.1:PORT; it stays
	// the same across [Provider.Restart].
	Issuer string
	// Client is the client to configure authgate with.
	Client Client
	// Other is a second client; its codes and tokens are not for authgate.
	Other Client

	t    testing.TB
	bin  string
	args []string

	mu   sync.Mutex
	proc *process
}

// process is one run of the program.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	log    *testkit.Buffer
	exited chan struct{}
}

// Start builds (once per test binary) and runs the provider for t, with new
// client secrets, and stops it when t ends. It fails t if the build or the
// start fails.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	redirects := opts.RedirectURIs
	if len(redirects) == 0 {
		redirects = []string{AnyLoopbackPort, AnyLocalhostPort}
	}
	var args []string
	for _, r := range redirects {
		args = append(args, "-redirect", r)
	}
	if opts.IDTokenLifetime > 0 {
		args = append(args, "-id-token-lifetime", opts.IDTokenLifetime.String())
	}
	if opts.SessionLifetime > 0 {
		args = append(args, "-session-lifetime", opts.SessionLifetime.String())
	}
	p := &Provider{
		Client: Client{ID: "authgate", Secret: newSecret()},
		Other:  Client{ID: "other", Secret: newSecret()},
		t:      t,
		bin:    bin,
		args:   append(args, "-exit-with-stdin"),
	}
	t.Cleanup(p.Stop)
	issuer, err := p.launch("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.Issuer = issuer
	return p
}

func newSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// launch runs the program listening on addr and returns the issuer it
// printed.
func (p *Provider) launch(addr string) (string, error) {
	cmd := exec.Command(p.bin, append([]string{"-addr", addr}, p.args...)...)
	// The secrets go by the environment, never on the command line.
	cmd.Env = append(os.Environ(),
		"OIDCPROVIDER_SECRET_AUTHGATE="+p.Client.Secret,
		"OIDCPROVIDER_SECRET_OTHER="+p.Other.Secret)
	log := &testkit.Buffer{}
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("oidctest: starting the provider: %w", err)
	}
	proc := &process{cmd: cmd, stdin: stdin, log: log, exited: make(chan struct{})}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, stdout)
		cmd.Wait()
		close(proc.exited)
	}()
	p.mu.Lock()
	p.proc = proc
	p.mu.Unlock()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case issuer := <-line:
		if u, err := url.Parse(issuer); err != nil || u.Scheme != "http" || u.Host == "" {
			p.Stop()
			return "", fmt.Errorf("oidctest: the provider's first line %q is not an issuer URL; its log:\n%s", issuer, log)
		}
		return issuer, nil
	case <-timer.C:
		p.Stop()
		return "", fmt.Errorf("oidctest: the provider printed no issuer within %v; its log:\n%s", startTimeout, log)
	}
}

// Stop stops the provider (SIGTERM, then SIGKILL after 5 seconds) and waits
// for it to exit; from then on it refuses connections. Stopping a stopped
// provider does nothing.
func (p *Provider) Stop() {
	p.mu.Lock()
	proc := p.proc
	p.proc = nil
	p.mu.Unlock()
	if proc == nil {
		return
	}
	proc.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-proc.exited:
	case <-time.After(5 * time.Second):
		proc.cmd.Process.Kill()
		<-proc.exited
	}
	proc.stdin.Close()
	if p.t.Failed() {
		p.t.Logf("oidctest: the provider's log:\n%s", proc.log)
	}
}

// Restart stops the provider if it runs and starts it again at the same
// issuer. Its signing key, its pending requests and its browser sessions
// are new: nothing survives a restart.
func (p *Provider) Restart() {
	p.t.Helper()
	p.Stop()
	u, err := url.Parse(p.Issuer)
	if err != nil {
		p.t.Fatal(err)
	}
	issuer, err := p.launch(u.Host)
	if err != nil {
		p.t.Fatal(err)
	}
	if issuer != p.Issuer {
		p.t.Fatalf("oidctest: the provider came back as %s, not %s", issuer, p.Issuer)
	}
}

// LogoutURL is the page that ends a browser's session at the provider, so
// that the next sign-in shows the form.
func (p *Provider) LogoutURL() string { return p.Issuer + "/logout" }
