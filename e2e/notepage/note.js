// note(s) reports s to the test: through the tab's agNote binding where the
// test made one (chromedp), else into the tab's sessionStorage (agNotes, a
// JSON list), where a test driving another engine reads it, across the
// tab's navigations. Every navigation the page starts is reported too
// (Navigation API, where the engine has it).
function note(s) {
  if (window.agNote) { agNote(String(s)); return; }
  try {
    var l = JSON.parse(sessionStorage.getItem("agNotes") || "[]");
    l.push(String(s));
    sessionStorage.setItem("agNotes", JSON.stringify(l));
  } catch (e) {}
}
if (window.navigation) {
  navigation.addEventListener("navigate", function (e) { note("navigate:" + e.navigationType + " " + e.destination.url); });
}
