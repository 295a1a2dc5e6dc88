// The scenarios, written once for every engine. Each is {name, run(h,
// data)}: it throws on failure, and may put what it observed in data, which
// the Go test logs. prompts: true marks the one scenario that must raise the
// engine's HTTP authentication prompt; every other fails if it does.
import {
  login, password, userID, patience, notes, waitNote, waitLogin, loginNote, signIn, waitApp, open, run,
  ui, waitDialog, waitDialogClosed, uiEval, countPrefix, check, axe,
} from "./harness.mjs";

// The calls of the Go tests' libraryCalls (calls_test.go), as pages write
// them; sees: the page's own callback runs before the page is left.
const report = `function (x) { note("page:" + x.status); }`;
const calls = [
  ["fetch", "fetch", `fetch("/api/data").then(${report})`, true],
  ["fetch-post", "fetch", `fetch("/api/data", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({a: 1})}).then(${report})`, true],
  ["xhr", "xhr", `var x = new XMLHttpRequest();
    x.onreadystatechange = function () { if (x.readyState === 4) note("page:" + x.status); };
    x.open("GET", "/api/data"); x.send();`, true],
  ["jquery3", "jquery3", `$.ajax({url: "/api/data", dataType: "json"}).always(function (a, s, b) { note("page:" + (a.status === undefined ? b.status : a.status)); })`, true],
  ["jquery4", "jquery4", `$.ajax({url: "/api/data", dataType: "json"}).always(function (a, s, b) { note("page:" + (a.status === undefined ? b.status : a.status)); })`, true],
  ["axios", "axios", `axios.get("/api/data").catch(function (e) { note("page:" + e.response.status); })`, true],
  ["axios-fetch", "axios", `axios.get("/api/data", {adapter: "fetch"}).catch(function (e) { note("page:" + e.response.status); })`, false],
  ["htmx2", "htmx2", `document.getElementById("hx").click()`, false],
  ["htmx4", "htmx4", `document.getElementById("hx").click()`, false],
];

// How the server ends the session, and what the login page then says.
const ends = [
  ["expired", "expire", "expired"],
  ["revoked", "revoke", "signed out"],
];

// reset starts afresh on an app: the real clock and no live session, so
// that the next page load goes through the login page. Scenarios that only
// need to be signed in do without it and sign in when they meet the login
// page: the clock only moves on then, which spares a sign-in each.
async function reset(h, app = "main") {
  await h.ctl(app, "reset");
}

