// Package fwdconfig checks the configs that authgate forward-auth prints
// against the proxies' own schemas, where a Go package provides one: Envoy's
// bootstrap, with go-control-plane's validation. It is a module of its own
// so that go-control-plane never enters the library's go.mod.
package fwdconfig

import (
	"strings"
	"testing"

	bootstrap "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	extauthz "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	router "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"

	"github.com/authgate/authgate/proxy"
)

// message is a go-control-plane message, with its validation rules.
type message interface {
	proto.Message
	ValidateAll() error
}

// TestEnvoyConfig parses the printed Envoy bootstrap into go-control-plane's
// types (an unknown field or a wrong type fails) and runs their validation
// rules on it and on every typed_config inside it.
func TestEnvoyConfig(t *testing.T) {
	var b strings.Builder
	if err := proxy.WriteForwardConfig(&b, "envoy", proxy.ForwardConfig{Upstream: "http://127.0.0.1:8000", Listen: "0.0.0.0:8080", Gate: "127.0.0.1:4181"}); err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON([]byte(b.String()))
	if err != nil {
		t.Fatalf("the printed config is not YAML: %v", err)
	}
	var bs bootstrap.Bootstrap
	if err := protojson.Unmarshal(js, &bs); err != nil {
		t.Fatalf("the printed config is not an Envoy bootstrap: %v", err)
	}
	if err := bs.ValidateAll(); err != nil {
		t.Fatalf("the bootstrap fails validation: %v", err)
	}
	listeners := bs.GetStaticResources().GetListeners()
	if len(listeners) != 1 {
		t.Fatalf("%d listeners; want 1", len(listeners))
	}
	filter := listeners[0].GetFilterChains()[0].GetFilters()[0]
	var m hcm.HttpConnectionManager
	unpack(t, filter.GetTypedConfig(), &m)

	var authz *extauthz.ExtAuthz
	for _, f := range m.GetHttpFilters() {
		switch f.GetName() {
		case "envoy.filters.http.ext_authz":
			authz = new(extauthz.ExtAuthz)
			unpack(t, f.GetTypedConfig(), authz)
		case "envoy.filters.http.router":
			unpack(t, f.GetTypedConfig(), new(router.Router))
		default:
			t.Errorf("an unexpected filter %q", f.GetName())
		}
	}
	if authz == nil {
		t.Fatal("no ext_authz filter")
	}
	hs := authz.GetHttpService()
	if got := hs.GetPathPrefix(); got != proxy.EnvoyPrefix {
		t.Errorf("path_prefix %q; want %q", got, proxy.EnvoyPrefix)
	}
	allowed := map[string]bool{}
	for _, p := range hs.GetAuthorizationRequest().GetAllowedHeaders().GetPatterns() {
		allowed[p.GetExact()+p.GetPrefix()] = true
	}
	for _, h := range []string{"cookie", "accept", "origin", "sec-fetch-", "x-requested-with", "hx-request"} {
		if !allowed[h] {
			t.Errorf("allowed_headers lacks %s: the gate would not see it", h)
		}
	}
	if authz.GetFailureModeAllow() {
		t.Error("failure_mode_allow lets requests through when the gate is down")
	}
	routes := m.GetRouteConfig().GetVirtualHosts()[0].GetRoutes()
	for _, r := range routes {
		for name, cfg := range r.GetTypedPerFilterConfig() {
			var per extauthz.ExtAuthzPerRoute
			unpack(t, cfg, &per)
			if name != "envoy.filters.http.ext_authz" || !per.GetDisabled() {
				t.Errorf("route %v: per-filter config %s does not turn the check off", r.GetMatch(), name)
			}
		}
	}
	if n := len(routes); n != 4 {
		t.Errorf("%d routes; want the gate's three and the app's", n)
	}
}

// unpack unpacks a typed_config into m and validates it.
func unpack(t *testing.T, a *anypb.Any, m message) {
	t.Helper()
	if err := a.UnmarshalTo(m); err != nil {
		t.Fatalf("%s: %v", a.GetTypeUrl(), err)
	}
	if err := m.ValidateAll(); err != nil {
		t.Errorf("%s fails validation: %v", a.GetTypeUrl(), err)
	}
}
