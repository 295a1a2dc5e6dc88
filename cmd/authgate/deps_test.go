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
	goTool, err := exec.LookPath("go")
	if err != nil {
		if required("go") {
			t.Fatal("the go command is missing and AUTHGATE_REQUIRE names go")
		}
		t.Skip("the go command is missing; AUTHGATE_REQUIRE=go refuses to skip")
	}
	const mod = "github.com/authgate/authgate"
	cmd := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}",
		mod, mod+"/memstore", mod+"/sqlitestore", mod+"/redisstore", mod+"/proxy", mod+"/storetest")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(out), "\n"+mod+"/proxy\n") {
		t.Fatalf("go list listed no proxy package:\n%s", out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "github.com/prometheus/") {
			t.Errorf("a library package builds %s", line)
		}
	}
	self, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}}", mod+"/cmd/authgate").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(self), "github.com/prometheus/client_golang/prometheus\n") {
		t.Error("the command does not build client_golang: the test above proves nothing")
	}
}
