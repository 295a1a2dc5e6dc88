// The part of the Chromium and Firefox adapters that is the same: both are
// driven by puppeteer-core, which gives the Page of the adapter interface
// (see run.mjs) almost as it is. What differs is how each engine lets a test
// see an HTTP authentication prompt; the adapter passes that in as watch.

// wrap turns a puppeteer browser into the adapter's Browser. watch(page,
// raised) is called with each new puppeteer page; it arranges for
// raised() to be called each time the engine raises an HTTP authentication
// prompt in that page. prompts counts them browser-wide, so that a page
// reports every prompt of its browser.
export async function wrap(name, browser, watch) {
  let prompts = 0;
  const raised = () => { prompts++; };
  const version = await browser.version();
  return {
    name,
    version,
    async newPage() {
      const p = await browser.newPage();
      await watch(p, raised);
      return wrapPage(p, () => prompts);
    },
    async close() { await browser.close(); },
  };
}

// navigating reports whether err says that the document went away under a
// script, so that a poll can go on in the new one.
function navigating(err) {
  return /context was destroyed|navigat|Cannot find context|detached|no such (frame|realm)|Inspected target/i.test(String(err && err.message || err));
}

// actTimeout bounds the wait of click and type for their element; it only
// turns a hang into a failure, and is long because CI machines are slow.
const actTimeout = 20000;

const tick = () => new Promise(r => setTimeout(r, 50));

function wrapPage(p, prompts) {
  return {
    async goto(url) { await p.goto(url, {waitUntil: "load", timeout: 20000}); },
    url() { return p.url(); },
    async evaluate(fn, ...args) { return p.evaluate(fn, ...args); },
    async waitFor(fn, timeoutMs = 10000, ...args) {
      const deadline = Date.now() + timeoutMs;
      let last = "";
      for (;;) {
        try {
          const v = await p.evaluate(fn, ...args);
          if (v) return v;
          last = JSON.stringify(v);
        } catch (e) {
          if (!navigating(e)) throw e;
          last = String(e.message || e);
        }
        if (Date.now() > deadline) {
          throw new Error(`waited ${timeoutMs} ms for ${String(fn).slice(0, 200)}; last ${last}; page at ${p.url()}`);
        }
        await tick();
      }
    },
    // click and type act in the page as a user does, so the page comes
    // to the front first: a tab in the background has no animation
    // frames, which the wait for a visible element needs.
    async click(selector) {
      try {
        await p.bringToFront();
        await p.locator(selector).setTimeout(actTimeout).click();
      } catch (e) {
        throw new Error(`clicking ${selector} at ${p.url()}: ${e.message}`);
      }
    },
    async type(selector, text) {
      try {
        await p.bringToFront();
        const h = await p.waitForSelector(selector, {visible: true, timeout: actTimeout});
        await h.focus();
        await p.keyboard.type(text);
        await h.dispose();
      } catch (e) {
        throw new Error(`typing into ${selector} at ${p.url()}: ${e.message}`);
      }
    },
    authPrompts() { return prompts(); },
    async close() { await p.close(); },
  };
}
