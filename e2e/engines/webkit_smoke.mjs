// webkit_smoke.mjs exercises every method of the WebKit adapter
// (webkit.mjs) against the small site TestWebKitAdapter (webkit_test.go)
// serves, with no scenario harness:
//
//	node engines/webkit_smoke.mjs http://127.0.0.1:PORT
//
// It throws (exit 1) on the first thing that does not hold, and otherwise
// prints one JSON line: the engine's version, what each page-side check
// saw, the prompt counts, and the time each kind of command took.
import launch from "./webkit.mjs";

const base = process.argv[2];
if (!base) {
  console.error("usage: node engines/webkit_smoke.mjs BASE_URL");
  process.exit(2);
}

function check(ok, what) {
  if (!ok) throw new Error(`webkit smoke: ${what}`);
}

const ms = {};
async function timed(name, f) {
  const t0 = performance.now();
  const v = await f();
  (ms[name] ||= []).push(Math.round(performance.now() - t0));
  return v;
}

const report = {};
let browser = await timed("launch", () => launch({headless: true}));
try {
  report.engine = browser.name;
  report.version = browser.version;
  const p = await timed("newPage", () => browser.newPage());

  await timed("goto", () => p.goto(`${base}/page`));
  check(new URL(p.url()).pathname === "/page", `url() after goto is ${p.url()}`);

  // evaluate: a value, arguments, a promise, undefined, a thrown error.
  check(await p.evaluate(() => document.title) === "smoke", "the page's title");
  for (let i = 0; i < 20; i++) {
    const sum = await timed("evaluate", () => p.evaluate((a, b) => a + b, 2, i));
    check(sum === 2 + i, `evaluate with arguments gave ${sum}`);
  }
  check(await p.evaluate(async () => { await new Promise(r => setTimeout(r, 10)); return {a: [1, "x"]}; })
    .then(v => JSON.stringify(v)) === '{"a":[1,"x"]}', "evaluate awaits a promise and gives its JSON");
  check(await p.evaluate(() => undefined) === null, "undefined comes back as null");
  let threw = "";
  await p.evaluate(() => { throw new Error("boom"); }).catch(e => { threw = String(e.message); });
  check(threw.includes("boom"), `a throw in the page rejects evaluate (got ${JSON.stringify(threw)})`);

  // type and click make real (trusted) key and mouse events, in the light
  // DOM and through the shadow root of <authgate-ui>.
  await timed("type", () => p.type("#light", "hello"));
  const light = await p.evaluate(() => ({value: document.querySelector("#light").value, keys: window.trustedKeys}));
  check(light.value === "hello" && light.keys === 5, `typing into #light: ${JSON.stringify(light)}`);
  await timed("type", () => p.type("authgate-ui >>> #pw", "s3cret!"));
  await timed("click", () => p.click("authgate-ui >>> #go"));
  const shadow = await p.evaluate(() => document.body.dataset.clicked || "");
  check(shadow === "trusted:s3cret!", `the shadow root's button saw ${JSON.stringify(shadow)}`);
  let missed = "";
  await p.click("authgate-ui >>> #nothing-here").catch(e => { missed = e.message; });
  check(missed.includes("#nothing-here"), "click on no element fails, naming the selector");

  // What a same-origin fetch and XMLHttpRequest send (the server keeps the
  // headers too; the Go test compares).
  report.fetch = await p.evaluate(async () => (await fetch("/echo?via=fetch")).json());
  report.xhr = await p.evaluate(() => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("GET", "/echo?via=xhr");
    x.onload = () => resolve(JSON.parse(x.responseText));
    x.onerror = () => reject(new Error("xhr failed"));
    x.send();
  }));

  // The prompt control: a 401 without a challenge raises no prompt; a
  // navigation and a fetch to a 401 with "WWW-Authenticate: Basic" do.
  const prompts0 = await p.authPrompts();
  const plain = await p.evaluate(async () => (await fetch("/nochallenge")).status);
  check(plain === 401, `fetch /nochallenge gave ${plain}`);
  report.promptsAfterPlain401 = (await p.authPrompts()) - prompts0;
  check(report.promptsAfterPlain401 === 0, `a 401 without a challenge counted ${report.promptsAfterPlain401} prompts`);

  const viaFetch = await p.evaluate(async () => (await fetch("/basic?via=fetch")).status);
  report.fetchBasicStatus = viaFetch;
  report.promptsAfterFetchBasic = (await p.authPrompts()) - prompts0;
  check(report.promptsAfterFetchBasic === 1, `a fetch of a Basic challenge counted ${report.promptsAfterFetchBasic} prompts\n${p.promptLog()}`);

  await timed("goto", () => p.goto(`${base}/basic?via=navigation`));
  report.promptsAfterNavigationBasic = (await p.authPrompts()) - prompts0;
  check(report.promptsAfterNavigationBasic === 2, `a navigation to a Basic challenge counted ${report.promptsAfterNavigationBasic - 1} prompts\n${p.promptLog()}`);
  const shown = await p.evaluate(() => document.body.textContent.trim());
  check(shown === "denied", `after the prompt was dismissed the page shows ${JSON.stringify(shown)}`);
  check(p.promptLog().includes("\tauthgate-control\t"), `the prompt log names the control realm: ${p.promptLog()}`);

  // waitFor: across a navigation, with arguments, and its deadline.
  await p.goto(`${base}/page`);
  await p.evaluate(() => { setTimeout(() => location.assign("/next"), 100); });
  await timed("waitFor", () => p.waitFor(want => location.pathname === want && document.readyState === "complete", 10000, "/next"));
  check(new URL(p.url()).pathname === "/next", `url() after waitFor is ${p.url()}`);
  let late = "";
  await p.waitFor(() => false, 300).catch(e => { late = e.message; });
  check(late.startsWith("waited 300 ms"), `waitFor's deadline: ${JSON.stringify(late)}`);

  // A second page: its own window, both usable in turn, and the last
  // closed page's window kept for the next one.
  const q = await timed("newPage", () => browser.newPage());
  await q.goto(`${base}/page?second`);
  check(await q.evaluate(() => location.search) === "?second", "the second page's URL");
  check(await p.evaluate(() => location.pathname) === "/next", "the first page, after the second was used");
  report.visibility = await Promise.all([p, q].map(x => x.evaluate(() => document.visibilityState)));
  await q.close();
  await p.close();
  const r = await browser.newPage();
  await r.goto(`${base}/page`);
  check(await r.evaluate(() => document.title) === "smoke", "a page opened after every page was closed");
  await r.close();
} finally {
  await timed("close", () => browser.close());
  browser = null;
}

const median = a => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
report.ms = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, {n: v.length, median: median(v), max: Math.max(...v)}]));
process.stdout.write(JSON.stringify(report) + "\n");
