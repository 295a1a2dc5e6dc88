package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/demo"
)

// demoLogin is the user the demo makes on its first run.
const demoLogin = "demo"

// demoFlags are the demo's settings.
type demoFlags struct {
	store    storeFlags
	addr     string
	idle     time.Duration
	lifetime time.Duration
	warn     time.Duration
	signal   string
	mode     string
	insecure bool
	maxUser  int
	serving  servingFlags
	oidc     oidcFlags
}

// newDemoFlags returns the demo's flags, parsed into the demoFlags.
func (c *cli) newDemoFlags() (*flagSet, *demoFlags) {
	fs := c.newFlags("demo", "demo [flags]\n\n"+
		"Runs the notes demo app behind the gate, on the SQLite file --db (or, for the\n"+
		"gate, the Redis --store; notes stay in --db). On the first run it makes the user\n"+
		"\"demo\" and an API key and prints their password and secret, once.\n"+
		"Ctrl+C (SIGINT) or SIGTERM stops it gracefully.")
	df := new(demoFlags)
	df.register(fs, "127.0.0.1:8080")
	df.registerMode(fs)
	fs.DurationVar(&df.warn, "warn-before", 2*time.Minute, "open the page's \"Are you still there?\" warning this long before the session ends;\nit never takes more than a quarter of --idle-timeout, so the page stays usable")
	return fs, df
}

func (c *cli) demo(ctx context.Context, args []string) error {
	fs, df := c.newDemoFlags()
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	gcfg, mode, err := df.check("demo")
	if err != nil {
		return err
	}

	// Listen first: a busy port must fail before a first run makes a
	// user whose password it would then never show.
	ln, base, err := listen(df.addr)
	if err != nil {
		return err
	}
	defer ln.Close() // serve closes it too; a second Close does nothing

	var notes *demo.SQLiteNotes
	openNotes := func(ctx context.Context) (io.Closer, error) {
		var err error
		if notes, err = demo.OpenSQLiteNotes(ctx, df.store.db); err != nil {
			return nil, withCode(exitDatabase, "opening the notes in %s: %w", df.store.db, err)
		}
		return notes, nil
	}
	run, err := c.startGate(ctx, gateStart{name: "demo", flags: *df, cfg: gcfg,
		login: demoLogin, userName: "Demo User", keyName: "demo curl", beside: openNotes})
	if err != nil {
		return err
	}
	defer run.close()
	sv, g, log := run.serving, run.gate, run.serving.log
	app := demo.New(g, notes, demo.Options{ClientMode: mode, WarnBefore: df.warn, Logger: log, Now: c.now, Inner: signedIn})

	c.printWelcome(base, *df, run.creds)
	srv := sv.newHTTPServer(sv.handler(g, app))
	log.Info("authgate demo: listening", "url", base)
	return sv.serve(ctx, srv, ln)
}

// register defines the flags of a command that serves the gate: the demo
// and the proxy.
func (df *demoFlags) register(fs *flagSet, addr string) {
	df.store.register(fs)
	fs.StringVar(&df.addr, "addr", addr, "listen on this `host:port` (port 0 picks a free one)")
	fs.DurationVar(&df.idle, "idle-timeout", 30*time.Minute, "end a session after this long without a request")
	fs.DurationVar(&df.lifetime, "lifetime", 12*time.Hour, "end a session this long after sign-in, whatever the activity")
	fs.StringVar(&df.signal, "signal", "401", "what a script call gets when it needs a login: 401, 418 or body:TEXT")
	fs.IntVar(&df.maxUser, "max-user-sessions", authgate.DefaultMaxUserSessions, "live sessions one user may have; a sign-in past it ends the oldest (-1: no cap)")
	fs.BoolVar(&df.insecure, "insecure-cookies", false, "drop Secure cookies on plain http (a private network, or Safari on localhost; development only)")
	df.serving.register(fs)
	df.oidc.register(fs)
}

// registerMode defines --client-mode, for the commands that write the
// page's script tag (the demo and the proxy; forward-auth's tag is in the
// proxy's config).
func (df *demoFlags) registerMode(fs *flagSet) {
	fs.StringVar(&df.mode, "client-mode", string(authgate.ClientDialog), "what the page's client script does on that signal: redirect, reload or dialog")
}

// check validates the flags of the command called name and turns them into
// the gate's settings.
func (df *demoFlags) check(name string) (authgate.Config, authgate.ClientMode, error) {
	var cfg authgate.Config
	if err := df.store.check(); err != nil {
		return cfg, "", err
	}
	if err := df.serving.check(name); err != nil {
		return cfg, "", err
	}
	sig, err := authgate.ParseSignal(df.signal)
	if err != nil {
		return cfg, "", usageError("%s: --signal: %s", name, strings.TrimPrefix(err.Error(), "authgate: "))
	}
	mode := authgate.ClientMode(df.mode)
	switch mode {
	case authgate.ClientRedirect, authgate.ClientReload, authgate.ClientDialog:
	default:
		return cfg, "", usageError("%s: --client-mode is redirect, reload or dialog, not %q", name, df.mode)
	}
	switch {
	case df.idle < time.Second:
		return cfg, "", usageError("%s: --idle-timeout must be at least 1s", name)
	case df.lifetime < df.idle:
		return cfg, "", usageError("%s: --lifetime must be at least --idle-timeout", name)
	case df.warn != 0 && df.warn < time.Second: // 0: the script's default (proxy has no such flag)
		return cfg, "", usageError("%s: --warn-before must be at least 1s", name)
	}
	cfg.IdleTimeout = df.idle
	cfg.Lifetime = df.lifetime
	cfg.MaxUserSessions = df.maxUser
	cfg.Signal = sig
	cfg.InsecureCookies = df.insecure
	cfg.NoPasswordSignIn = df.oidc.noPassword
	return cfg, mode, nil
}

