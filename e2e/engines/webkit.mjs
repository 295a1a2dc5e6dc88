// The WebKit adapter: Debian's WebKitGTK (webkit2gtk-driver), its
// MiniBrowser driven over WebDriver by selenium-webdriver, on an Xvfb
// display of its own. One Xvfb, one WebKitWebDriver and one MiniBrowser
// serve every page of a run; each page is a window of that MiniBrowser.
//
// An HTTP authentication prompt cannot be seen over WebKitGTK's WebDriver:
// its user-prompt handling knows only the script dialogs, and Debian's
// build has no WebDriver BiDi. MiniBrowser is therefore started with a GTK
// module of ours (webkit_promptwatch.c, compiled with gcc at launch) that
// logs each emission of the WebKitWebView signal "authenticate", which is
// how WebKit raises the prompt, and answers it as Cancel would (the 401
// goes on to the page). authPrompts() counts those lines, browser-wide.
//
// Differences from the puppeteer adapters that a scenario may meet:
//   - url() is the page's URL as of the adapter's last command on it (every
//     evaluate and waitFor refreshes it, as do goto, click and type); a
//     scenario that must know where the page is now evaluates location.href.
//   - Commands are serialised: WebDriver has one current window, so a
//     command on another page first switches to it.
//   - Closing the last open page keeps its window (at about:blank) for the
//     next newPage, as WebDriver ends the session with its last window.
import {spawn, execFile} from "node:child_process";
import {createRequire} from "node:module";
import {existsSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {randomBytes} from "node:crypto";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const driverPath = process.env.AUTHGATE_WEBKITDRIVER || "/usr/bin/WebKitWebDriver";
const xvfbPath = process.env.AUTHGATE_XVFB || "/usr/bin/Xvfb";
const ccPath = process.env.CC || "gcc";

// miniBrowser finds Debian's MiniBrowser (libwebkit2gtk-4.1-0 puts it in
// the multiarch library folder), or returns "".
function miniBrowser() {
  if (process.env.AUTHGATE_MINIBROWSER) return process.env.AUTHGATE_MINIBROWSER;
  const dirs = ["/usr/lib"];
  try {
    for (const d of readdirSync("/usr/lib")) if (d.endsWith("-linux-gnu")) dirs.push(`/usr/lib/${d}`);
  } catch {
    // no /usr/lib: nothing found below
  }
  for (const d of dirs) {
    const p = `${d}/webkit2gtk-4.1/MiniBrowser`;
    if (existsSync(p)) return p;
  }
  return "";
}

function onPath(cmd) {
  if (cmd.includes("/")) return existsSync(cmd);
  return (process.env.PATH || "").split(":").some(d => d && existsSync(path.join(d, cmd)));
}

// missing says what is missing to run this engine, or "".
export function missing() {
  const lack = [];
  if (!existsSync(driverPath)) lack.push(`${driverPath} is not there (apt-get install webkit2gtk-driver)`);
  if (!miniBrowser()) lack.push("MiniBrowser is not there (apt-get install webkit2gtk-driver)");
  if (!existsSync(xvfbPath)) lack.push(`${xvfbPath} is not there (apt-get install xvfb)`);
  if (!onPath(ccPath)) lack.push(`${ccPath} is not there (apt-get install gcc)`);
  try {
    require.resolve("selenium-webdriver");
  } catch {
    lack.push("selenium-webdriver is not installed (cd e2e && npm ci)");
  }
  return lack.join("; ");
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// freePort asks the kernel for a free local port. Another process could
// take it before the driver does; launch retries in that case.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

// xauthority writes an authority file with one MIT-MAGIC-COOKIE-1 for any
// display (family FamilyWild, empty address and display number), so that
// only the processes this adapter starts can draw on its Xvfb.
function xauthority(file) {
  const field = b => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const family = Buffer.alloc(2);
  family.writeUInt16BE(0xffff);
  writeFileSync(file, Buffer.concat([
    family, field(Buffer.alloc(0)), field(Buffer.alloc(0)),
    field(Buffer.from("MIT-MAGIC-COOKIE-1")), field(randomBytes(16)),
  ]), {mode: 0o600});
}

// startXvfb starts Xvfb on a display number it picks itself (-displayfd)
// and resolves to [process, display].
function startXvfb(auth) {
  return new Promise((resolve, reject) => {
    const x = spawn(xvfbPath, ["-displayfd", "3", "-auth", auth, "-nolisten", "tcp", "-screen", "0", "1280x900x24"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let out = "", errText = "";
    const fail = why => reject(new Error(`Xvfb: ${why}\n${errText.slice(-2000)}`));
    x.stderr.on("data", d => { errText += d; });
    x.stdio[3].on("data", d => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        // Not holding the event loop: a run that ends without close()
        // still exits, and the exit handler kills what is left.
        x.unref();
        x.stdio[2].unref();
        x.stdio[3].unref();
        resolve([x, `:${m[1]}`]);
      }
    });
    x.on("error", e => fail(e.message));
    x.on("exit", code => fail(`exited with ${code} before it was ready`));
  });
}

// startDriver starts WebKitWebDriver on a free port and waits until its
// /status says it is ready.
async function startDriver(env) {
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const d = spawn(driverPath, [`--port=${port}`], {env, stdio: ["ignore", "ignore", "pipe"]});
    let errText = "", exited = null;
    d.stderr.on("data", t => {
      errText = (errText + t).slice(-4000);
      if (process.env.AUTHGATE_WEBKIT_LOG) process.stderr.write(t);
    });
    d.on("exit", code => { exited = code; });
    d.on("error", e => { exited = e.message; });
    const deadline = Date.now() + 15000;
    while (exited === null && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/status`);
        if (res.ok && (await res.json()).value.ready) {
          d.unref();
          d.stderr.unref();
          return [d, `http://127.0.0.1:${port}`, () => errText];
        }
      } catch {
        // not listening yet
      }
      await sleep(20);
    }
    d.kill("SIGKILL");
    lastErr = new Error(`WebKitWebDriver on port ${port} ${exited === null ? "was not ready in 15 s" : `exited (${exited})`}: ${errText}`);
  }
  throw lastErr;
}

