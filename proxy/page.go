package proxy

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/authgate/authgate"
)

// wantsScript reports whether the answer to r may get the client script: a
// browser loading a page (not a script call, whose HTML is a fragment),
// signed in, with insertion on.
func (p *Proxy) wantsScript(r *http.Request) bool {
	if p.opts.NoScript || r.Method == http.MethodHead || p.gate.Classify(r) != authgate.KindNavigation {
		return false
	}
	_, ok := authgate.FromContext(r.Context())
	return ok
}

// modifyResponse inserts the client script into an HTML page while it
// streams. The page's Content-Length is dropped (it is sent chunked), a
// strong ETag made weak, and a gzip page decoded; a page in another encoding
// passes unchanged.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	in := resp.Request
	// The type first: most answers are not pages, and it is the cheaper test.
	if !isHTML(resp) || !p.wantsScript(in) {
		return nil
	}
	body := resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		body = &gunzip{src: body}
		resp.Header.Del("Content-Encoding")
	default:
		p.warnOnce(warnEncoding, "authgate proxy: the upstream sent a page in an encoding the proxy cannot read, though asked for none; the client script is not in it",
			slog.String("encoding", enc), slog.String("path", in.URL.Path))
		return nil
	}
	tag := string(p.gate.ScriptTag(in, p.clientOptions(in)))
	nonce, allowed := scriptPolicy(resp.Header.Values("Content-Security-Policy"))
	if !allowed {
		p.warnOnce(warnCSP, "authgate proxy: the page's Content-Security-Policy blocks the client script (allow 'self' in script-src, or a nonce); pages with it get no warning or sign-in dialog",
			slog.String("path", in.URL.Path))
	}
	if nonce != "" {
		tag = `<script nonce="` + nonce + `"` + strings.TrimPrefix(tag, "<script")
	}
	resp.Body = newInserter(body, []byte(tag), nil)
	resp.ContentLength = -1
	resp.Header.Del("Content-Length")
	if et := resp.Header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		resp.Header.Set("ETag", "W/"+et)
	}
	return nil
}

// clientOptions are the script tag's options for a signed-in request.
func (p *Proxy) clientOptions(r *http.Request) authgate.ClientOptions {
	o := authgate.ClientOptions{Mode: p.opts.ClientMode}
	if id, ok := authgate.FromContext(r.Context()); ok {
		o.UserID = id.UserID
		o.User = p.logins.login(r.Context(), id.UserID)
	}
	return o
}

func isHTML(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotModified:
		return false
	}
	ct := resp.Header.Get("Content-Type")
	// Most answers through a proxy are not pages: those whose type cannot
	// be text/html are told apart without parsing it.
	if t := strings.TrimSpace(ct); len(t) < len("text/html") || !strings.EqualFold(t[:len("text/html")], "text/html") {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "text/html"
}

// gunzip decodes a gzip body, reading its header at the first Read so
// that a broken one ends the stream rather than the answer's headers.
type gunzip struct {
	src io.ReadCloser
	zr  *gzip.Reader
}

func (g *gunzip) Read(p []byte) (int, error) {
	if g.zr == nil {
		zr, err := gzip.NewReader(g.src)
		if err != nil {
			return 0, fmt.Errorf("decoding the upstream's gzip page: %w", err)
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}

func (g *gunzip) Close() error { return g.src.Close() }

// The log lines a Proxy writes at most once.
const (
	warnCSP = iota
	warnEncoding
	warnCount
)

func (p *Proxy) warnOnce(which int, msg string, attrs ...slog.Attr) {
	if p.warned[which].CompareAndSwap(false, true) {
		p.log.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
	}
}

// ProblemBadGateway is the problem+json type of the 502 that a script call
// or a machine gets when the upstream is down or refuses the connection.
// A browser loading a page gets a short HTML page instead. Neither is ever
// a login signal.
const ProblemBadGateway = "urn:authgate:bad-gateway"

// badGateway answers a request the upstream did not answer.
func (p *Proxy) badGateway(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away; nobody reads an answer
	}
	p.log.LogAttrs(r.Context(), slog.LevelWarn, "authgate proxy: the upstream did not answer",
		slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if p.gate.Classify(r) == authgate.KindNavigation {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, badGatewayPage)
		return
	}
	h.Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = fmt.Fprintf(w, `{"type":%q,"title":"Bad Gateway","status":502,"detail":"The app behind the gate did not answer."}`+"\n", ProblemBadGateway)
}

const badGatewayPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The app is not answering</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>The app is not answering</h1>
<p>The sign-in worked, but the app behind it did not answer. Try again in a moment.</p></body></html>
`
