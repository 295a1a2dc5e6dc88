package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
)

// TestForwardAuthTooMany: the gate's 429 reaches curl as 429, with
// Retry-After, through nginx and Caddy with the printed configs: for a
// sign-in throttled after wrong passwords, and for a flood of wrong API
// keys. Behind nginx each wrong key counts once (the deny endpoint sends
// the check's sealed answer), so the limit is reached at the limit.
func TestForwardAuthTooMany(t *testing.T) {
	up := startPython(t)
	for _, name := range []string{"nginx", "caddy"} {
		t.Run(name, func(t *testing.T) {
			f := newForwarded(t, name, up, func(c *authgate.Config) {
				c.Throttle = authgate.ThrottleConfig{Account: 2, Address: 3}
			})
			// Wrong API keys: 401 with Basic for each of the first three,
			// then 429.
			for i := 1; i <= 4; i++ {
				resp, body := f.send(t, "GET", "/api/data", map[string]string{"Authorization": "Basic Ym9iOndyb25n"}, "")
				want := 401
				if i == 4 {
					want = 429
				}
				if resp.StatusCode != want {
					t.Fatalf("wrong key %d: %d %q; want %d", i, resp.StatusCode, body, want)
				}
				if want == 429 && (resp.Header.Get("Retry-After") == "" || !strings.Contains(body, authgate.ProblemTooMany)) {
					t.Errorf("429 with Retry-After %q, body %q", resp.Header.Get("Retry-After"), body)
				}
			}

			// A sign-in from the same address, whose count holds three
			// failures already: refused at once with 429.
			form := url.Values{"username": {bobLogin}, "password": {"wrong"}}.Encode()
			resp, body := f.send(t, "POST", "/login", map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "Origin": f.base,
				"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Accept": "text/html",
			}, form)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts") {
				t.Errorf("a throttled sign-in: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		})
	}
}

// TestForwardAuthNginxTag: through nginx with the printed config, an HTML
// page gets the client script's tag exactly once, before </head>, and the
// app is asked for an unencoded body; JSON passes untouched. The tag has
// no data-user-id: GET /.authgate/session, through nginx too, names the
// user.
func TestForwardAuthNginxTag(t *testing.T) {
	up := startPython(t)
	f := newForwarded(t, "nginx", up)
	cookie, _ := f.signIn(t, "/")
	nav := map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none", "Accept": "text/html", "Accept-Encoding": "gzip, br", "Cookie": cookie}
	resp, body := f.send(t, "GET", "/page/fetch?enc=1", nav, "")
	tag := `<script src="/.authgate/client.js" data-mode="dialog"></script>`
	if resp.StatusCode != 200 || strings.Count(body, "/.authgate/client.js") != 1 || !strings.Contains(body, tag+"</head>") {
		t.Errorf("the page through nginx: %d, %d script tags; want one %s before </head>", resp.StatusCode, strings.Count(body, "/.authgate/client.js"), tag)
	}
	for _, h := range lastRequest(t, up, "/page/fetch?enc=1").Headers {
		if strings.EqualFold(h[0], "Accept-Encoding") {
			t.Errorf("the app was asked for Accept-Encoding: %q; sub_filter cannot read a compressed body", h[1])
		}
	}
	resp, body = f.send(t, "GET", "/api/data", with(nav, "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin", "Accept", "application/json"), "")
	if resp.StatusCode != 200 || body != `{"ok": true}` {
		t.Errorf("JSON through nginx: %d %q", resp.StatusCode, body)
	}
	resp, body = f.send(t, "GET", "/.authgate/session", with(nav, "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin", "Accept", "*/*"), "")
	var who struct {
		UserID string `json:"user_id"`
		Login  string `json:"login"`
	}
	if err := json.Unmarshal([]byte(body), &who); resp.StatusCode != 200 || err != nil || who.UserID != testUserID || who.Login != testLogin {
		t.Errorf("GET /.authgate/session through nginx: %d %q", resp.StatusCode, body)
	}
}

// TestForwardAuthNginxUpstreams: the printed nginx config is one nginx
// accepts (nginx -t) for every form of the app's URL: plain http, https to
// a name (with SNI), and https to IPv4 and IPv6 addresses (without: RFC
// 6066 has no SNI for an address).
func TestForwardAuthNginxUpstreams(t *testing.T) {
	bin := needTool(t, "nginx")
	for _, tc := range []struct {
		upstream string
		sni      bool
	}{
		{"http://localhost:8000", false},
		{"https://localhost:8443", true},
		{"https://127.0.0.1:8443", false},
		{"https://[::1]:8443", false},
	} {
		t.Run(tc.upstream, func(t *testing.T) {
			var conf strings.Builder
			if err := proxy.WriteForwardConfig(&conf, "nginx", proxy.ForwardConfig{Upstream: tc.upstream, Listen: "127.0.0.1:" + freePort(t), Gate: "127.0.0.1:9091"}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(conf.String(), "proxy_ssl_server_name on;"); got != tc.sni {
				t.Errorf("SNI in the config: %v, want %v", got, tc.sni)
			}
			dir := t.TempDir()
			cmd := nginxCmd(t, bin, dir, conf.String())
			cmd.Args = append(cmd.Args[:1], append([]string{"-t"}, cmd.Args[1:]...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("nginx -t: %v\n%s\n%s", err, out, conf.String())
			}
		})
	}
}
