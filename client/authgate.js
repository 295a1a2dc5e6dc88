/*! authgate client script. No dependency. */
/*
 * One <script> tag loads it; the gate prints that tag (Gate.ScriptTag) with
 * the settings as data- attributes:
 *
 *   data-login-url      the login page                 (default /login)
 *   data-logout-url     the sign-out endpoint          (default /logout)
 *   data-keepalive-url  the keepalive endpoint         (default /.authgate/keepalive)
 *   data-mode           redirect | reload | dialog     (default dialog)
 *
 * The three URLs count only as paths on the page's own origin ("/..."),
 * resolved against the page's address, never a <base> element; anything
 * else gives the default. So a script tag that somebody injected into the
 * page cannot make the dialog post the password elsewhere.
 *
 * The script watches every call the page makes with fetch or XMLHttpRequest
 * (and so jQuery, axios, htmx 2 and htmx 4) for the login-required signal:
 * a same-origin response carrying the Authgate-Login header, whatever its
 * status (401, 418, or 200 with a sentinel body). It reads headers only,
 * never a body, so streams and every other response pass through untouched,
 * and it never touches cross-origin responses.
 *
 * The file is a row of parts, each a function run once. They share one
 * object, window.authgate, the only global the script makes:
 *
 *   authgate.loginURL, .logoutURL, .keepaliveURL, .mode   the settings
 *   authgate.data                                         the tag's data- attributes
 *   authgate.signal(reason, response)                     what happens on a signal
 *   authgate.keep()                                       extend the session now (keepalive)
 *
 * signal is called once for each call that got the signal, with the value of
 * the Authgate-Login header and the Response (fetch) or the XMLHttpRequest.
 * For fetch, what it returns is what the page's code gets (a Response or a
 * promise of one). The core's signal leaves the page once, however many
 * calls fail together, and hands each caller its response unchanged. The
 * dialog part replaces it, and holds calls in its own wrappers of fetch and
 * XMLHttpRequest, which keep what is needed to send them again.
 *
 * The core part, between the markers below, is all that modes redirect and
 * reload need; any other mode leaves the page as redirect does until a later
 * part takes signal over. Parts for later modes go after it.
 *
 * The gate serves authgate.min.js, this file minified with esbuild
 * (cd tools/minclient && go generate). Tests there and in e2e/ hold the served
 * script to 4 KB gzipped and the core, built on its own, to 1 KB.
 */

/* authgate:core:begin */
(function (w) {
  if (w.authgate) return; // loaded twice: the first copy does the work
  var d = w.document;
  var loc = w.location;
  var tag = d.currentScript || d.querySelector("script[data-login-url]");
  var data = (tag && tag.dataset) || {};
  var left;

  // path returns the setting v as an absolute URL if it is a path on this
  // origin, or else the default d.
  function path(v, d) {
    try {
      var u = new URL(v, loc.href);
      if (v[0] == "/" && u.origin == loc.origin) return u.href;
    } catch (e) {} // no setting, or not a URL
    return new URL(d, loc.href).href;
  }

  var A = (w.authgate = {
    loginURL: path(data.loginUrl, "/login"),
    logoutURL: path(data.logoutUrl, "/logout"),
    keepaliveURL: path(data.keepaliveUrl, "/.authgate/keepalive"),
    mode: data.mode || "dialog",
    data: data,
    signal: function (reason, res) {
      if (!left) {
        left = 1;
        // Leave only after the page's own code had the response: a library
        // that hands it on from a timer of its own (axios does, from the
        // same readystatechange) set that timer after this one, and timers
        // run in order, so the second hop comes after it.
        setTimeout(function () {
          setTimeout(function () {
            if (A.mode == "reload") {
              loc.reload();
            } else {
              // return_to is the page the user is on, whatever the server guessed.
              var u = A.loginURL;
              loc.assign(u + (u.indexOf("?") < 0 ? "?" : "&") + "return_to=" +
                encodeURIComponent(loc.pathname + loc.search));
            }
          });
        });
      }
      return res;
    }
  });

  // fetch: only same-origin responses have type "basic"; cross-origin ones
  // are "cors" or "opaque" and pass through. A failed or aborted call
  // rejects, and the rejection reaches the caller as it would have.
  var f = w.fetch;
  if (f) {
    w.fetch = function () {
      return f.apply(this, arguments).then(function (r) {
        var h = r.type == "basic" ? r.headers.get("Authgate-Login") : null;
        return h == null ? r : A.signal(h, r);
      });
    };
  }

  // XMLHttpRequest: a readystatechange listener added in open, placed ahead
  // of an onreadystatechange handler the page set earlier, so that the
  // signal is seen before the page's own code sees the response (load and
  // loadend come after readystatechange; only a readystatechange listener
  // that the page added with addEventListener before open runs first). An
  // aborted or failed call has no headers and is left alone, and so are
  // events that script dispatched (a later part replays held ones).
  var X = w.XMLHttpRequest;
  var open = X && X.prototype.open;
  function check(e) {
    var x = this;
    var h;
    if (e.isTrusted && x.readyState == 4 && x.responseURL.indexOf(loc.origin + "/") == 0 &&
        (h = x.getResponseHeader("Authgate-Login")) != null) {
      A.signal(h, x);
    }
  }
  if (open) {
    X.prototype.open = function () {
      var x = this;
      var h = x.onreadystatechange;
      x.onreadystatechange = null;
      x.addEventListener("readystatechange", check); // once: same listener
      x.onreadystatechange = h;
      return open.apply(x, arguments);
    };
  }
})(window);
/* authgate:core:end */

