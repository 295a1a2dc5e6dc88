package authgate

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// clientScript is the client script, ready to serve.
type clientScript struct {
	raw       []byte
	gz        []byte
	tag       string // short content hash, part of the URL
	integrity string // subresource integrity, sha384
}

func newClientScript() clientScript {
	raw := []byte(clientScriptMin)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	sum := sha256.Sum256(raw)
	sri := sha512.Sum384(raw)
	return clientScript{
		raw:       raw,
		gz:        buf.Bytes(),
		tag:       hex.EncodeToString(sum[:6]),
		integrity: "sha384-" + base64.StdEncoding.EncodeToString(sri[:]),
	}
}

// ClientMode is what the client script does on a login-required signal.
type ClientMode string

// The client script's modes.
const (
	// ClientRedirect sends the browser to the login page with return_to
	// set to the current page.
	ClientRedirect ClientMode = "redirect"
	// ClientReload reloads the page, which then goes to the login page.
	ClientReload ClientMode = "reload"
	// ClientDialog signs the user in again in place and re-sends the calls
	// that got the signal.
	ClientDialog ClientMode = "dialog"
)

// ClientOptions are written into the tag of [Gate.ScriptTag] as data-
// attributes.
type ClientOptions struct {
	// Mode is what to do on a login-required signal. Default ClientDialog.
	Mode ClientMode
	// User is the signed-in user's login name, filled into the sign-in
	// dialog. [Gate.ScriptTag] sets it from the request.
	User string
	// UserID is the signed-in user's id. The dialog sends held calls again
	// only after a sign-in as this user; without it, or when somebody else
	// signs in, the script re-sends nothing and reloads the page.
	// [Gate.ScriptTag] sets it from the request.
	UserID string
	// WarnSeconds is how long before the session ends the warning opens.
	// Zero lets the script choose its default (120). Whatever the setting,
	// the warning takes at most a quarter of the idle timeout, which the
	// tag tells the script (data-idle-seconds): the warning is modal, so
	// three quarters of every idle period stay free for work, and a session
	// just signed in or extended never opens it.
	WarnSeconds int
	// ExtendOnActivity lets user activity call keepalive by itself.
	ExtendOnActivity bool
}

// ScriptTag returns the <script> tag that loads the client script into a
// page served to r: its content-hashed URL (served by [Gate.ServeHTTP] with
// a year-long cache, so a new release gets a new URL), its integrity hash,
// the gate's paths, its providers (data-providers, a JSON array of
// {"name","label","url"} with url the provider's start endpoint; absent
// without [Config.Providers]; data-password="off" with
// [Config.NoPasswordSignIn]) and opts, as data- attributes. It fills
// [ClientOptions.User] and [ClientOptions.UserID] from the [Identity] the
// gate put in r's context (see [Gate.Require] and [Gate.Identify]), so that
// the sign-in dialog knows who was signed in; it reads the user's login name
// from the [Store], and if that fails the dialog simply asks for it. Put it
// in the page's head with html/template:
//
//	page.Execute(w, map[string]any{"Authgate": gate.ScriptTag(r, authgate.ClientOptions{})})
//	// <head>{{.Authgate}}</head>
func (g *Gate) ScriptTag(r *http.Request, opts ClientOptions) template.HTML {
	if id, ok := FromContext(r.Context()); ok {
		if opts.UserID == "" {
			opts.UserID = id.UserID
		}
		if opts.User == "" {
			if u, err := g.store.User(r.Context(), id.UserID); err == nil {
				opts.User = u.Login
			}
		}
	}
	mode := opts.Mode
	switch mode {
	case ClientRedirect, ClientReload, ClientDialog:
	default:
		mode = ClientDialog
	}
	var b strings.Builder
	b.WriteString(`<script src="`)
	b.WriteString(template.HTMLEscapeString(g.scriptPath))
	b.WriteString(`" integrity="`)
	b.WriteString(g.script.integrity)
	b.WriteString(`" data-login-url="`)
	b.WriteString(template.HTMLEscapeString(g.cfg.LoginPath))
	b.WriteString(`" data-logout-url="`)
	b.WriteString(template.HTMLEscapeString(g.cfg.LogoutPath))
	b.WriteString(`" data-keepalive-url="`)
	b.WriteString(template.HTMLEscapeString(g.keepPath))
	b.WriteString(`" data-mode="`)
	b.WriteString(string(mode))
	b.WriteString(`" data-idle-seconds="`)
	b.WriteString(strconv.Itoa(max(1, int(g.cfg.IdleTimeout/time.Second))))
	b.WriteString(`"`)
	if opts.WarnSeconds > 0 {
		b.WriteString(` data-warn-seconds="`)
		b.WriteString(strconv.Itoa(opts.WarnSeconds))
		b.WriteString(`"`)
	}
	if opts.ExtendOnActivity {
		b.WriteString(` data-extend-on-activity="true"`)
	}
	if g.providersJSON != "" {
		b.WriteString(` data-providers="`)
		b.WriteString(template.HTMLEscapeString(g.providersJSON))
		b.WriteString(`"`)
	}
	if g.cfg.NoPasswordSignIn {
		b.WriteString(` data-password="off"`)
	}
	if opts.User != "" {
		b.WriteString(` data-user="`)
		b.WriteString(template.HTMLEscapeString(opts.User))
		b.WriteString(`"`)
	}
	if opts.UserID != "" {
		b.WriteString(` data-user-id="`)
		b.WriteString(template.HTMLEscapeString(opts.UserID))
		b.WriteString(`"`)
	}
	b.WriteString(`></script>`)
	return template.HTML(b.String()) //nolint:gosec // every value is escaped or a constant
}

// serveScript serves the client script, gzipped when the client accepts it.
// The hashed URL is cached for a year; the plain URL must be revalidated.
func (g *Gate) serveScript(w http.ResponseWriter, r *http.Request, hashed bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, etag := g.script.raw, `"`+g.script.tag+`"`
	gz := listAccepts(r.Header["Accept-Encoding"], "gzip")
	if gz {
		body, etag = g.script.gz, `"`+g.script.tag+`-gz"`
	}
	h.Set("Etag", etag)
	if inm := headerValue(r.Header, "If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

// etagMatch reports whether an If-None-Match list names etag, weakly.
func etagMatch(list, etag string) bool {
	for list != "" {
		var t string
		t, list, _ = strings.Cut(list, ",")
		t = textproto.TrimString(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
