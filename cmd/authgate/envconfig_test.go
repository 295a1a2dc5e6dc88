package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// envCLI is a cli whose environment is env and nothing else.
func envCLI(env map[string]string) (*cli, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	c := newCLI(strings.NewReader(""), &out, &errb)
	c.hasher = testkit.Hasher
	c.lookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return c, &out, &errb
}

// Each setting comes from the command line, else its environment variable,
// else its default; lists are comma-separated.
func TestEnvPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		idle     time.Duration
		public   []string
		metrics  string
		logFmt   string
		fromEnvs int
	}{
		{"defaults", nil, nil, 30 * time.Minute, nil, "", "text", 0},
		{"environment", map[string]string{
			"AUTHGATE_IDLE_TIMEOUT": "5m", "AUTHGATE_PUBLIC": "/static/, /health",
			"AUTHGATE_METRICS_ADDR": "127.0.0.1:9090", "AUTHGATE_LOG_FORMAT": "json",
		}, nil, 5 * time.Minute, []string{"/static/", "/health"}, "127.0.0.1:9090", "json", 4},
		{"command line wins", map[string]string{"AUTHGATE_IDLE_TIMEOUT": "5m", "AUTHGATE_PUBLIC": "/static/"},
			[]string{"--idle-timeout", "1m", "--public", "/a", "--public", "/b"}, time.Minute, []string{"/a", "/b"}, "", "text", 0},
		{"unrelated variables ignored", map[string]string{"AUTHGATE_REQUIRE": "redis", "AUTHGATE_NOPE": "1"}, nil, 30 * time.Minute, nil, "", "text", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := envCLI(tt.env)
			fs, pf := c.newProxyFlags()
			if _, err := c.parse(fs, tt.args, 0, 0); err != nil {
				t.Fatal(err)
			}
			if pf.idle != tt.idle || strings.Join(pf.public, " ") != strings.Join(tt.public, " ") ||
				pf.serving.metricsAddr != tt.metrics || pf.serving.logFormat != tt.logFmt {
				t.Errorf("idle %v, public %q, metrics %q, log %q; want %v, %q, %q, %q",
					pf.idle, pf.public, pf.serving.metricsAddr, pf.serving.logFormat, tt.idle, tt.public, tt.metrics, tt.logFmt)
			}
			if len(c.fromEnv) != tt.fromEnvs {
				t.Errorf("%d settings from the environment, want %d: %v", len(c.fromEnv), tt.fromEnvs, c.fromEnv)
			}
		})
	}
}

// A bad value in the environment stops the command with exit code 2 and
// names the variable, before any store is opened.
func TestEnvErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never-made.db")
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"proxy"}, map[string]string{"AUTHGATE_IDLE_TIMEOUT": "soon"}, "$AUTHGATE_IDLE_TIMEOUT (--idle-timeout)"},
		{[]string{"proxy"}, map[string]string{"AUTHGATE_NO_SCRIPT": "maybe"}, "$AUTHGATE_NO_SCRIPT (--no-script)"},
		{[]string{"proxy"}, map[string]string{"AUTHGATE_UPSTREAM": "ftp://app"}, "(--upstream is $AUTHGATE_UPSTREAM)"},
		{[]string{"proxy", "--upstream", "http://app"}, map[string]string{"AUTHGATE_CLIENT_MODE": "popup"}, "(--client-mode is $AUTHGATE_CLIENT_MODE)"},
		{[]string{"proxy", "--upstream", "http://app"}, map[string]string{"AUTHGATE_LOG_FORMAT": "xml"}, "--log-format is text or json, not \"xml\" (--log-format is $AUTHGATE_LOG_FORMAT)"},
		{[]string{"proxy", "--upstream", "http://app"}, map[string]string{"AUTHGATE_ACCESS_LOG": "2"}, "--access-log is a share from 0 to 1 (--access-log is $AUTHGATE_ACCESS_LOG)"},
		{[]string{"proxy", "--upstream", "http://app"}, map[string]string{"AUTHGATE_METRICS_ADDR": "9090"}, "--metrics-addr is host:port"},
		{[]string{"demo"}, map[string]string{"AUTHGATE_SHUTDOWN_GRACE": "-1s"}, "--shutdown-grace must not be negative (--shutdown-grace is $AUTHGATE_SHUTDOWN_GRACE)"},
		{[]string{"users", "list"}, map[string]string{"AUTHGATE_DB": db}, "there is no database at " + db},
	}
	for _, tt := range tests {
		c, _, errb := envCLI(tt.env)
		args, want := tt.args, exitUsage
		if _, ok := tt.env["AUTHGATE_DB"]; ok {
			want = exitDatabase // the variable was read: the file it names is missing
		} else {
			args = append(args, "--db", db)
		}
		if code := c.main(t.Context(), args); code != want {
			t.Errorf("%v with %v: exit %d, want %d: %s", tt.args, tt.env, code, want, errb)
		}
		if !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v with %v: %q lacks %q", tt.args, tt.env, errb.String(), tt.want)
		}
	}
}

