package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/authgate/authgate/proxy"
)

// TestNginxConf: the config of -forward, with the printed authgate server
// block in it, is one nginx accepts (nginx -t).
func TestNginxConf(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if slices.Contains(strings.Split(os.Getenv("AUTHGATE_REQUIRE"), ","), "nginx") {
			t.Fatal("AUTHGATE_REQUIRE names nginx, but it is not installed (apt-get install nginx-light)")
		}
		t.Skip("skipping: nginx is not installed (apt-get install nginx-light); set AUTHGATE_REQUIRE=nginx to make this a failure")
	}
	dir := t.TempDir()
	var printed strings.Builder
	if err := proxy.WriteForwardConfig(&printed, "nginx", proxy.ForwardConfig{Upstream: "http://127.0.0.1:9001", Listen: "127.0.0.1:9002", Gate: "127.0.0.1:9003"}); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, "http://127.0.0.1:9001", []string{"9004", "9002", "9005"}, printed.String(), "127.0.0.1:9006")), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-c", conf, "-e", "stderr").CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}
