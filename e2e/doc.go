// Package e2e holds authgate's end-to-end tests. They drive a real Chromium
// (Debian's /usr/bin/chromium, headless) with chromedp against pages that the
// tests serve themselves from a gate with an in-memory store and a clock they
// can move, so a session expires at once. The pages load the client script
// and real jQuery 3 and 4, axios, htmx 2 and htmx 4, installed by npm from
// this folder's package.json at exact versions. The folder is a Go module of
// its own, so that chromedp and the other test-only dependencies (among them
// the routers chi and gorilla/mux, for the tests of a router wrapped whole in
// gate.Require) never enter the library's go.mod:
//
//	cd e2e && npm ci
//	go test ./...
//
// A test that needs the browser or node_modules skips with a message when
// either is missing, unless the environment variable AUTHGATE_REQUIRE (a
// comma-separated list) names "browser": then it fails. The tests of
// authgate proxy also run a small Python app (pyapp/app.py, standard library
// only) behind it; they skip without python3 unless AUTHGATE_REQUIRE names
// "python". AUTHGATE_SCREENSHOTS=1
// makes the run write docs/login.png, docs/demo.png and the steps of the
// sign-in-in-place flow, docs/flow-1-warning.png to docs/flow-4-notice.png.
//
// TestEngines runs the core scenarios once more in each of three engines:
// they are written once, in JavaScript (engines/scenarios.mjs), and driven
// through a small adapter per engine (engines/<name>.mjs): Chromium and
// Debian's firefox-esr by puppeteer-core (over the DevTools protocol and
// WebDriver BiDi), WebKitGTK's MiniBrowser by selenium-webdriver under
// Xvfb. Each scenario is a subtest, TestEngines/<engine>/<scenario>; an
// engine that is missing skips unless AUTHGATE_REQUIRE names it ("browser"
// for Chromium, "firefox", "webkit").
//
// The package has no code of its own; everything is in its tests.
package e2e
