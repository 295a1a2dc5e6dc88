package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/authgate/authgate"
)

// storedNote is a note that POST /api/notes stored, with the user who
// stored it.
type storedNote struct {
	User string
	Text string
}

// noteBook is the server side of the note pages: what POST /api/notes
// stored, in order.
type noteBook struct {
	mu    sync.Mutex
	notes []storedNote
}

func (b *noteBook) add(n storedNote) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.notes = append(b.notes, n)
	return len(b.notes)
}

// all returns the stored notes in order.
func (b *noteBook) all() []storedNote {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]storedNote(nil), b.notes...)
}

// saveNote stores a note from JSON {"text"} or a form's text field. It
// answers JSON {"id","text","user"}, or for htmx a fragment that the page
// swaps in.
func (a *testApp) saveNote(w http.ResponseWriter, r *http.Request) {
	id, _ := authgate.FromContext(r.Context())
	var in struct {
		Text string `json:"text"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	} else {
		in.Text = r.PostFormValue("text")
	}
	n := a.notes.add(storedNote{User: id.UserID, Text: in.Text})
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<p id="saved" data-text="` + template.HTMLEscapeString(in.Text) + `">Saved note ` + strconv.Itoa(n) + `.</p>`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": n, "text": in.Text, "user": id.UserID})
}

// dialogPageData is what a note page shows and loads.
type dialogPageData struct {
	Title  string
	Lib    string
	Client template.HTML
	Script string // a /vendor/ file, or ""
	HTMX   bool
}

// A note page: a textarea and a Save button that stores the note with the
// page's library (fetch, jQuery, axios, or an htmx form). save(lib, text,
// tag) stores a note with any of the libraries the page has and reports
// note(tag + ":" + status + ":" + the stored text). agStamp is a value the
// page's script sets at load: if it is still there later, the page never
// reloaded.
var dialogPageTmpl = template.Must(template.New("dialog").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<script>
function note(s) { if (window.agNote) agNote(String(s)); }
window.agStamp = String(Math.random()).slice(2);
if (window.navigation) {
  navigation.addEventListener("navigate", function (e) { note("navigate:" + e.navigationType + " " + e.destination.url); });
}
</script>
{{.Client}}
<script>
if (window.authgate) {
  var agSignal = authgate.signal;
  authgate.signal = function (reason) { note("signal:" + reason); return agSignal.apply(this, arguments); };
}
</script>
{{if .Script}}<script src="/vendor/{{.Script}}"></script>{{end}}
<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem}textarea{display:block;width:min(30rem,100%);height:6rem;font:inherit}</style>
</head>
<body>
<main id="app">
<h1>{{.Title}}</h1>
<form id="form"{{if .HTMX}} hx-post="/api/notes" hx-target="#out"{{end}}>
<label for="note">Note</label>
<textarea id="note" name="text"></textarea>
<button id="save">Save</button>
</form>
<div id="out"></div>
</main>
<script>
var lib = {{.Lib}};
function report(tag, status, text) {
  note(tag + ":" + status + (text === undefined ? "" : ":" + text));
  if (tag === "saved" && lib.indexOf("htmx") !== 0) {
    document.getElementById("out").textContent = status === 200 ? "Saved." : "Not saved (" + status + ").";
  }
}
function save(how, text, tag) {
  var body = JSON.stringify({text: text});
  switch (how) {
  case "fetch":
    return fetch("/api/notes", {method: "POST", headers: {"Content-Type": "application/json"}, body: body}).then(function (r) {
      return r.json().then(function (j) { report(tag, r.status, j.text); }, function () { report(tag, r.status); });
    });
  case "xhr":
    var x = new XMLHttpRequest();
    x.open("POST", "/api/notes");
    x.setRequestHeader("Content-Type", "application/json");
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      try { report(tag, x.status, JSON.parse(x.responseText).text); } catch (e) { report(tag, x.status); }
    };
    x.send(body);
    return;
  case "jquery3": case "jquery4":
    return $.ajax({url: "/api/notes", method: "POST", contentType: "application/json", data: body, dataType: "json"})
      .done(function (j, s, x) { report(tag, x.status, j.text); })
      .fail(function (x) { report(tag, x.status); });
  case "axios":
    return axios.post("/api/notes", {text: text})
      .then(function (r) { report(tag, r.status, r.data.text); })
      .catch(function (e) { report(tag, e.response ? e.response.status : e.message); });
  }
}
if (lib.indexOf("htmx") === 0) {
  new MutationObserver(function () {
    var p = document.getElementById("saved");
    if (p) report("saved", 200, p.dataset.text);
  }).observe(document.getElementById("out"), {childList: true});
} else {
  document.getElementById("form").addEventListener("submit", function (e) {
    e.preventDefault();
    save(lib, document.getElementById("note").value, "saved");
  });
}
note("load:" + location.pathname + location.search);
</script>
</body>
</html>
`))

// serveDialogPage serves /dlg/{lib}: a note page with the client script in
// mode dialog (client=redirect or reload for the others), the signed-in
// user's login and id as data-user and data-user-id (not with noid=1),
// warn=N as data-warn-seconds, activity=1 as data-extend-on-activity, and
// login, logout and keepalive in place of the gate's data-*-url values.
func (a *testApp) serveDialogPage(w http.ResponseWriter, r *http.Request) {
	lib := r.PathValue("lib")
	q := r.URL.Query()
	d := dialogPageData{Title: "authgate notes: " + lib, Lib: lib}
	switch lib {
	case "jquery3", "jquery4", "axios", "htmx2", "htmx4":
		d.Script = lib + ".js"
		d.HTMX = strings.HasPrefix(lib, "htmx")
	}
	opts := authgate.ClientOptions{Mode: authgate.ClientDialog}
	switch q.Get("client") {
	case "redirect":
		opts.Mode = authgate.ClientRedirect
	case "reload":
		opts.Mode = authgate.ClientReload
	}
	opts.WarnSeconds, _ = strconv.Atoi(q.Get("warn"))
	opts.ExtendOnActivity = q.Get("activity") == "1"
	from := r
	if q.Get("noid") == "1" {
		from = r.WithContext(context.Background()) // the tag names nobody
	}
	tag := string(a.gate.ScriptTag(from, opts))
	for _, name := range []string{"login", "logout", "keepalive"} {
		if v, ok := q[name]; ok {
			attr := ` data-` + name + `-url="`
			i := strings.Index(tag, attr) + len(attr)
			j := i + strings.IndexByte(tag[i:], '"')
			tag = tag[:i] + template.HTMLEscapeString(v[0]) + tag[j:]
		}
	}
	d.Client = template.HTML(tag) //nolint:gosec // the gate's tag and escaped values
	var buf bytes.Buffer
	if err := dialogPageTmpl.Execute(&buf, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// countNotes counts the requests for POST /api/notes and answers the next
// fakeSignals of them with a login signal, whatever the session, as a gate
// would.
func (a *testApp) countNotes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.noteCalls.Add(1)
		if a.fakeSignals.Add(-1) >= 0 {
			w.Header().Set("Authgate-Login", "expired")
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"type":"urn:authgate:login-required","title":"Login required","status":401,"reason":"expired"}`))
			return
		}
		a.fakeSignals.Store(0)
		next.ServeHTTP(w, r)
	})
}
