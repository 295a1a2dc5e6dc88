package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/authgate/authgate/proxy"
)

// runForward measures nginx in front of the upstream three ways, in one
// run: alone, with auth_request to `authgate forward-auth` (the config
// `authgate forward-auth config nginx` prints, signed in with a session),
// and with auth_request to oauth2-proxy's /oauth2/auth (signed in with its
// htpasswd form). One nginx process (no master, one worker) serves all
// three on three ports, so each gets the same nginx; the CPU column is
// nginx's own.
func runForward(ctx context.Context, o options) error {
	if o.oauth2Proxy == "" {
		return errors.New("-forward needs -oauth2-proxy")
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		return errors.New("-forward needs nginx (apt-get install nginx-light)")
	}
	wb, err := newWorkbench(ctx, "authgate-fwdload-")
	if err != nil {
		return err
	}
	defer wb.close()
	ctx, dir, upURL := wb.ctx, wb.dir, wb.upstream
	gateAddr, err := startForwardAuth(ctx, o.authgate, dir)
	if err != nil {
		return fmt.Errorf("authgate forward-auth: %w", err)
	}
	op, err := startOAuth2Proxy(ctx, o.oauth2Proxy, dir, upURL, "--set-xauthrequest")
	if err != nil {
		return fmt.Errorf("oauth2-proxy: %w", err)
	}
	ports := make([]string, 3)
	for i := range ports {
		a, err := freeAddr()
		if err != nil {
			return err
		}
		_, ports[i], _ = net.SplitHostPort(a)
	}
	var printed strings.Builder
	if err := proxy.WriteForwardConfig(&printed, "nginx", proxy.ForwardConfig{Upstream: upURL, Listen: "127.0.0.1:" + ports[1], Gate: gateAddr}); err != nil {
		return err
	}
	pid, err := startNginx(ctx, nginx, dir, upURL, ports, printed.String(), strings.TrimPrefix(op.base, "http://"))
	if err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	agBase := "http://localhost:" + ports[1]
	agCookie, err := forwardSignIn(ctx, agBase, dir)
	if err != nil {
		return fmt.Errorf("signing in to authgate: %w", err)
	}
	targets := []target{
		{name: "nginx alone", base: "http://localhost:" + ports[0], cookie: newCookies(agCookie), pid: pid},
		{name: "nginx + authgate", base: agBase, cookie: newCookies(agCookie), pid: pid},
		{name: "nginx + oauth2-proxy", base: "http://localhost:" + ports[2], cookie: op.cookie, pid: pid},
	}
	for _, t := range targets {
		if err := check(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return measure(ctx, targets, o)
}

// startForwardAuth builds (unless given) and runs `authgate forward-auth`
// on a free port, and returns that address.
func startForwardAuth(ctx context.Context, bin, dir string) (string, error) {
	if bin == "" {
		var err error
		if bin, err = buildAuthgate(ctx, dir); err != nil {
			return "", err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, "forward-auth", "--addr", addr, "--db", filepath.Join(dir, "gate.db"), "--access-log", "0")
	printed, err := startFirstRun(cmd)
	if err != nil {
		return "", err
	}
	if !strings.Contains(printed, "forward-auth is running at") {
		return "", fmt.Errorf("unexpected output:\n%s", printed)
	}
	return addr, os.WriteFile(filepath.Join(dir, "forward.out"), []byte(printed), 0o600)
}

// forwardSignIn signs in through nginx as the user the first run made.
func forwardSignIn(ctx context.Context, base, dir string) (string, error) {
	printed, err := os.ReadFile(filepath.Join(dir, "forward.out"))
	if err != nil {
		return "", err
	}
	pw, err := firstRunPassword(string(printed))
	if err != nil {
		return "", err
	}
	return signIn(ctx, base+"/login", url.Values{"username": {"admin"}, "password": {pw}})
}

// startNginx runs one nginx process with the config of [nginxConf].
func startNginx(ctx context.Context, bin, dir, upstream string, ports []string, printed, o2p string) (int, error) {
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(nginxConf(dir, upstream, ports, printed, o2p)), 0o600); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off; master_process off;")
	cmd.Stderr = os.Stderr
	if err := startChild(cmd); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, p := range ports {
		for {
			c, err := net.Dial("tcp", "127.0.0.1:"+p)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("not listening on %s within 20s", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return cmd.Process.Pid, nil
}

// nginxConf is a whole nginx config, its files in dir, with three servers:
// on ports[0] the upstream alone, on ports[1] the printed authgate config,
// on ports[2] auth_request to oauth2-proxy at o2p. The app's location is
// the same in all three (proxy_pass to the upstream with idle connections
// kept, HTTP/1.1), as the printed config's is.
func nginxConf(dir, upstream string, ports []string, printed, o2p string) string {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // else the worker runs as nobody, who cannot read dir
	}
	app := `proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_pass http://bench_app;`
	return fmt.Sprintf(`%[1]spid %[2]s/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;

    server {
        listen 127.0.0.1:%[3]s;
        location / {
        %[4]s
        }
    }

%[5]s

    upstream bench_app {
        server %[8]s;
        keepalive 32;
    }
    upstream oauth2_proxy {
        server %[6]s;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:%[7]s;
        location = /oauth2/auth {
            internal;
            proxy_pass http://oauth2_proxy;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Original-URI $request_uri;
        }
        location / {
            auth_request /oauth2/auth;
            auth_request_set $auth_user $upstream_http_x_auth_request_user;
            proxy_set_header X-User $auth_user;
            %[4]s
        }
    }
}
`, user, dir, ports[0], app, printed, o2p, ports[2], strings.TrimPrefix(upstream, "http://"))
}
