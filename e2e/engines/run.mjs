// run.mjs runs the browser scenarios (scenarios.mjs) in one engine and
// prints one JSON line per scenario, for TestEngines (engines_test.go):
//
//	node engines/run.mjs --engine firefox --ctl URL --base main=URL --base s418=URL ...
//	node engines/run.mjs --engine webkit --check   # prints {"missing": "..."}
//
// The first line names the engine and its version; then each scenario gives
// {"scenario", "ok", "message", "ms", "data"}. --only REGEXP runs the
// scenarios whose names match.
//
// An engine is a module of this folder whose default export is
// launch(opts) (opts: {headless: true}), resolving to a Browser:
//
//	Browser = {name, version, newPage(): Promise<Page>, close()}
//	Page = {goto(url), url(), evaluate(fn, ...args), waitFor(fn, timeoutMs, ...args),
//	        click(selector), type(selector, text), authPrompts(), close()}
//
// evaluate runs fn (a function, sent as its source) in the page and gives
// its JSON value; waitFor polls fn until it is truthy, across navigations,
// and throws at the deadline; click and type make real mouse and key
// events; authPrompts is how many HTTP authentication prompts the engine
// raised so far, as the engine reports them. A selector is CSS, and
// "host >>> inner" selects inside host's open shadow root. A module may also
// export missing(), which says what is missing to run the engine, or "".
import {parseArgs} from "node:util";
import {existsSync} from "node:fs";
import {scenarios} from "./scenarios.mjs";
import {Harness} from "./harness.mjs";

const {values} = parseArgs({options: {
  engine: {type: "string"},
  ctl: {type: "string"},
  base: {type: "string", multiple: true, default: []},
  only: {type: "string"},
  check: {type: "boolean"},
}});
const out = obj => process.stdout.write(JSON.stringify(obj) + "\n");

if (!/^[a-z]+$/.test(values.engine || "")) {
  console.error("run.mjs: --engine NAME is required");
  process.exit(2);
}
const file = new URL(`./${values.engine}.mjs`, import.meta.url);
if (values.check) {
  if (!existsSync(file)) {
    out({missing: `engines/${values.engine}.mjs is not there`});
  } else {
    const mod = await import(file);
    out({missing: typeof mod.missing === "function" ? await mod.missing() : ""});
  }
  process.exit(0);
}

const bases = {};
for (const b of values.base) {
  const i = b.indexOf("=");
  bases[b.slice(0, i)] = b.slice(i + 1);
}
const launch = (await import(file)).default;
const browser = await launch({headless: true});
out({engine: browser.name, version: browser.version});
const h = new Harness(browser, values.ctl, bases);
const only = values.only ? new RegExp(values.only) : null;
try {
  for (const s of scenarios()) {
    if (only && !only.test(s.name)) continue;
    const t0 = Date.now();
    const prompts = await h.prompts();
    const data = {};
    try {
      await s.run(h, data);
      const raised = (await h.prompts()) - prompts;
      if (!s.prompts && raised !== 0) {
        throw new Error(`the engine raised ${raised} HTTP authentication prompts`);
      }
      out({scenario: s.name, ok: true, ms: Date.now() - t0, data});
    } catch (e) {
      out({scenario: s.name, ok: false, ms: Date.now() - t0, message: String(e && e.stack || e), data});
      await h.recover();
    }
  }
} finally {
  await browser.close();
}