/*
 * Mode dialog, the warning, every tab agreeing, the outage notice.
 *
 * More data- attributes:
 *
 *   data-user           the signed-in user's login, filled into the dialog
 *   data-user-id        the user's id: held calls are sent again only after a
 *                       sign-in as this very user; as anyone else, the page
 *                       reloads instead. Without it, the script asks the
 *                       gate (GET /.authgate/session, beside keepalive) while
 *                       the session lives, and reloads until it knows
 *   data-idle-seconds   the gate's idle timeout (Gate.ScriptTag writes it)
 *   data-warn-seconds   warn this long before the deadline (default 120), but
 *                       never for more than a quarter of the idle timeout
 *   data-extend-on-activity="true"   typing or clicking calls keepalive
 *   data-providers      a JSON array of {"name","label"}: the identity
 *                       providers the dialog offers, one button each
 *   data-password="off" the dialog has no password form (providers only)
 *
 * In mode dialog a login-required signal opens a sign-in dialog and the page
 * stays. Every call that got the signal is held: its request was kept
 * (fetch: a clone of the Request; XHR: the open, setRequestHeader and send
 * arguments) and, after the user signs in again as the same user, the calls
 * are sent again one after the other, in order. The fetch promise then
 * resolves with the new response; a held XHR keeps its load events from the
 * page (a capturing listener, which runs before the page's own) and fires
 * them later with the new response's values. Cancel answers every held call
 * with what it first got. A call that gets the signal again after it was
 * sent again is answered with that signal: nothing is sent twice. Fetch
 * bodies that are streams cannot be kept: such calls get the signal.
 *
 * With data-providers the sign-in dialog also has a button for each identity
 * provider. Its flow runs in a popup window, so that the page stays as it is
 * (held calls, typed text, scroll); a redirect would throw it all away, and
 * a hidden frame cannot show the provider's sign-in page (providers refuse
 * to be framed) nor keep its cookies (third-party cookies are blocked). The
 * popup's last page, at the gate, posts {t:"in", u: user id} on the
 * BroadcastChannel and closes; every tab takes it as a sign-in from another
 * tab (below): the same user sends the held calls again, anyone else reloads
 * the page. The click is the user's gesture, so popup blockers let the popup
 * open; where one blocks it anyway, a note says so and the sign-in goes on in
 * this tab as in mode redirect, back to this page, without the held calls.
 *
 * The warning reads the companion cookie authgate_exp (idle and lifetime
 * deadlines, Unix seconds) once a second, so every tab shows and hides it
 * together. It opens at most a quarter of the idle timeout before the end:
 * the warning is modal, and three quarters of every idle period must stay
 * free for work however short the timeout is (with the default 120 seconds,
 * the quarter starts to bind below 8 minutes), and a session just signed in
 * or extended never opens it. The idle timeout comes from the tag, or
 * without it from the cookie, as the most time left the page has seen
 * (which a session just signed in or extended shows). When the deadline
 * passes while the page watches, the warning closes and a notice says so;
 * the page stays usable, and the next call that meets the ended session
 * opens the sign-in dialog and is held. A BroadcastChannel named "authgate"
 * carries sign-ins, sign-outs and keepalives between tabs at once. The cookie going away means that the
 * user signed out: every tab goes to the signed-out state.
 *
 * The user interface lives in a shadow root (<authgate-ui>), made on first
 * use, so its styles and the page's cannot meet and a page that never needs
 * it gets no new node at all.
 */