export function scenarios() {
  const list = [];
  const add = (name, run, extra = {}) => list.push({name, run, ...extra});

  // A page load when signed out goes to the login page and, after signing
  // in, back to the same page and query.
  add("page-load", async (h) => {
    await reset(h);
    const p = await h.page();
    const page = "/app/fetch?q=engines&x=1%202";
    await p.goto(h.url("main", page));
    const l = await waitLogin(p);
    check(l.searchParams.get("return_to") === page, `the login page's return_to is ${l.searchParams.get("return_to")}; want ${page}`);
    await signIn(p);
    const back = await waitApp(p);
    check(back === page, `after signing in the tab is on ${back}; want ${page}`);
  });

  // A call after the session ended, in redirect mode: the login page with
  // return_to the page, the client saw the signal first and once, no
  // protected handler ran, and signing in comes back to the page.
  for (const [reason, action, says] of ends) {
    for (const [name, lib, script, sees] of calls) {
      add(`redirect/${reason}/${name}`, async (h) => {
        const p = await h.page();
        const page = `/app/${lib}?from=${name}`;
        const got = await open(p, h.url("main", page));
        check(got === page, `after the first sign-in the tab is on ${got}; want ${page}`);
        const before = (await notes(p)).length;
        await h.ctl("main", action);
        const runs = (await h.state("main")).handlerRuns;
        await run(p, script);
        const l = await waitLogin(p);
        check(l.searchParams.get("return_to") === page, `the login page's return_to is ${l.searchParams.get("return_to")}; want ${page}`);
        const note = await loginNote(p);
        check(note.includes(says), `the login page says ${JSON.stringify(note)}; want it to say "${says}"`);
        if (sees) await waitNote(p, "page:401");
        const n = (await notes(p)).slice(before);
        check(n[0] === "signal:" + reason, `the client script did not see the signal first: ${JSON.stringify(n)}`);
        check(countPrefix(n, "signal:") === 1, `the signal was seen ${countPrefix(n, "signal:")} times: ${JSON.stringify(n)}`);
        const ran = (await h.state("main")).handlerRuns - runs;
        check(ran === 0, `${ran} protected handlers ran after the session ended`);
        await signIn(p);
        const back = await waitApp(p);
        check(back === page, `after signing in again the tab is on ${back}; want ${page}`);
      });
    }
  }

  // Dialog mode: text typed, the session ends, Save: the sign-in dialog on
  // the page with the user name filled in and the focus on the password;
  // after signing in, the held call is sent again once, with its body, the
  // typed text is still there and the page never reloaded.
  for (const [reason, action, says] of ends) {
    for (const lib of ["fetch", "xhr", "jquery3", "jquery4", "axios", "htmx2", "htmx4"]) {
      add(`dialog/${reason}/${lib}`, async (h) => {
        const p = await h.page();
        const page = `/dlg/${lib}`;
        const got = await open(p, h.url("main", page));
        check(got === page, `after the first sign-in the tab is on ${got}; want ${page}`);
        const stamp = await p.evaluate(() => window.agStamp);
        const text = `Typed in ${lib} before the session was ${reason}.`;
        await p.type("#note", text);
        await h.ctl("main", action);
        const before = (await notes(p)).length;
        const st0 = await h.state("main");
        await p.click("#save");
        await waitDialog(p, "input[type=password]");
        const msg = await uiEval(p, R => R.querySelector("#m").textContent);
        check(msg.includes(says), `the dialog says ${JSON.stringify(msg)}; want it to say "${says}"`);
        const user = await uiEval(p, R => R.querySelector("input[name=username]").value);
        check(user === login, `the dialog's user name is ${JSON.stringify(user)}; want ${login}`);
        const focus = await uiEval(p, (R, h) => document.activeElement === h && R.activeElement ? R.activeElement.name : "");
        check(focus === "password", `the focus is on ${JSON.stringify(focus)}; want the password field`);
        check((await h.state("main")).notes.length === st0.notes.length, "a note was stored before sign-in");
        await p.type(ui("input[name=password]"), password);
        await p.click(ui("button:not([type])"));
        await waitNote(p, "saved:200:" + text);
        await waitDialogClosed(p);
        const st = await h.state("main");
        const stored = st.notes.slice(st0.notes.length).filter(x => x.User === userID).map(x => x.Text);
        check(JSON.stringify(stored) === JSON.stringify([text]), `the server stored ${JSON.stringify(stored)}; want the typed note once`);
        const sent = st.noteCalls - st0.noteCalls;
        check(sent === 2, `POST /api/notes came ${sent} times; want 2: sent, and sent again once`);
        const kept = await p.evaluate(() => document.getElementById("note").value);
        check(kept === text, `the textarea holds ${JSON.stringify(kept)}; want the typed text`);
        check(await p.evaluate(() => window.agStamp) === stamp, "the page reloaded");
        const n = (await notes(p)).slice(before);
        check(countPrefix(n, "saved:") === 1, `the page's code got ${countPrefix(n, "saved:")} answers: ${JSON.stringify(n)}`);
        check(countPrefix(n, "signal:") === 1, `the client saw ${countPrefix(n, "signal:")} signals: ${JSON.stringify(n)}`);
      });
    }
  }

  // The warning before the end: an alertdialog with the focus on Stay
  // signed in and a countdown; Stay signed in moves the store's deadline.
  add("warning", async (h) => {
    await reset(h);
    await h.ctl("main", "near");
    const p = await h.page();
    await open(p, h.url("main", "/dlg/fetch"));
    await waitDialog(p, "#k");
    const role = await uiEval(p, R => R.querySelector("dialog").getAttribute("role"));
    check(role === "alertdialog", `the warning's role is ${role}; want alertdialog`);
    const focus = await uiEval(p, R => R.activeElement ? R.activeElement.textContent : "");
    check(focus === "Stay signed in", `the focus is on ${JSON.stringify(focus)}; want Stay signed in`);
    const live = await uiEval(p, R => (R.querySelector("[aria-live=polite]") || {}).textContent);
    check(live.includes("signed out in") && live.includes("minutes"), `the countdown says ${JSON.stringify(live)}`);
    await h.ctl("main", "real");
    const seen = (await h.state("main")).lastSeen;
    await p.click(ui("#k"));
    await waitDialogClosed(p);
    const now = (await h.state("main")).lastSeen;
    check(now > seen + 60000, `the store's LastSeen went from ${seen} to ${now}; want it moved on`);
    check(new URL(p.url()).pathname === "/dlg/fetch", `the tab left the page for ${p.url()}`);
  });

  // A sign-out in one tab reaches another: the sign-in dialog in mode
  // dialog, the login page and back in mode redirect.
  for (const mode of ["dialog", "redirect"]) {
    add(`tabs/sign-out/${mode}`, async (h) => {
      await reset(h);
      await h.ctl("main", "near");
      const p = await h.page(0);
      const q = await h.page(1);
      await open(p, h.url("main", "/dlg/fetch"));
      await waitDialog(p, "#o");
      const other = `/dlg/jquery3?client=${mode}`;
      await q.goto(h.url("main", other));
      await waitApp(q);
      await waitDialog(q, "#o");
      const before = (await notes(q)).length;
      await p.click(ui("#o"));
      const l = await waitLogin(p);
      check(l.searchParams.get("signed_out") === "1", `after signing out the tab is on ${l}`);
      if (mode === "dialog") {
        await waitDialog(q, "input[type=password]");
        const msg = await uiEval(q, R => R.querySelector("#m").textContent);
        check(msg.includes("signed out"), `the other tab's dialog says ${JSON.stringify(msg)}`);
        const u = new URL(q.url());
        check(u.pathname + u.search === other, `the other tab left the page for ${q.url()}`);
      } else {
        const lq = await waitLogin(q);
        check(lq.searchParams.get("return_to") === other, `the other tab's return_to is ${lq.searchParams.get("return_to")}; want ${other}`);
        const n = (await notes(q)).slice(before);
        check(n.length > 0 && n[0].startsWith("signal:"), `the other tab did not see the sign-out first: ${JSON.stringify(n)}`);
        await signIn(q);
        const back = await waitApp(q);
        check(back === other, `after signing in the other tab is on ${back}; want ${other}`);
      }
      await h.ctl("main", "real");
    });
  }

  // The seeds' own snippets, verbatim, on pages without the client script.
  const seeds = [
    ["seed003/jquery3", "s418", "/app/jquery3?client=none&seed=003", `$.ajax({url: "/api/data"})`, true],
    ["seed003/jquery4", "s418", "/app/jquery4?client=none&seed=003", `$.ajax({url: "/api/data"})`, true],
    ["seed000/jquery3", "body", "/app/jquery3?client=none&seed=000", `$.ajax({url: "/api/data"})`, false],
    ["seed000/jquery4", "body", "/app/jquery4?client=none&seed=000", `$.get("/api/data")`, false],
    ["seedless/htmx2 HX-Redirect", "main", "/app/htmx2?client=none", `document.getElementById("hx").click()`, true],
    ["seedless/htmx4 HX-Redirect", "main", "/app/htmx4?client=none", `document.getElementById("hx").click()`, true],
  ];
  for (const [name, app, page, call, returnTo] of seeds) {
    add(name, async (h) => {
      const p = await h.page();
      const got = await open(p, h.url(app, page));
      check(got === page, `after the first sign-in the tab is on ${got}; want ${page}`);
      check(!(await p.evaluate(() => "authgate" in window)), "the page loaded authgate.js");
      await h.ctl(app, "expire");
      await run(p, call);
      const l = await waitLogin(p);
      const want = returnTo ? page : null;
      check(l.searchParams.get("return_to") === want, `the login page's return_to is ${l.searchParams.get("return_to")}; want ${want}`);
      await signIn(p);
      const back = await waitApp(p);
      check(back === (returnTo ? page : "/"), `after signing in the tab is on ${back}`);
    });
  }

  // The demo's own page, as `authgate demo` serves it, under its
  // Content-Security-Policy: dialog mode (the default) keeps the note and
  // saves it after signing in again; --client-mode redirect goes to the
  // login page and back.
  add("demo/dialog", async (h) => {
    await reset(h, "demo");
    const p = await h.page();
    await p.goto(h.url("demo", "/"));
    await signIn(p);
    await p.waitFor(() => !!document.getElementById("note-text") && !!document.getElementById("notes").dataset.loaded, patience);
    const loaded = await p.evaluate(() => window.demoLoadedAt);
    const text = "Typed while the session ran out; kept by the dialog.";
    await p.type("#note-text", text);
    await h.ctl("demo", "expire");
    await p.click("#save");
    await waitDialog(p, "input[type=password]");
    const user = await uiEval(p, R => R.querySelector("input[name=username]").value);
    check(user === login, `the dialog's user name is ${JSON.stringify(user)}; want ${login}`);
    await p.type(ui("input[name=password]"), password);
    await p.click(ui("button:not([type])"));
    await waitDialogClosed(p);
    await p.waitFor(t => [...document.querySelectorAll("#notes li")].some(li => li.textContent.includes(t)), patience, text);
    const st = await h.state("demo");
    check(JSON.stringify(st.demoNotes) === JSON.stringify([text]), `the demo stored ${JSON.stringify(st.demoNotes)}; want the note once`);
    check(await p.evaluate(() => window.demoLoadedAt) === loaded, "the demo page reloaded");
  });
  add("demo/redirect", async (h) => {
    await reset(h, "demo");
    const p = await h.page();
    await p.goto(h.url("demoredirect", "/"));
    await signIn(p);
    await p.waitFor(() => !!document.getElementById("note-text") && !!document.getElementById("notes").dataset.loaded, patience);
    await h.ctl("demo", "expire");
    await p.type("#note-text", "lost to the redirect");
    await p.click("#save");
    const l = await waitLogin(p);
    check(l.searchParams.get("return_to") === "/", `the login page's return_to is ${l.searchParams.get("return_to")}; want /`);
    await signIn(p);
    await p.waitFor(() => location.pathname === "/" && !!document.getElementById("notes") && !!document.getElementById("notes").dataset.loaded, patience);
  });

  // The control of the prompt count: a navigation to a 401 with a Basic
  // challenge does raise the engine's prompt, so a count of zero in every
  // other scenario means something.
  add("auth-prompt/control", async (h) => {
    const p = await h.page();
    const before = await p.authPrompts();
    await p.goto(h.url("main", "/open/basic"));
    const deadline = Date.now() + patience;
    while ((await p.authPrompts()) === before) {
      check(Date.now() < deadline, "a navigation to a Basic challenge raised no prompt that the adapter saw");
      await new Promise(r => setTimeout(r, 25));
    }
  }, {prompts: true});

  // axe-core finds no violation in the sign-in dialog, the warning and the
  // login page; the control shows that it looks inside the shadow root.
  const a11y = [
    ["a11y/sign-in-dialog", async (h, p) => {
      await open(p, h.url("main", "/dlg/fetch"));
      await h.ctl("main", "expire");
      await p.click("#save");
      await waitDialog(p, "input[type=password]");
    }],
    ["a11y/warning", async (h, p) => {
      await reset(h);
      await h.ctl("main", "near");
      await open(p, h.url("main", "/dlg/fetch"));
      await waitDialog(p, "#k");
    }],
    ["a11y/login-page", async (h, p) => {
      await reset(h);
      await p.goto(h.url("main", "/dlg/fetch"));
      await waitLogin(p);
    }],
  ];
  for (const [name, setup] of a11y) {
    add(name, async (h) => {
      const p = await h.page();
      await setup(h, p);
      const v = await axe(p);
      check(v.length === 0, `axe-core found ${v.length} violations:\n  ${v.join("\n  ")}`);
      await h.ctl("main", "real");
    });
  }
  add("a11y/control", async (h) => {
    const p = await h.page();
    await a11y[0][1](h, p);
    await uiEval(p, R => { R.querySelector("form").appendChild(document.createElement("input")); return true; });
    const v = await axe(p);
    check(v.length > 0, "axe-core found nothing wrong with an unlabelled field in the dialog");
  });

  // What the engine sends, as the server saw it: the Fetch Metadata and
  // the other headers the gate reads, for a navigation, a form post, fetch
  // and XHR. The Go test checks them against docs/PROTOCOL.md.
  add("signals", async (h, data) => {
    const p = await h.page();
    await p.goto(h.url("main", "/open/echo?tag=navigation"));
    await p.goto(h.url("main", "/app/fetch?client=none"));
    if (new URL(p.url()).pathname === "/login") await signIn(p);
    await waitApp(p);
    await run(p, `fetch("/open/echo?tag=fetch");
      fetch("/open/echo?tag=fetch-post", {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
      var x = new XMLHttpRequest(); x.open("GET", "/open/echo?tag=xhr"); x.send();`);
    await p.waitFor(() => performance.getEntriesByType("resource").filter(e => e.name.includes("/open/echo")).length >= 3, patience);
    await run(p, `var f = document.getElementById("form"); f.action = "/open/echo?tag=form-post"; f.submit();`);
    await p.waitFor(() => location.pathname === "/open/echo", patience);
    const st = await h.state("main");
    Object.assign(data, st.echoes);
    data.has = await p.evaluate(() => ["navigation", "BroadcastChannel", "HTMLDialogElement"].filter(k => k in window));
    for (const tag of ["navigation", "fetch", "fetch-post", "xhr", "form-post"]) {
      check(tag in st.echoes, `the server saw no request ${tag}`);
    }
  });
  // Plain http to localhost: the gate's cookies are Secure there too, which
  // Chromium and Firefox keep (localhost is a secure context) and WebKitGTK
  // drops. The scenario records whether a sign-in sticks; the Go test checks
  // that against docs/PROTOCOL.md.
  add("localhost-plain-http", async (h, data) => {
    await reset(h, "plainhttp");
    const p = await h.page();
    await p.goto(h.url("plainhttp", "/app/fetch"));
    await waitLogin(p);
    await p.evaluate(() => { window.agBefore = true; });
    await signIn(p);
    await p.waitFor(() => !window.agBefore && document.readyState === "complete", patience);
    data.signInSticks = await p.evaluate(() => location.pathname !== "/login");
  });
  // The way out for WebKit on a development machine: InsecureCookies drops
  // Secure on plain http, localhost included, and the sign-in sticks in
  // every engine.
  add("localhost-plain-http-insecure", async (h) => {
    await reset(h, "plaininsecure");
    const p = await h.page();
    await p.goto(h.url("plaininsecure", "/app/fetch"));
    await waitLogin(p);
    await p.evaluate(() => { window.agBefore = true; });
    await signIn(p);
    await p.waitFor(() => !window.agBefore && document.readyState === "complete", patience);
    if (await p.evaluate(() => location.pathname === "/login")) {
      throw new Error("with InsecureCookies, a sign-in over plain http to localhost did not stick");
    }
  });
  return list;
}
