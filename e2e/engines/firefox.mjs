// The Firefox adapter: Debian's firefox-esr, driven over WebDriver BiDi by
// puppeteer-core. An HTTP authentication prompt is seen as the BiDi event
// network.authRequired; an intercept in the authRequired phase holds the
// request there, and puppeteer answers it with a cancel (no credentials
// are set), as a user dismissing the prompt would.
import puppeteer from "puppeteer-core";
import {existsSync} from "node:fs";
import {wrap} from "./puppeteer.mjs";

const executable = process.env.AUTHGATE_FIREFOX || "/usr/bin/firefox-esr";

// missing says what is missing to run this engine, or "".
export function missing() {
  return existsSync(executable) ? "" : `${executable} is not there (apt-get install firefox-esr)`;
}

export default async function launch(opts = {headless: true}) {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: executable,
    headless: opts.headless !== false,
    // The test servers are https with httptest's own certificate.
    acceptInsecureCerts: true,
    defaultViewport: {width: 1024, height: 768},
    extraPrefsFirefox: {
      // As the Chromium flags: no background traffic, no throttled tabs.
      "network.captive-portal-service.enabled": false,
      "dom.min_background_timeout_value": 4,
    },
  });
  const bidi = browser.connection;
  await bidi.send("network.addIntercept", {phases: ["authRequired"]});
  let raised = () => {};
  bidi.on("network.authRequired", e => {
    raised();
    if (e.isBlocked) {
      // puppeteer cancels it too; whichever comes second fails, harmlessly.
      bidi.send("network.continueWithAuth", {request: e.request.request, action: "cancel"}).catch(() => {});
    }
  });
  return wrap("firefox", browser, async (page, r) => { raised = r; });
}