// demoCreds is what the first run made, to print once.
type demoCreds struct {
	created  bool   // false: the user existed already
	password string // the demo user's password
	keyID    string
	secret   string
}

// firstRunCredentials makes the user login (display name name) and an API
// key called keyName when no such user exists: the first run of the demo or
// the proxy. Later runs leave the user as it is.
func (c *cli) firstRunCredentials(ctx context.Context, st store, login, name, keyName string) (demoCreds, error) {
	switch _, err := st.UserByLogin(ctx, login); {
	case err == nil:
		return demoCreds{}, nil
	case !errors.Is(err, authgate.ErrNotFound):
		return demoCreds{}, fmt.Errorf("looking up the user %q: %w", login, err)
	}
	pw := newPassword()
	u, err := c.createUser(ctx, st, login, name, pw)
	if exitCode(err) == exitDuplicate { // made meanwhile by another process
		return demoCreds{}, nil
	}
	if err != nil {
		return demoCreds{}, err
	}
	k, secret, err := c.createKey(ctx, st, u.ID, keyName, 0)
	if err != nil {
		return demoCreds{}, err
	}
	return demoCreds{created: true, password: pw, keyID: k.ID, secret: secret}, nil
}

// printCredentials writes what a first run made, in lines that scripts can
// read: Open, User, Password, API key and Secret.
func printCredentials(w io.Writer, base, login string, cr demoCreds) {
	fmt.Fprintf(w, "  Open:      %s\n", base)
	fmt.Fprintf(w, "  User:      %s\n", login)
	fmt.Fprintf(w, "  Password:  %s\n", cr.password)
	fmt.Fprintf(w, "  API key:   %s\n", cr.keyID)
	fmt.Fprintf(w, "  Secret:    %s\n\n", cr.secret)
}

// printWelcome tells the user where to go and how to sign in.
func (c *cli) printWelcome(base string, df demoFlags, cr demoCreds) {
	w := c.stdout
	dbFlag := ""
	switch {
	case df.store.url != "":
		dbFlag = " --store URL" // not repeated: it may hold a password
	case df.store.db != defaultDB:
		dbFlag = " --db " + shellQuote(df.store.db)
	}
	api := base + "api/notes"
	fmt.Fprintf(w, "authgate demo is running at %s\n\n", base)
	if cr.created {
		fmt.Fprintf(w, "Made the user %q and an API key. Their password and secret are shown only now:\n\n", demoLogin)
		printCredentials(w, base, demoLogin, cr)
		fmt.Fprintf(w, "  curl -u %s:%s %s\n", cr.keyID, cr.secret, api)
		fmt.Fprintf(w, "  curl -u %s:%s -H 'Content-Type: application/json' -d '{\"text\":\"hello from curl\"}' %s\n\n", cr.keyID, cr.secret, api)
	} else {
		fmt.Fprintf(w, "The user %q exists already; its password is not shown again.\n", demoLogin)
		fmt.Fprintf(w, "  Open:            %s\n", base)
		self := c.self()
		fmt.Fprintf(w, "  Reset password:  %s users passwd %s%s\n", self, demoLogin, dbFlag)
		fmt.Fprintf(w, "  New API key:     %s keys create --user %s --name curl%s\n", self, demoLogin, dbFlag)
		fmt.Fprintf(w, "  Then:            curl -u ID:SECRET %s\n\n", api)
	}
	fmt.Fprintf(w, "Sessions end after %v without a request, and %v after sign-in.\n", df.idle, df.lifetime)
	if host := hostOf(base); !df.insecure && (!isLoopback(host) || !isLoopback(hostOf("http://"+df.addr+"/"))) {
		fmt.Fprintf(w, "Note: browsers that reach this server over plain http by a name other than\n"+
			"localhost keep no Secure cookie; use https, or --insecure-cookies on a private network.\n")
	} else if !df.insecure {
		fmt.Fprintf(w, "Safari keeps no Secure cookie over plain http, even on localhost: add\n"+
			"--insecure-cookies to sign in with it here.\n")
	}
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
}

// baseURL is the URL to print for the address the server listens on.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost" // listening on every address; this one works here
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

func hostOf(base string) string {
	hp := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	if h, _, err := net.SplitHostPort(hp); err == nil {
		return h
	}
	return hp
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
