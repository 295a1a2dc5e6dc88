/*! authgate client script. No dependency, no build step. */
/*
 * One <script> tag loads it; the gate prints that tag (Gate.ScriptTag) with
 * the settings as data- attributes:
 *
 *   data-login-url      the login page                 (default /login)
 *   data-logout-url     the sign-out endpoint          (default /logout)
 *   data-keepalive-url  the keepalive endpoint         (default /.authgate/keepalive)
 *   data-mode           redirect | reload | dialog     (default redirect)
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
 *   authgate.signal(reason, response)                     what happens on a signal
 *
 * signal is called once for each call that got the signal, with the value of
 * the Authgate-Login header and the Response (fetch) or the XMLHttpRequest.
 * For fetch, what it returns is what the page's code gets (a Response or a
 * promise of one), so a later part can hold a call and answer it with another
 * response. The core's signal leaves the page once, however many calls fail
 * together, and hands each caller its response unchanged.
 *
 * The core part, between the markers below, is all that modes redirect and
 * reload need; any other mode leaves the page as redirect does until a later
 * part takes signal over. A test measures the core on its own: at most 1 KB
 * minified and gzipped. Parts for later modes go after it.
 */

/* authgate:core:begin */
(function (w) {
  "use strict";
  if (w.authgate) return; // loaded twice: the first copy does the work
  var d = w.document;
  var loc = w.location;
  var tag = d.currentScript || d.querySelector("script[data-login-url]");
  var data = (tag && tag.dataset) || {};
  var left = false;

  var A = (w.authgate = {
    loginURL: data.loginUrl || "/login",
    logoutURL: data.logoutUrl || "/logout",
    keepaliveURL: data.keepaliveUrl || "/.authgate/keepalive",
    mode: data.mode || "redirect",
    signal: function (reason, res) {
      if (!left) {
        left = true;
        if (A.mode == "reload") {
          loc.reload();
        } else {
          // return_to is the page the user is on, whatever the server guessed.
          var u = A.loginURL;
          loc.assign(u + (u.indexOf("?") < 0 ? "?" : "&") + "return_to=" +
            encodeURIComponent(loc.pathname + loc.search));
        }
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
  // aborted or failed call has no headers and is left alone.
  var X = w.XMLHttpRequest;
  var open = X && X.prototype.open;
  function check() {
    var x = this;
    var h;
    if (x.readyState == 4 && x.responseURL.indexOf(loc.origin + "/") == 0 &&
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
