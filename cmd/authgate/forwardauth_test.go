package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/authgate/authgate/proxy"
)

// TestForwardAuthCommand: the service answers a trusted proxy's check with
// the gate's answer, serves the login page to anyone, and refuses a check
// from an address that is not a --trusted-proxy.
func TestForwardAuthCommand(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantCheck int
	}{
		{"loopback trusted by default", nil, http.StatusSeeOther},
		{"another network trusted", []string{"--trusted-proxy", "192.0.2.0/24"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "gate.db")
			p := startServing(t, "forward-auth", append([]string{"--db", db}, tt.args...)...)
			if !strings.Contains(p.stdout.String(), "authgate forward-auth is running at") {
				t.Errorf("the welcome says:\n%s", p.stdout.String())
			}
			req, _ := http.NewRequestWithContext(t.Context(), "GET", strings.TrimSuffix(p.base, "/")+proxy.CheckPath, nil)
			req.Header.Set("X-Forwarded-Method", "GET")
			req.Header.Set("X-Forwarded-Uri", "/notes")
			req.Header.Set("Sec-Fetch-Mode", "navigate")
			resp := noRedirect(t, req)
			if resp.StatusCode != tt.wantCheck {
				t.Errorf("the check answered %d, want %d", resp.StatusCode, tt.wantCheck)
			}
			req, _ = http.NewRequestWithContext(t.Context(), "GET", p.base+"login", nil)
			if resp := noRedirect(t, req); resp.StatusCode != http.StatusOK {
				t.Errorf("the login page answered %d", resp.StatusCode)
			}
		})
	}
}

func noRedirect(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestForwardConfigCommand: each proxy's config names the upstream, the
// listen address and the gate; bad input prints nothing and exits 2.
func TestForwardConfigCommand(t *testing.T) {
	for _, name := range []string{"nginx", "caddy", "traefik", "envoy"} {
		r := runCLI(t, "", "forward-auth", "config", name, "--upstream", "http://127.0.0.1:8000", "--listen", "127.0.0.1:9090", "--addr", "127.0.0.1:4999")
		r.expect(t, exitOK, "127.0.0.1:8000", "9090", "127.0.0.1:4999", "/.authgate-forward/")
	}
	// --client-mode is the mode of the tag nginx inserts, and of the one the
	// other configs show for the app's pages.
	for name, want := range map[string]string{"nginx": `sub_filter '</head>' '<script src="/.authgate/client.js" data-mode="reload"></script></head>';`, "caddy": `# <script src="/.authgate/client.js" data-mode="reload"></script>`} {
		r := runCLI(t, "", "forward-auth", "config", name, "--upstream", "http://127.0.0.1:8000", "--client-mode", "reload")
		r.expect(t, exitOK, want)
	}
	bad := [][]string{
		{"apache", "--upstream", "http://127.0.0.1:8000"},
		{"nginx"},
		{"nginx", "--upstream", "ftp://x"},
		{"nginx", "--upstream", "http://127.0.0.1:8000/app"},
		{"nginx", "--upstream", "http://127.0.0.1:8000", "--listen", "8080"},
		{"nginx", "--upstream", "http://127.0.0.1:8000", "--addr", ":4181"},
		{"nginx", "--upstream", "http://127.0.0.1:8000", "--client-mode", "popup"},
	}
	for _, args := range bad {
		r := runCLI(t, "", append([]string{"forward-auth", "config"}, args...)...)
		r.expect(t, exitUsage)
		if r.stdout != "" {
			t.Errorf("%q printed %q", args, r.stdout)
		}
	}
}

// TestForwardAuthClientMode: the service writes no script tag, so it
// refuses --client-mode and says where the mode is set instead.
func TestForwardAuthClientMode(t *testing.T) {
	r := runCLI(t, "", "forward-auth", "--client-mode", "reload", "--db", filepath.Join(t.TempDir(), "gate.db"))
	r.expect(t, exitUsage, "--client-mode", "forward-auth config nginx --client-mode")
}

// TestReadmeForwardAuth checks the README's forward-auth section: its
// command lines parse and print, and every flag its synopsis names exists
// with the default it shows.
func TestReadmeForwardAuth(t *testing.T) {
	sec := readmeSection(t, "Behind nginx")
	c := newCLI(strings.NewReader(""), new(strings.Builder), new(strings.Builder))
	for _, m := range regexp.MustCompile("(?m)^authgate forward-auth (--.*)$").FindAllStringSubmatch(sec, -1) {
		fs, ff := c.newForwardFlags()
		if _, err := c.parse(fs, strings.Fields(m[1]), 0, 0); err != nil {
			t.Errorf("%q: %v", m[0], err)
		} else if _, _, err := ff.check("forward-auth"); err != nil {
			t.Errorf("%q: %v", m[0], err)
		}
	}
	cfgs := regexp.MustCompile("(?m)^authgate (forward-auth config [a-z]+ --upstream http[^>]*?)( >.*)?$").FindAllStringSubmatch(sec, -1)
	if len(cfgs) == 0 {
		t.Error("the section prints no config")
	}
	for _, m := range cfgs {
		runCLI(t, "", strings.Fields(m[1])...).expect(t, exitOK, "/.authgate-forward/")
	}
	_, synopsis, ok := strings.Cut(sec, "```\nauthgate forward-auth [")
	if !ok {
		t.Fatal("the section has no synopsis")
	}
	synopsis, _, _ = strings.Cut(synopsis, "```")
	serve, config, ok := strings.Cut(synopsis, "authgate forward-auth config ")
	if !ok {
		t.Fatal("the synopsis has no config line")
	}
	fs, _ := c.newForwardFlags()
	if n := checkSynopsis(t, serve, fs); n < 9 {
		t.Errorf("the synopsis names %d flags of forward-auth; want every flag", n)
	}
	cfs, _ := c.newForwardConfigFlags()
	if n := checkSynopsis(t, config, cfs); n != 4 {
		t.Errorf("the synopsis names %d flags of forward-auth config; want 4", n)
	}
}
