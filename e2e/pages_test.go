package e2e

import (
	"html/template"
	"net/http"

	"github.com/authgate/authgate"
)

// pageData is what a test page shows and loads.
type pageData struct {
	Title   string
	Client  template.HTML // the gate's script tag, or nothing
	Scripts []string      // /vendor/ files
	Seed    string        // "003" or "000": a seed's own jQuery snippet
	HTMX    bool
}

// A test page. note() reports to the test through the tab's agNote binding:
// every navigation the page starts (Navigation API), every login signal the
// client script sees (a spy on authgate.signal), and whatever the calls the
// test makes report. The seeds' snippets are the seeds' own code.
var pageTmpl = template.Must(template.New("page").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<script>
{{js "note.js"}}</script>
{{.Client}}
<script>
{{js "signal.js"}}</script>
{{range .Scripts}}<script src="/vendor/{{.}}"></script>
{{end -}}
{{if eq .Seed "003" "000"}}<script>
{{js (print "seed" .Seed ".js")}}</script>
{{end -}}
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem}</style>
</head>
<body>
<main id="app">
<h1>{{.Title}}</h1>
{{if .HTMX}}<button id="hx" hx-get="/api/fragment" hx-target="#out">Load a fragment</button>{{end}}
<form id="form" method="post" action="/notes">
<label for="text">Note</label> <input id="text" name="text"> <button id="save">Save</button>
</form>
<div id="out"></div>
</main>
<script>note("load:" + location.pathname + location.search);</script>
</body>
</html>
`))

// servePage serves / and /app/{lib}. The query chooses the client script's
// mode (client=redirect, the default, reload or none) and a seed's snippet
// (seed=003 or 000).
func (a *testApp) servePage(w http.ResponseWriter, r *http.Request) {
	lib := r.PathValue("lib")
	d := pageData{Title: "authgate e2e: " + lib, Seed: r.URL.Query().Get("seed")}
	if lib == "" {
		d.Title = "authgate e2e: home"
	}
	switch lib {
	case "jquery3", "jquery4", "axios":
		d.Scripts = []string{lib + ".js"}
	case "htmx2", "htmx4":
		d.Scripts = []string{lib + ".js"}
		d.HTMX = true
	}
	switch mode := r.URL.Query().Get("client"); mode {
	case "none":
	case "reload":
		d.Client = a.gate.ScriptTag(r, authgate.ClientOptions{Mode: authgate.ClientReload})
	default:
		d.Client = a.gate.ScriptTag(r, authgate.ClientOptions{Mode: authgate.ClientRedirect})
	}
	writePage(w, pageTmpl, d)
}
