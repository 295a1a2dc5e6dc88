package fwdconfig

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/authgate/authgate/proxy"
)

// TestTraefikConfig: the printed Traefik configuration is YAML, and its
// ForwardAuth middleware keeps the gate's Location, trusts no client's
// X-Forwarded-*, and copies the three identity headers. No Go package
// with Traefik's schema can be had (its config package needs a module the
// Go module proxy refuses), so this checks the settings that matter by
// name only.
func TestTraefikConfig(t *testing.T) {
	var b strings.Builder
	if err := proxy.WriteForwardConfig(&b, "traefik", proxy.ForwardConfig{Upstream: "http://127.0.0.1:8000", Listen: ":8080", Gate: "127.0.0.1:4181"}); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		HTTP struct {
			Middlewares map[string]struct {
				ForwardAuth *struct {
					Address                  string   `json:"address"`
					PreserveLocationHeader   bool     `json:"preserveLocationHeader"`
					TrustForwardHeader       bool     `json:"trustForwardHeader"`
					AuthResponseHeaders      []string `json:"authResponseHeaders"`
					AddAuthCookiesToResponse []string `json:"addAuthCookiesToResponse"`
				} `json:"forwardAuth"`
				Headers *struct {
					CustomRequestHeaders map[string]string `json:"customRequestHeaders"`
				} `json:"headers"`
			} `json:"middlewares"`
		} `json:"http"`
	}
	if err := yaml.Unmarshal([]byte(b.String()), &cfg); err != nil {
		t.Fatalf("the printed config is not YAML: %v", err)
	}
	fa := cfg.HTTP.Middlewares["authgate"].ForwardAuth
	if fa == nil {
		t.Fatal("no forwardAuth middleware named authgate")
	}
	if fa.Address != "http://127.0.0.1:4181"+proxy.CheckPath || !fa.PreserveLocationHeader || fa.TrustForwardHeader {
		t.Errorf("forwardAuth: %+v", *fa)
	}
	if got := strings.Join(fa.AuthResponseHeaders, ","); got != proxy.HeaderUser+","+proxy.HeaderUserID+","+proxy.HeaderMethod {
		t.Errorf("authResponseHeaders: %s", got)
	}
	strip := cfg.HTTP.Middlewares["authgate-strip"].Headers
	if strip == nil || len(strip.CustomRequestHeaders) != 16 {
		t.Fatalf("the strip middleware does not remove the 16 spellings of the identity headers: %+v", strip)
	}
	for name, v := range strip.CustomRequestHeaders {
		if v != "" || !strings.EqualFold(strings.ReplaceAll(name, "_", "-")[:len("x-authgate-")], "x-authgate-") {
			t.Errorf("customRequestHeaders %s: %q", name, v)
		}
	}
}