// The flags of one administrative action never come from the
// environment: a variable left there must not change what a command does.
func TestEnvLeavesActionFlags(t *testing.T) {
	c, _, _ := envCLI(map[string]string{"AUTHGATE_USER": "bob", "AUTHGATE_NAME": "x", "AUTHGATE_EXPIRES": "1h", "AUTHGATE_PASSWORD_STDIN": "true"})
	fs, _ := c.newStoreFlags("keys create", "keys create")
	user := fs.String("user", "", "")
	name := fs.String("name", "", "")
	exp := fs.Duration("expires", 0, "")
	stdin := fs.Bool("password-stdin", false, "")
	if _, err := c.parse(fs, nil, 0, 0); err != nil {
		t.Fatal(err)
	}
	if *user != "" || *name != "" || *exp != 0 || *stdin {
		t.Errorf("set from the environment: user %q, name %q, expires %v, password-stdin %v", *user, *name, *exp, *stdin)
	}
	help := strings.Join(strings.Fields(usageText), " ")
	for name := range actionFlags {
		if !strings.Contains(help, "--"+name+",") && !strings.Contains(help, "--"+name+" or") && !strings.Contains(help, "--"+name+")") {
			t.Errorf("the help does not say that --%s never comes from the environment", name)
		}
	}
}

// Every flag of every command either shows its environment variable in
// the help, or is an action flag.
func TestEnvInHelp(t *testing.T) {
	for _, cmd := range []string{"demo", "proxy", "users add", "users list", "users passwd", "users remove", "users identities", "users unlink",
		"keys create", "keys list", "keys revoke", "sessions list", "sessions revoke"} {
		r := runCLI(t, "", append(strings.Fields(cmd), "-h")...)
		if r.code != exitOK {
			t.Fatalf("%s -h: exit %d", cmd, r.code)
		}
		checked := 0
		for _, line := range strings.Split(r.stdout, "\n") {
			name, ok := strings.CutPrefix(strings.TrimSpace(line), "-")
			if !ok || strings.HasPrefix(line, "    ") {
				continue
			}
			name, _, _ = strings.Cut(name, " ")
			checked++
			if actionFlags[name] {
				if strings.Contains(r.stdout, "$"+envName(name)) {
					t.Errorf("%s -h offers $%s", cmd, envName(name))
				}
				continue
			}
			if !strings.Contains(r.stdout, "[$"+envName(name)+"]") {
				t.Errorf("%s -h: --%s without [$%s]", cmd, name, envName(name))
			}
		}
		if checked < 3 { // --db, --store and --redis-password-file at least
			t.Errorf("%s -h: only %d flags found:\n%s", cmd, checked, r.stdout)
		}
	}
}

func TestNamesFlag(t *testing.T) {
	tests := []struct {
		msg, name string
		want      bool
	}{
		{"--db is empty", "db", true},
		{"proxy: --upstream is required", "upstream", true},
		{"--redis-password-file needs --store", "store", true},
		{"--redis-password-file needs nothing", "redis", false},
		{"--idle-timeout must be", "idle", false},
		{"--lifetime must be at least --idle-timeout", "idle-timeout", true},
	}
	for _, tt := range tests {
		if got := namesFlag(tt.msg, tt.name); got != tt.want {
			t.Errorf("namesFlag(%q, %q) = %v", tt.msg, tt.name, got)
		}
	}
}
