// The harness of the scenarios: the engine's pages, the test server's
// control routes, and the steps every scenario shares (open a page, sign
// in, read what the page reported).

// patience bounds every wait of a scenario. Nothing should take more than a
// fraction of it; it only turns a hang into a failure, on slow CI machines.
export const patience = 20000;

// The test user, as in the Go tests (app_test.go).
export const login = "ada";
export const password = "correct horse battery staple";
export const userID = "u-ada";

export class Harness {
  constructor(browser, ctl, bases) {
    this.browser = browser;
    this.ctlURL = ctl;
    this.bases = bases;
    this.pages = [];
  }

  // page returns the engine's i-th page (0 or 1), opening it the first
  // time. Pages are kept from one scenario to the next: they share the
  // browser's cookies and storage, as two tabs of one window.
  async page(i = 0) {
    while (this.pages.length <= i) this.pages.push(await this.browser.newPage());
    return this.pages[i];
  }

  // recover replaces the pages after a failed scenario, so that the next
  // one does not start in whatever state the failure left.
  async recover() {
    const old = this.pages;
    this.pages = [];
    for (const p of old) await p.close().catch(() => {});
    for (const app of ["main", "s418", "body", "demo", "plainhttp", "plaininsecure"]) await this.ctl(app, "reset").catch(() => {});
  }

  async prompts() {
    return this.pages.length ? this.pages[0].authPrompts() : (await this.page(0)).authPrompts();
  }

  // url returns the URL of path on the named server (main, s418, body,
  // demo, demoredirect).
  url(name, path) {
    if (!(name in this.bases)) throw new Error(`no --base ${name}`);
    return this.bases[name] + path;
  }

  // ctl asks the test server to act on the named app: expire, revoke,
  // near, real, reset; state returns what the server saw.
  async ctl(app, action) {
    const res = await fetch(`${this.ctlURL}/${app}/${action}`, {method: action === "state" ? "GET" : "POST"});
    if (!res.ok) throw new Error(`ctl ${app}/${action}: ${res.status} ${await res.text()}`);
    return res.json();
  }
  state(app) { return this.ctl(app, "state"); }
}

// notes returns what the page's origin reported in this tab (note.js).
export function notes(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("agNotes") || "[]"));
}

// waitNote waits until the tab reported want.
export function waitNote(page, want) {
  return page.waitFor(w => JSON.parse(sessionStorage.getItem("agNotes") || "[]").includes(w), patience, want);
}

// waitLogin waits for the login page and returns its URL.
export async function waitLogin(page) {
  await page.waitFor(() => location.pathname === "/login" && !!document.getElementById("authgate-password") && document.readyState === "complete", patience);
  return new URL(page.url());
}

// loginNote is the login page's note, "" when it has none.
export function loginNote(page) {
  return page.evaluate(() => (document.getElementById("authgate-note") || {textContent: ""}).textContent);
}

// signIn fills the login form on the login page and sends it.
export async function signIn(page) {
  await waitLogin(page);
  await page.evaluate((u, p) => {
    document.getElementById("authgate-username").value = u;
    document.getElementById("authgate-password").value = p;
  }, login, password);
  await page.click('button[type="submit"]');
}

// waitApp waits for one of the test app's pages, loaded, and returns its
// path and query.
export async function waitApp(page) {
  await page.waitFor(() => location.pathname !== "/login" && !!document.getElementById("app") && document.readyState === "complete", patience);
  const u = new URL(page.url());
  return u.pathname + u.search;
}

// open goes to url and, when that lands on the login page, signs in; it
// returns the path and query of the app page it ends on.
export async function open(page, url) {
  await page.goto(url);
  if (new URL(page.url()).pathname === "/login") await signIn(page);
  return waitApp(page);
}

// run runs JavaScript statements in the page for their effect. The
// function is made here and sent as its source, so that a page's
// Content-Security-Policy, which the engine's own evaluation is not under,
// does not matter.
export function run(page, src) {
  return page.evaluate(new Function(src + "\n;return null;"));
}

// The client script's user interface lives in the shadow root of
// <authgate-ui>; ui(css) selects inside it.
export const ui = css => `authgate-ui >>> ${css}`;

// dialogOpen is true when the client's dialog is open and holds css.
export function waitDialog(page, css) {
  return page.waitFor(c => {
    const h = document.querySelector("authgate-ui"), R = h && h.shadowRoot;
    const d = R && R.querySelector("dialog");
    return !!(d && d.open && d.querySelector(c));
  }, patience, css);
}

export function waitDialogClosed(page) {
  return page.waitFor(() => {
    const h = document.querySelector("authgate-ui"), R = h && h.shadowRoot;
    const d = R && R.querySelector("dialog");
    return !d || !d.open;
  }, patience);
}

// uiEval evaluates fn(R, h) with R the client's shadow root and h its host.
export function uiEval(page, fn) {
  return page.evaluate(new Function(`const h = document.querySelector("authgate-ui"), R = h && h.shadowRoot; return (${fn})(R, h);`));
}

export function countPrefix(list, prefix) {
  return list.filter(s => s.startsWith(prefix)).length;
}

// check throws when ok is false.
export function check(ok, msg) {
  if (!ok) throw new Error(msg);
}

// axe runs axe-core (served at /vendor/axe.js) on the whole document,
// shadow roots included, and returns its violations, one line each.
export async function axe(page) {
  await page.evaluate(() => {
    if (!window.axe && !document.getElementById("ag-axe")) {
      const s = document.createElement("script");
      s.id = "ag-axe";
      s.src = "/vendor/axe.js";
      document.head.appendChild(s);
    }
  });
  await page.waitFor(() => !!window.axe, patience);
  return page.evaluate(() => axe.run(document, {resultTypes: ["violations"]}).then(r =>
    r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(n => JSON.stringify(n.target)).join(", "))));
}