(function (w) {
  var A = w.authgate;
  if (!A || A.keep) return;
  var d = w.document;
  var loc = w.location;
  var data = A.data;
  var warn = +data.warnSeconds || 120;
  var user = data.user || "";
  var uid = data.userId;
  var core = A.signal;
  var Q = []; // held calls: [send again, give up]
  var M = new WeakMap(); // XHR -> what it was opened and sent with
  var kind = 0; // what the dialog shows: 0 none, 1 sign-in, 2 warning, 3 the lifetime's end
  var had, bye, seen, live, keptAt = 0, bc, root, dlg, status;
  var idle = +data.idleSeconds;
  var pw = data.password != "off";
  // The providers (data-providers, a JSON array of {name, label}). Their
  // start endpoints are Prefix+"oidc/"+name+"/start", beside keepalive
  // (Prefix+"keepalive"): a path on this origin, whatever the tag says.
  var P;
  try {
    P = JSON.parse(data.providers);
  } catch (e) {
    P = [];
  }
  var most = 0; // the most time left seen, in seconds: about the idle timeout

  function ui() {
    if (!root) {
      var host = d.createElement("authgate-ui");
      root = host.attachShadow({ mode: "open" });
      root.innerHTML = "<style>" +
        "dialog{font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#fff;border:0;border-radius:12px;padding:1.5rem;width:min(22rem,90vw)}" +
        "dialog::backdrop{background:#0008}h2{margin:0 0 .5rem;font-size:1.25rem}" +
        "label{display:block;font-weight:600;margin-top:.75rem}" +
        "input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;margin-top:.25rem;border:1px solid #6b7280;border-radius:6px}" +
        "button{font:inherit;font-weight:600;padding:.5rem 1rem;margin:1rem .5rem 0 0;border:2px solid #1f5fbf;border-radius:6px;background:#fff;color:#1f5fbf}" +
        "button:first-child{background:#1f5fbf;color:#fff}:focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}" +
        "#e{color:#a4161a;font-weight:600;margin:0}p:empty{padding:0}" +
        "[role=status]{position:fixed;bottom:1rem;left:1rem;margin:0;padding:.5rem 1rem;border-radius:6px;background:#1b1f24;color:#fff;font:14px system-ui,sans-serif}" +
        "</style><dialog aria-modal=true aria-labelledby=t aria-describedby=m></dialog><p role=status></p>";
      dlg = root.children[1];
      status = root.children[2];
      dlg.oncancel = function (e) {
        e.preventDefault(); // Escape closes nothing by itself
        if (kind == 1) done(0);
      };
      dlg.onclose = function () {
        if (kind && !dlg.open) dlg.showModal();
      };
      // Tab and Shift+Tab go round inside the dialog, never out of it.
      dlg.onkeydown = function (e) {
        var b = dlg.querySelectorAll("input,button");
        var f = b[0];
        var l = b[b.length - 1];
        if (e.key == "Tab" && root.activeElement == (e.shiftKey ? f : l)) {
          e.preventDefault();
          (e.shiftKey ? l : f).focus();
        }
      };
      dlg.onclick = function (e) {
        var f = { k: keep, o: out, i: signin, c: done }[e.target.id];
        f && f();
      };
      (d.body || d.documentElement).appendChild(host);
    }
  }

  // show puts html in the dialog, opens it and moves the focus to the
  // field marked autofocus, or else to the first button.
  function show(k, html, role) {
    ui();
    kind = k;
    role ? dlg.setAttribute("role", role) : dlg.removeAttribute("role");
    // The warning ignores Escape; where closedby is unknown, oncancel and
    // onclose keep it open.
    dlg.setAttribute("closedby", role ? "none" : "closerequest");
    dlg.innerHTML = html;
    dlg.open || dlg.showModal();
    dlg.querySelector("[autofocus],button").focus();
  }

  // signin opens the sign-in dialog; reason is the signal's, if any. It
  // offers the password form (unless data-password="off") and a button for
  // each provider; their labels go in as text, never as markup.
  function signin(reason) {
    if (kind == 1) return;
    show(1, "<form><h2 id=t>Sign in again</h2><p id=m>" +
      (reason == "expired" ? "Your session expired. " : reason == "revoked" ? "You were signed out. " : "") +
      "Sign in to carry on: your work is kept.</p><p id=e role=alert></p>" +
      (pw ? "<label>User name<input name=username autocomplete=username required" + (user ? "" : " autofocus") + "></label>" +
      "<label>Password<input name=password type=password autocomplete=current-password required" + (user ? " autofocus" : "") + "></label><div><button>Sign in</button>" : "<div>") +
      "<button type=button id=c>Cancel</button></div></form>");
    P.forEach(function (p) {
      var b = d.createElement("button");
      b.textContent = "Sign in with " + p.label;
      // The provider's flow in a popup (see the top of this part).
      b.onclick = function () {
        var u = new URL("oidc/" + p.name + "/start", A.keepaliveURL) + "?return_to=" + encodeURIComponent(loc.pathname + loc.search);
        var x = w.open(u + "&popup=1", "authgate", "popup");
        if (x) {
          x.opener = null; // the provider's pages cannot reach this one
        } else {
          status.textContent = "Pop-up blocked: signing in here.";
          loc.assign(u);
        }
      };
      dlg.append(b);
    });
    if (!pw) return;
    var f = dlg.firstChild;
    f.username.value = user;
    f.onsubmit = function (e) {
      e.preventDefault();
      var n = f.username.value;
      var say = function (s) {
        f.password.focus();
        f.children[2].textContent = s;
      };
      var body = JSON.stringify({ username: n, password: f.password.value, return_to: loc.pathname + loc.search });
      f.password.value = ""; // from here on the password is only in the request
      w.fetch(A.loginURL, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body
      }).then(function (r) {
        if (r.ok) {
          return r.json().then(function (j) {
            post({ t: "in", u: j.user_id });
            // The held calls were made for uid: sent as anyone else, or
            // as someone this page cannot tell, they would act for the
            // wrong user.
            if (!uid || j.user_id != uid) return loc.reload();
            user = n;
            done(1);
          });
        }
        say(r.status == 401 ? "Wrong user name or password." : r.status == 429 ?
          "Too many attempts. Wait " + r.headers.get("Retry-After") + " seconds and try again." :
          "Connection problem. Try again.");
      }, function () {
        say("Connection problem. Try again.");
      });
    };
  }

  // shut closes the dialog and empties it, so that nothing typed into it
  // stays in the page.
  function shut() {
    kind = 0;
    dlg.close();
    dlg.innerHTML = "";
  }

  // done closes the dialog and sends the held calls again (ok) or answers
  // them with what they first got.
  function done(ok) {
    if (kind) shut();
    Q.splice(0).reduce(function (p, c) {
      return p.then(c[ok ? 0 : 1]);
    }, Promise.resolve());
  }

  // hold keeps a call until the dialog is done. send sends it again and
  // returns a promise; give answers it with what it got.
  function hold(send, give) {
    Q.push([function () {
      return send().catch(Object);
    }, give]);
  }

  A.signal = function (reason, res) {
    if (bye) return res; // signing out: the login page comes next anyway
    if (A.mode != "dialog") return core(reason, res);
    signin(reason);
    return res;
  };

  // outage shows or hides the "connection problem" notice: a 503 that the
  // gate sends when its store cannot be reached says nothing about the
  // session. It reports whether to try again (retry says whether the call
  // may be).
  function outage(code, type, retry) {
    var o = code == 503 && /problem\+json/.test(type);
    if (o || root) {
      ui();
      status.textContent = o ? "Connection problem. " + (retry ? "Retrying…" : "Try again in a moment.") : "";
    }
    return o && retry;
  }

  // fetch: keeps a clone of each request to send it again. In mode dialog
  // a GET or HEAD that meets an outage is tried again after 1, 2, 4 and 8
  // seconds before its caller gets the 503.
  var cf = w.fetch;
  if (cf) {
    w.fetch = function (i, o) {
      var q, c;
      var n = 0;
      try {
        q = new Request(i, o);
        c = !(o && o.duplex) && q.clone();
      } catch (e) {
        return cf.apply(this, arguments);
      }
      return cf.call(this, q).then(function on(r) {
        var b = r.type == "basic";
        var dialog = A.mode == "dialog";
        if (b && r.headers.get("Authgate-Login") != null && c && dialog && !bye) {
          return new Promise(function (ok) {
            hold(function () {
              var p = cf(c);
              ok(p);
              return p;
            }, function () {
              ok(r);
            });
          });
        }
        if (b && outage(r.status, r.headers.get("Content-Type"), c && dialog && /^(GET|HEAD)$/.test(q.method) && n < 4)) {
          return new Promise(function (ok) {
            setTimeout(ok, 1e3 << n++);
          }).then(function () {
            var p = c;
            c = c.clone();
            return cf(p);
          }).then(on);
        }
        return r;
      });
    };
  }

  var X = w.XMLHttpRequest;
  var XP = X && X.prototype;
  if (XP) {
    var xo = XP.open, xs = XP.send, xh = XP.setRequestHeader;
    var fire = function (x, t) {
      x.dispatchEvent(new Event("readystatechange"));
      x.dispatchEvent(new ProgressEvent(t));
      x.dispatchEvent(new ProgressEvent("loadend"));
    };
    // An XHR's load events pass through here before the page's listeners.
    var watch = function (e) {
      var x = this;
      var s = M.get(x);
      var h;
      if (!e.isTrusted || !s) return;
      if (e.type == "readystatechange" && x.readyState == 4 && x.responseURL.indexOf(loc.origin + "/") == 0) {
        h = x.getResponseHeader("Authgate-Login");
        if (h == null) {
          outage(x.status, x.getResponseHeader("Content-Type"));
        } else if (A.mode == "dialog" && !bye) {
          s.held = 1;
          A.signal(h, x);
          hold(function () {
            return new Promise(function (end) {
              var y = new X();
              xo.apply(y, s.a);
              y.withCredentials = x.withCredentials;
              if (s.a[2] !== false) {
                y.responseType = x.responseType;
                y.timeout = x.timeout;
              }
              s.h.forEach(function (p) {
                xh.apply(y, p);
              });
              y.onloadend = function () {
                "readyState status statusText response responseText responseURL responseXML".split(" ").forEach(function (k) {
                  Object.defineProperty(x, k, { configurable: true, get: function () { return y[k]; } });
                });
                x.getResponseHeader = function (n) { return y.getResponseHeader(n); };
                x.getAllResponseHeaders = function () { return y.getAllResponseHeaders(); };
                s.held = 0;
                fire(x, y.status ? "load" : "error");
                end();
              };
              xs.call(y, s.b);
            });
          }, function () {
            s.held = 0;
            fire(x, "load");
          });
        }
      }
      if (s.held) e.stopImmediatePropagation();
    };
    XP.open = function () {
      var x = this;
      M.set(x, { a: arguments, h: [] });
      ["readystatechange", "load", "loadend"].forEach(function (t) {
        x.addEventListener(t, watch, true);
      });
      return xo.apply(x, arguments);
    };
    XP.setRequestHeader = function () {
      var s = M.get(this);
      s && s.h.push(arguments);
      return xh.apply(this, arguments);
    };
    XP.send = function (b) {
      var s = M.get(this);
      if (s) s.b = b;
      return xs.apply(this, arguments);
    };
  }

  // keep extends the session (the store's deadline moves) and tells every
  // tab.
  function keep() {
    keptAt = Date.now();
    return w.fetch(A.keepaliveURL, { method: "POST" }).then(function (r) {
      if (r.ok) {
        post({ t: "k" });
        tick();
      }
    }, Object); // offline: the warning stays, and the button works again
  }

  function out() {
    bye = 1;
    w.fetch(A.logoutURL, { method: "POST" }).finally(function () {
      post({ t: "o" });
      loc.assign(A.loginURL + "?signed_out=1");
    });
  }

  // gone brings the tab to the signed-out state: the sign-in dialog, or the
  // login page in the other modes.
  function gone(reason) {
    if (had && !bye) {
      had = 0;
      A.signal(reason);
    }
  }

  // ended: the deadline passed while the page watched. In mode dialog the
  // warning makes way for a notice and the page stays usable; the next call
  // opens the sign-in dialog. The other modes leave for the login page.
  var endedText = "Your session expired. Your work is kept: you will be asked to sign in again.";
  function ended() {
    live = 0;
    if (A.mode != "dialog") return gone("expired");
    if (kind) shut();
    ui();
    status.textContent = endedText;
  }

  // tick compares the companion cookie's deadlines with the clock: it opens,
  // updates and closes the warning.
  function tick() {
    var m = /(?:^|;\s*)authgate_exp=(\d+)\.(\d+)/.exec(d.cookie);
    if (!m) return gone("revoked");
    if (m[0] != seen) { // a new session or a new deadline
      had = 1;
      live = 0;
      if (root && status.textContent == endedText) status.textContent = "";
    }
    seen = m[0];
    var left = Math.min(m[1], m[2]) - Date.now() / 1e3;
    var lt = +m[2] <= +m[1];
    var s = Math.ceil(left);
    if (kind == 1 || !had) return;
    // A deadline that is already past when first seen says that this
    // clock is ahead of the server's, not that the session ended: only a
    // deadline watched while it was ahead can end the session here.
    if (left <= 0) return live && ended();
    live = 1;
    most = Math.max(most, left);
    if (left > Math.min(warn, (idle || most) / 4)) {
      if (kind) shut();
      return;
    }
    if (kind != 2 + lt) {
      show(2 + lt, lt ?
        "<h2 id=t>Your session will end soon</h2><p id=m aria-live=polite></p><p>It cannot be extended. Sign in again now to keep working.</p><button id=i>Sign in again</button><button id=o>Sign out</button>" :
        "<h2 id=t>Are you still there?</h2><p id=m aria-live=polite></p><button id=k>Stay signed in</button><button id=o>Sign out</button>", "alertdialog");
    }
    var t = "You will be signed out in " + (s > 60 ? Math.ceil(s / 60) + " minutes." : Math.ceil(s / 5) * 5 + " seconds.");
    var p = dlg.children[1];
    if (p.textContent != t) p.textContent = t;
  }

  function post(m) {
    bc && bc.postMessage(m);
  }
  try {
    bc = new BroadcastChannel("authgate");
    bc.onmessage = function (e) {
      var m = e.data;
      if (m.t == "o") return gone("revoked");
      if (m.t == "in") {
        // Another user signed in: this page shows someone else's work. A
        // page that does not know its user reloads rather than send held
        // calls again.
        if (uid ? m.u != uid : kind == 1) return loc.reload();
        if (kind == 1) return done(1);
      }
      tick();
    };
  } catch (e) {}

  if (data.extendOnActivity == "true") {
    ["keydown", "pointerdown"].forEach(function (t) {
      d.addEventListener(t, function () {
        if (had && !kind && Date.now() - keptAt > 6e4) keep();
      }, true);
    });
  }

  A.keep = keep;
  tick();
  setInterval(tick, 1e3);
  // A tag without data-user-id (a static one, or one a proxy inserted):
  // while the session lives, ask the gate whose it is.
  live && !uid && cf(new URL("session", A.keepaliveURL)).then(function (r) {
    return r.json();
  }).then(function (j) {
    uid = j.user_id;
    user = user || j.login;
  }, Object);
})(window);
