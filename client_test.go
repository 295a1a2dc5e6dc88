package authgate_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authgate/authgate"
)

// TestClientScriptRoute: the hashed URL is cached for a year, gzipped when
// accepted, and answers If-None-Match with 304; the plain URL revalidates.
func TestClientScriptRoute(t *testing.T) {
	e := newEnv(t)
	src := scriptSource(t)
	hashed := scriptURL(t, e.gate)
	if !regexp.MustCompile(`^/\.authgate/client\.[0-9a-f]{12}\.js$`).MatchString(hashed) {
		t.Fatalf("ScriptURL = %q", hashed)
	}
	tests := []struct {
		name     string
		path     string
		encoding string
		gzipped  bool
		cache    string
	}{
		{"hashed gzip", hashed, "gzip, deflate, br", true, "public, max-age=31536000, immutable"},
		{"hashed identity", hashed, "", false, "public, max-age=31536000, immutable"},
		{"hashed gzip refused", hashed, "gzip;q=0, br", false, "public, max-age=31536000, immutable"},
		{"plain gzip", "/.authgate/client.js", "gzip", true, "no-cache"},
		{"plain identity", "/.authgate/client.js", "identity", false, "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(newReq("GET", tt.path, "Accept-Encoding", tt.encoding))
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			h := rec.Header()
			if got := h.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if got := h.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := h.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary = %q", got)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if n, _ := strconv.Atoi(h.Get("Content-Length")); n != rec.Body.Len() {
				t.Errorf("Content-Length %q, body %d bytes", h.Get("Content-Length"), rec.Body.Len())
			}
			body := rec.Body.Bytes()
			if tt.gzipped {
				if h.Get("Content-Encoding") != "gzip" {
					t.Fatalf("Content-Encoding = %q, want gzip", h.Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if rec.Body.Len() >= len(src) {
					t.Errorf("gzip body %d bytes is not smaller than %d", rec.Body.Len(), len(src))
				}
			} else if h.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding = %q, want none", h.Get("Content-Encoding"))
			}
			if string(body) != src {
				t.Error("the served script differs from client/authgate.min.js")
			}
			etag := h.Get("Etag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			rec = e.do(newReq("GET", tt.path, "Accept-Encoding", tt.encoding, "If-None-Match", etag))
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Errorf("If-None-Match: status %d, %d bytes; want 304, none", rec.Code, rec.Body.Len())
			}
			rec = e.do(newReq("HEAD", tt.path, "Accept-Encoding", tt.encoding))
			if rec.Code != 200 || rec.Body.Len() != 0 {
				t.Errorf("HEAD: status %d, %d bytes", rec.Code, rec.Body.Len())
			}
		})
	}
	if rec := e.do(newReq("GET", "/.authgate/client.000000000000.js")); rec.Code != http.StatusNotFound {
		t.Errorf("a stale hashed URL: status %d, want 404", rec.Code)
	}
}

// TestScriptTag: the tag names the hashed URL, the integrity hash of the
// script and the gate's paths and options.
func TestScriptTag(t *testing.T) {
	e := newEnv(t)
	sum := sha512.Sum384([]byte(scriptSource(t)))
	integrity := "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
	tests := []struct {
		opts authgate.ClientOptions
		want string
	}{
		{authgate.ClientOptions{}, `<script src="` + scriptURL(t, e.gate) + `" integrity="` + integrity +
			`" data-login-url="/login" data-logout-url="/logout" data-keepalive-url="/.authgate/keepalive" data-mode="dialog" data-idle-seconds="1800"></script>`},
		{authgate.ClientOptions{Mode: authgate.ClientRedirect, User: `ada"<x>`, UserID: "u-1&2"}, `<script src="` + scriptURL(t, e.gate) + `" integrity="` + integrity +
			`" data-login-url="/login" data-logout-url="/logout" data-keepalive-url="/.authgate/keepalive" data-mode="redirect" data-idle-seconds="1800"` +
			` data-user="ada&#34;&lt;x&gt;" data-user-id="u-1&amp;2"></script>`},
		{authgate.ClientOptions{Mode: authgate.ClientDialog, WarnSeconds: 90, ExtendOnActivity: true}, `<script src="` + scriptURL(t, e.gate) +
			`" integrity="` + integrity + `" data-login-url="/login" data-logout-url="/logout" data-keepalive-url="/.authgate/keepalive"` +
			` data-mode="dialog" data-idle-seconds="1800" data-warn-seconds="90" data-extend-on-activity="true"></script>`},
		{authgate.ClientOptions{Mode: authgate.ClientReload, WarnSeconds: -5}, `<script src="` + scriptURL(t, e.gate) + `" integrity="` + integrity +
			`" data-login-url="/login" data-logout-url="/logout" data-keepalive-url="/.authgate/keepalive" data-mode="reload" data-idle-seconds="1800"></script>`},
		{authgate.ClientOptions{Mode: `x" onload="alert(1)`}, `<script src="` + scriptURL(t, e.gate) + `" integrity="` + integrity +
			`" data-login-url="/login" data-logout-url="/logout" data-keepalive-url="/.authgate/keepalive" data-mode="dialog" data-idle-seconds="1800"></script>`},
	}
	for _, tt := range tests {
		if got := string(scriptTag(e.gate, tt.opts)); got != tt.want {
			t.Errorf("ScriptTag(%+v) =\n%s\nwant\n%s", tt.opts, got, tt.want)
		}
	}
	// The tag works inside an html/template page unescaped.
	tmpl := template.Must(template.New("p").Parse(`<head>{{.}}</head>`))
	var b strings.Builder
	if err := tmpl.Execute(&b, scriptTag(e.gate, authgate.ClientOptions{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<script src="/.authgate/client.`) {
		t.Errorf("template output %q", b.String())
	}
	// Custom paths reach the tag.
	e2 := newEnv(t, func(c *authgate.Config) { c.LoginPath = "/signin"; c.LogoutPath = "/signout"; c.Prefix = "/_auth" })
	tag := string(scriptTag(e2.gate, authgate.ClientOptions{}))
	for _, want := range []string{`src="/_auth/client.`, `data-login-url="/signin"`, `data-logout-url="/signout"`, `data-keepalive-url="/_auth/keepalive"`} {
		if !strings.Contains(tag, want) {
			t.Errorf("tag %q lacks %q", tag, want)
		}
	}
}

// scriptSource is the script the gate embeds and serves: the minified build.
func scriptSource(t testing.TB) string {
	b, err := os.ReadFile("client/authgate.min.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// scriptTag is g's script tag for a page served to a request nobody signed.
func scriptTag(g *authgate.Gate, opts authgate.ClientOptions) template.HTML {
	return g.ScriptTag(httptest.NewRequest(http.MethodGet, "/", nil), opts)
}

// scriptURL is the hashed URL of the script, as g's script tag names it.
func scriptURL(t testing.TB, g *authgate.Gate) string {
	m := regexp.MustCompile(`<script src="([^"]+)"`).FindStringSubmatch(string(scriptTag(g, authgate.ClientOptions{})))
	if m == nil {
		t.Fatal("the script tag has no src")
	}
	return m[1]
}