// The script that evaluate sends: the function's source is put in the
// script's text (so a page's Content-Security-Policy, which does not bind
// WebDriver's own scripts, does not stop it), called with the arguments,
// awaited, and its value sent back as JSON with the page's URL.
function script(fn) {
  const src = typeof fn === "function" ? fn.toString() : String(fn);
  return `const done = arguments[arguments.length - 1];
const args = arguments[0];
const send = r => { try { done(JSON.stringify(r)); } catch (e) { done(JSON.stringify({error: "the value is not JSON: " + e, href: location.href})); } };
Promise.resolve().then(() => (${src})(...args)).then(
  v => send({value: v === undefined ? null : v, href: location.href}),
  e => send({error: String(e && e.stack ? e.message + "\\n" + e.stack : e), href: location.href}));`;
}

// PageError is an exception thrown by the function in the page (not a
// WebDriver error, which can come from a navigation under the script).
class PageError extends Error {}

export default async function launch(opts = {headless: true}) {
  void opts; // Xvfb is the headless mode: nothing is shown on a screen
  const lack = missing();
  if (lack) throw new Error(`webkit: ${lack}`);
  const {WebDriver, Capabilities, By} = require("selenium-webdriver");
  const {Executor, HttpClient} = require("selenium-webdriver/http");

  const dir = await mkdtemp(path.join(os.tmpdir(), "authgate-webkit-"));
  const promptsFile = path.join(dir, "prompts");
  const auth = path.join(dir, "Xauthority");
  const module = path.join(dir, "libpromptwatch.so");
  let xvfb, driver, session, stderrOf = () => "";
  let closed = false;

  const kill = () => {
    for (const p of [driver, xvfb]) {
      if (p && p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    }
  };
  process.once("exit", kill);
  const cleanup = async () => {
    kill();
    process.removeListener("exit", kill);
    await rm(dir, {recursive: true, force: true});
  };

  try {
    xauthority(auth);
    // gcc runs while Xvfb starts; its failure is taken once Xvfb is up.
    const compiled = run(ccPath, ["-shared", "-fPIC", "-O2", "-o", module, path.join(here, "webkit_promptwatch.c")])
      .then(() => null, e => e);
    let display, url;
    [xvfb, display] = await startXvfb(auth);
    const compileErr = await compiled;
    if (compileErr) throw compileErr;
    const env = {
      ...process.env,
      DISPLAY: display,
      XAUTHORITY: auth,
      AUTHGATE_WEBKIT_PROMPTS: promptsFile,
      NO_AT_BRIDGE: "1", // no accessibility bus to look for
    };
    [driver, url, stderrOf] = await startDriver(env);
    const caps = new Capabilities({
      pageLoadStrategy: "normal",
      acceptInsecureCerts: true, // the test servers are https with httptest's own certificate
      timeouts: {pageLoad: 20000, script: 30000, implicit: 0},
      "webkitgtk:browserOptions": {
        binary: miniBrowser(),
        args: ["--automation", `--gtk-module=${module}`],
      },
    });
    session = WebDriver.createSession(new Executor(new HttpClient(url)), caps);
    await session.getSession();
  } catch (e) {
    await cleanup();
    throw new Error(`webkit: launch failed: ${e.message}\n${stderrOf()}`);
  }

  const c = await session.getCapabilities();
  const version = `${c.get("browserName")} (WebKitGTK ${c.get("browserVersion")})`;

  // One command at a time, in the window of its page.
  let queue = Promise.resolve();
  let current = await session.getWindowHandle();
  let spare = current; // the first window, for the first newPage
  const open = new Set();

  function exclusive(page, fn) {
    const next = queue.then(async () => {
      if (closed) throw new Error("webkit: the browser is closed");
      if (page && page.handle !== current) {
        await session.switchTo().window(page.handle);
        current = page.handle;
      }
      return fn();
    });
    queue = next.catch(() => {});
    return next;
  }

  // find resolves a selector ("a >>> b" steps into a's open shadow root).
  async function find(selector) {
    const steps = selector.split(">>>").map(s => s.trim());
    let el = await session.findElement(By.css(steps[0]));
    for (const step of steps.slice(1)) {
      const root = await el.getShadowRoot();
      el = await root.findElement(By.css(step));
    }
    return el;
  }

  // element waits (up to 10 s, as the puppeteer adapters do) for selector
  // to select a displayed element, then acts on it.
  function element(page, selector, act) {
    return exclusive(page, async () => {
      const deadline = Date.now() + 10000;
      let last;
      for (;;) {
        try {
          const el = await find(selector);
          if (await el.isDisplayed()) {
            await act(el);
            page.href = await session.getCurrentUrl();
            return;
          }
          last = new Error("it is not displayed");
        } catch (e) {
          last = e;
        }
        if (Date.now() > deadline) throw new Error(`webkit: ${selector}: ${last && last.message}`);
        await sleep(25);
      }
    });
  }

  async function evaluate(page, fn, args) {
    const raw = await exclusive(page, () => session.executeAsyncScript(script(fn), args));
    const r = JSON.parse(raw);
    if (r.href) page.href = r.href;
    if ("error" in r) throw new PageError(r.error);
    return r.value;
  }

  function makePage(handle) {
    const page = {
      handle,
      href: "about:blank",
      async goto(url) {
        await exclusive(page, async () => {
          await session.get(url);
          page.href = await session.getCurrentUrl();
        });
      },
      url() { return page.href; },
      evaluate(fn, ...args) { return evaluate(page, fn, args); },
      async waitFor(fn, timeoutMs = 10000, ...args) {
        const deadline = Date.now() + timeoutMs;
        let last = "";
        for (;;) {
          try {
            const v = await evaluate(page, fn, args);
            if (v) return v;
            last = JSON.stringify(v);
          } catch (e) {
            if (e instanceof PageError) throw e;
            last = String(e.message || e); // a navigation under the script: poll the next document
          }
          if (Date.now() > deadline) {
            throw new Error(`waited ${timeoutMs} ms for ${String(fn).slice(0, 200)}; last ${last}; page at ${page.href}`);
          }
          await sleep(25);
        }
      },
      click(selector) { return element(page, selector, el => el.click()); },
      type(selector, text) { return element(page, selector, el => el.sendKeys(text)); },
      authPrompts() {
        try {
          return readFileSync(promptsFile, "utf8").split("\n").filter(l => l.startsWith("prompt\t")).length;
        } catch (e) {
          if (e.code === "ENOENT") return 0;
          throw e;
        }
      },
      // promptLog gives the prompts' lines (realm, host:port, page URI),
      // for a failure's message.
      promptLog() {
        return existsSync(promptsFile) ? readFileSync(promptsFile, "utf8") : "";
      },
      close() {
        return exclusive(null, async () => {
          if (!open.has(page.handle)) return;
          open.delete(page.handle);
          if (open.size === 0) {
            // WebDriver would end the session with its last window: keep it.
            if (current !== page.handle) await session.switchTo().window(page.handle);
            current = page.handle;
            await session.get("about:blank");
            spare = page.handle;
            return;
          }
          if (current !== page.handle) await session.switchTo().window(page.handle);
          await session.close();
          current = null;
        });
      },
    };
    open.add(handle);
    return page;
  }

  return {
    name: "webkit",
    version,
    newPage() {
      return exclusive(null, async () => {
        if (spare) {
          const h = spare;
          spare = null;
          if (current !== h) await session.switchTo().window(h);
          current = h;
          return makePage(h);
        }
        await session.switchTo().newWindow("window");
        current = await session.getWindowHandle();
        return makePage(current);
      });
    },
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      try {
        await Promise.race([session.quit(), sleep(10000)]);
      } catch {
        // the processes are killed below either way
      }
      await cleanup();
    },
  };
}
