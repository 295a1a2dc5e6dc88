"""A small app in Python, standard library only, for the tests of
`authgate proxy`: it knows nothing of authgate but the request headers the
proxy sets (X-Authgate-User, X-Authgate-User-Id, X-Authgate-Method).

  python3 app.py --vendor DIR [--port N]

DIR is e2e/node_modules, from which /vendor/ serves jQuery 3 and 4, axios
and htmx 2 and 4. The app prints "listening on PORT" once it listens.

  GET  /                         the home page: a note page that saves with fetch
  GET  /page/LIB[?seed=003|000]  a note page that saves with LIB: fetch, xhr,
                                 jquery3, jquery4, axios, htmx2 or htmx4;
                                 seed= adds that seed's jQuery snippet verbatim;
                                 tag=1 the client script's static tag
  POST /api/notes                stores {"text"} (JSON or a form); JSON back,
                                 or an htmx fragment
  GET  /api/data                 {"ok": true}
  GET  /events                   server-sent events: "one", then "two" once
                                 /_test/release is called
  GET  /_test/log                every request the app got: method, path,
                                 headers as received, in order (for the tests)
  POST /_test/release            lets /events go on
"""

import argparse
import html
import json
import mimetypes
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# The client script by one static tag, as a page includes it behind a proxy
# that cannot insert it (Caddy with authgate forward-auth). The script asks
# the gate who is signed in: held calls are sent again after a sign-in as
# that same user only.
TAG = '<script src="/.authgate/client.js"></script>\n'

VENDOR = {
    "jquery3.js": "jquery/dist/jquery.js",
    "jquery4.js": "jquery4/dist/jquery.js",
    "axios.js": "axios/dist/axios.js",
    "htmx2.js": "htmx.org/dist/htmx.js",
    "htmx4.js": "htmx4/dist/htmx.js",
}

# The page scripts and markup this app shares with the Go test app: both
# inline the same files from e2e/notepage.
NOTEPAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notepage")


def notepage_file(name):
    with open(os.path.join(NOTEPAGE, name), encoding="utf-8") as f:
        return f.read()


SEEDS = {seed: "<script>\n" + notepage_file("seed%s.js" % seed) + "</script>" for seed in ("003", "000")}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%(title)s</title>
%(tag)s<script>
%(note_js)swindow.agStamp = String(Math.random()).slice(2);
</script>
</head>
<body>
<script>
%(signal_js)s</script>
<main id="app">
<h1>%(title)s</h1>
<p id="who">Signed in as %(user)s</p>
<form id="form"%(hx)s>
%(fields_html)s</form>
<div id="out"></div>
</main>
%(vendor)s
%(seed)s
<script>
var lib = %(lib)s;
%(save_js)swindow.agReady = true;
</script>
</body>
</html>
"""


class App:
    def __init__(self, vendor):
        self.vendor = vendor
        self.lock = threading.Lock()
        self.log = []
        self.notes = []
        self.release = threading.Event()


def make_handler(app):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def record(self):
            with app.lock:
                app.log.append({
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                })

        def send(self, status, ctype, body, extra=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/_test/log":
                with app.lock:
                    body = json.dumps({"requests": app.log, "notes": app.notes}).encode()
                return self.send(200, "application/json", body)
            self.record()
            if url.path.startswith("/vendor/"):
                return self.serve_vendor(url.path[len("/vendor/"):])
            if url.path == "/":
                return self.serve_page("home", {})
            if url.path.startswith("/page/"):
                return self.serve_page(url.path[len("/page/"):], parse_qs(url.query))
            if url.path == "/api/data":
                return self.send(200, "application/json", b'{"ok": true}')
            if url.path == "/events":
                return self.serve_events()
            self.send(404, "text/plain", b"not found\n")

        def do_POST(self):
            url = urlsplit(self.path)
            if url.path == "/_test/release":
                app.release.set()
                return self.send(204, "text/plain", b"")
            self.record()
            if url.path != "/api/notes":
                return self.send(404, "text/plain", b"not found\n")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                text = json.loads(raw).get("text", "")
            else:
                text = parse_qs(raw).get("text", [""])[0]
            user = self.headers.get("X-Authgate-User", "")
            with app.lock:
                app.notes.append({"user": user, "text": text})
                n = len(app.notes)
            if self.headers.get("HX-Request") == "true":
                frag = '<p id="saved" data-text="%s">Saved note %d.</p>' % (html.escape(text), n)
                return self.send(200, "text/html; charset=utf-8", frag.encode())
            body = json.dumps({"id": n, "text": text, "user": user}).encode()
            self.send(200, "application/json", body)

        def serve_vendor(self, name):
            rel = VENDOR.get(name)
            if rel is None:
                return self.send(404, "text/plain", b"not found\n")
            with open(os.path.join(app.vendor, rel), "rb") as f:
                body = f.read()
            self.send(200, "text/javascript; charset=utf-8", body)

        def serve_page(self, lib, query):
            vendor = ""
            if lib + ".js" in VENDOR:
                vendor = '<script src="/vendor/%s.js"></script>' % lib
            seed = SEEDS.get(query.get("seed", [""])[0], "")
            hx = ' hx-post="/api/notes" hx-target="#out"' if lib.startswith("htmx") else ""
            page = PAGE % {
                "note_js": notepage_file("note.js"),
                "signal_js": notepage_file("signal.js"),
                "save_js": notepage_file("save.js"),
                "fields_html": notepage_file("fields.html"),
                "title": html.escape("python app: " + lib),
                "user": html.escape(self.headers.get("X-Authgate-User", "nobody")),
                "hx": hx,
                "vendor": vendor,
                "seed": seed,
                "tag": TAG if query.get("tag") == ["1"] else "",
                "lib": json.dumps(lib),
            }
            self.send(200, "text/html; charset=utf-8", page.encode())

        def serve_events(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"data: one\n\n")
            self.wfile.flush()
            app.release.wait(60)
            self.wfile.write(b"data: two\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--vendor", required=True)
    args = p.parse_args()
    mimetypes.init()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(App(args.vendor)))
    srv.daemon_threads = True
    print("listening on %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
