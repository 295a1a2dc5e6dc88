// The Chromium adapter: Debian's chromium, driven over the DevTools
// protocol by puppeteer-core, with the flags of the Go tests
// (browser_test.go). An HTTP authentication prompt is seen as the DevTools
// event Fetch.authRequired, which the adapter answers with a cancel, as a
// user dismissing the prompt would.
import puppeteer from "puppeteer-core";
import {existsSync} from "node:fs";
import {wrap} from "./puppeteer.mjs";

const executable = process.env.AUTHGATE_CHROMIUM || "/usr/bin/chromium";

// missing says what is missing to run this engine, or "".
export function missing() {
  return existsSync(executable) ? "" : `${executable} is not there (apt-get install chromium)`;
}

export default async function launch(opts = {headless: true}) {
  const browser = await puppeteer.launch({
    executablePath: executable,
    headless: opts.headless !== false,
    // The test servers are https with httptest's own certificate.
    acceptInsecureCerts: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage", "--disable-background-timer-throttling",
      "--disable-backgrounding-occluded-windows", "--disable-renderer-backgrounding",
      "--hide-scrollbars", "--mute-audio", "--window-size=1024,768",
    ],
    defaultViewport: {width: 1024, height: 768},
  });
  return wrap("chromium", browser, async (page, raised) => {
    const c = await page.createCDPSession();
    c.on("Fetch.requestPaused", e => {
      c.send("Fetch.continueRequest", {requestId: e.requestId}).catch(() => {});
    });
    c.on("Fetch.authRequired", e => {
      raised();
      c.send("Fetch.continueWithAuth", {requestId: e.requestId, authChallengeResponse: {response: "CancelAuth"}}).catch(() => {});
    });
    await c.send("Fetch.enable", {patterns: [{urlPattern: "*"}], handleAuthRequests: true});
  });
}
