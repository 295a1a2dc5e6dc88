package authgate_test

import (
	"net/http"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

const (
	nav     = authgate.KindNavigation
	script  = authgate.KindScript
	machine = authgate.KindMachine
)

// TestClassifyRealHeaders feeds the header sets that real clients send
// (testdata/requests) to Classify, with the User-Agent rule on and off.
func TestClassifyRealHeaders(t *testing.T) {
	tests := []struct {
		file   string
		want   authgate.Kind // with the User-Agent rule
		wantNo authgate.Kind // with NoUserAgentRule
	}{
		// localhost and https: Fetch Metadata present.
		{"chromium-navigation-localhost.http", nav, nav},
		{"chromium-fetch-localhost.http", script, script},
		{"chromium-xhr-localhost.http", script, script},
		{"jquery-localhost.http", script, script},
		{"axios-localhost.http", script, script},
		{"htmx2-localhost.http", script, script},
		{"htmx4-localhost.http", script, script},
		// Plain http host: no Fetch Metadata at all.
		{"chromium-navigation-plainhttp.http", nav, nav},   // rule 5
		{"chromium-fetch-plainhttp.http", script, machine}, // rule 6
		{"chromium-xhr-plainhttp.http", script, machine},   // rule 6
		{"jquery-plainhttp.http", script, script},          // rule 3
		{"axios-plainhttp.http", script, machine},          // rule 6
		{"htmx2-plainhttp.http", script, script},           // rule 2
		{"htmx4-plainhttp.http", script, script},           // rule 2 before rule 5 (Accept: text/html)
		{"old-browser-page.http", nav, nav},                // rule 5
		{"old-browser-xhr.http", script, machine},          // rule 6
		{"curl.http", machine, machine},                    // rule 7
		{"go-http-client.http", machine, machine},          // rule 7
		{"python-requests.http", machine, machine},         // rule 7
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := readRequestFile(t, tt.file)
			for _, c := range []struct {
				noUA bool
				want authgate.Kind
			}{{false, tt.want}, {true, tt.wantNo}} {
				g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher, NoUserAgentRule: c.noUA})
				if err != nil {
					t.Fatal(err)
				}
				if got := g.Classify(r); got != c.want {
					t.Errorf("Gate{NoUserAgentRule: %v}.Classify = %v, want %v", c.noUA, got, c.want)
				}
			}
			if n := testing.AllocsPerRun(100, func() { classifyGate.Classify(r) }); n != 0 {
				t.Errorf("Classify allocates %v times per call, want 0", n)
			}
		})
	}
}

// TestClassifyRules checks each rule of docs/PROTOCOL.md section 1 and its order.
func TestClassifyRules(t *testing.T) {
	tests := []struct {
		name string
		hdr  []string
		want authgate.Kind
	}{
		{"navigate wins over htmx", []string{"Sec-Fetch-Mode", "navigate", "HX-Request", "true"}, nav},
		{"navigate wins over X-Requested-With", []string{"Sec-Fetch-Mode", "navigate", "X-Requested-With", "XMLHttpRequest"}, nav},
		{"htmx wins over Accept html", []string{"HX-Request", "true", "Accept", "text/html"}, script},
		{"htmx false is not htmx", []string{"HX-Request", "false", "User-Agent", "curl/8"}, machine},
		{"X-Requested-With any case", []string{"X-Requested-With", "xmlhttprequest"}, script},
		{"X-Requested-With other value", []string{"X-Requested-With", "com.example.app"}, machine},
		{"mode cors", []string{"Sec-Fetch-Mode", "cors"}, script},
		{"mode same-origin", []string{"Sec-Fetch-Mode", "same-origin"}, script},
		{"mode no-cors", []string{"Sec-Fetch-Mode", "no-cors"}, script},
		{"mode websocket", []string{"Sec-Fetch-Mode", "websocket"}, script},
		{"mode cors with Accept html", []string{"Sec-Fetch-Mode", "cors", "Accept", "text/html"}, script},
		{"Accept html", []string{"Accept", "text/html"}, nav},
		{"Accept html upper case", []string{"Accept", "TEXT/HTML"}, nav},
		{"Accept html later in list", []string{"Accept", "application/json, text/html;q=0.5"}, nav},
		{"Accept html q=0", []string{"Accept", "text/html;q=0", "User-Agent", "curl/8"}, machine},
		{"Accept html q=0.000", []string{"Accept", "text/html; q=0.000", "User-Agent", "curl/8"}, machine},
		{"Accept html q=0.001", []string{"Accept", "text/html; q=0.001"}, nav},
		{"Accept xhtml only", []string{"Accept", "application/xhtml+xml", "User-Agent", "curl/8"}, machine},
		{"Accept text/htmlx", []string{"Accept", "text/htmlx", "User-Agent", "curl/8"}, machine},
		{"curl asking for html", []string{"Accept", "text/html", "User-Agent", "curl/8.14.1"}, nav},
		{"Mozilla without Accept", []string{"User-Agent", "Mozilla/5.0"}, script},
		{"mozilla lower case", []string{"User-Agent", "mozilla/5.0"}, machine},
		{"Mozilla prefix too short", []string{"User-Agent", "Mozilla"}, machine},
		{"empty request", nil, machine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReq(http.MethodGet, "/x", tt.hdr...)
			if got := classifyGate.Classify(r); got != tt.want {
				t.Errorf("Classify = %v, want %v", got, tt.want)
			}
			if n := testing.AllocsPerRun(50, func() { classifyGate.Classify(r) }); n != 0 {
				t.Errorf("Classify allocates %v times per call, want 0", n)
			}
		})
	}
}

// TestClassifyMultipleAcceptLines: a request may carry Accept twice.
func TestClassifyMultipleAcceptLines(t *testing.T) {
	r := newReq(http.MethodGet, "/x")
	r.Header.Add("Accept", "application/json")
	r.Header.Add("Accept", "text/html")
	if got := classifyGate.Classify(r); got != nav {
		t.Errorf("Classify = %v, want navigation", got)
	}
}

// classifyGate is a gate with the default rules, to classify requests.
var classifyGate = func() *authgate.Gate {
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher})
	if err != nil {
		panic(err)
	}
	return g
}()

func TestKindString(t *testing.T) {
	for k, want := range map[authgate.Kind]string{nav: "navigation", script: "script", machine: "machine", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}
