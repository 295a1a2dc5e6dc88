package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The metrics library is the command's alone: no package of the library
// that apps import builds it, so they never compile or link it (with
// module graph pruning their go.mod does not list it either).
func TestLibraryDoesNotBuildMetrics(t *testing.T) {
	list := goListDeps(t)
	const mod = "github.com/authgate/authgate"
	out := list(mod, mod+"/memstore", mod+"/sqlitestore", mod+"/redisstore", mod+"/proxy", mod+"/storetest")
	if !strings.Contains(out, "\n"+mod+"/proxy\n") {
		t.Fatalf("go list listed no proxy package:\n%s", out)
	}
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "github.com/prometheus/") {
			t.Errorf("a library package builds %s", line)
		}
	}
	if !strings.Contains(list(mod+"/cmd/authgate"), "github.com/prometheus/client_golang/prometheus\n") {
		t.Error("the command does not build client_golang: the test above proves nothing")
	}
}

// The OpenID Connect libraries are package oidc's alone: an app that
// configures no provider builds neither go-oidc nor x/oauth2, whatever
// else of the library it uses.
func TestLibraryDoesNotBuildOIDC(t *testing.T) {
	list := goListDeps(t)
	const mod = "github.com/authgate/authgate"
	oidcLibs := []string{"github.com/coreos/go-oidc/", "golang.org/x/oauth2", "github.com/go-jose/"}
	lib := list(mod, mod+"/memstore", mod+"/sqlitestore", mod+"/redisstore", mod+"/pgstore", mod+"/proxy", mod+"/storetest")
	for line := range strings.SplitSeq(lib, "\n") {
		for _, l := range oidcLibs {
			if strings.HasPrefix(line, l) {
				t.Errorf("a library package builds %s", line)
			}
		}
	}
	if own := list(mod + "/oidc"); !strings.Contains(own, "\ngithub.com/coreos/go-oidc/v3/oidc\n") || !strings.Contains(own, "\ngolang.org/x/oauth2\n") {
		t.Error("package oidc builds neither go-oidc nor x/oauth2: the test above proves nothing")
	}
}

// goListDeps returns a function that lists, one import path a line, the
// packages that building pkgs builds (go list -deps). It skips t when the go
// command is missing, unless $AUTHGATE_REQUIRE names go.
func goListDeps(t *testing.T) func(pkgs ...string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if required("go") {
			t.Fatal("the go command is missing and AUTHGATE_REQUIRE names go")
		}
		t.Skip("the go command is missing; AUTHGATE_REQUIRE=go refuses to skip")
	}
	return func(pkgs ...string) string {
		t.Helper()
		out, err := exec.CommandContext(t.Context(), goTool, append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...).Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return string(out)
	}
}
