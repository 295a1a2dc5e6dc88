// note(s) reports s to the test through the tab's agNote binding, and so
// is every navigation the page starts (Navigation API).
function note(s) { if (window.agNote) agNote(String(s)); }
if (window.navigation) {
  navigation.addEventListener("navigate", function (e) { note("navigate:" + e.navigationType + " " + e.destination.url); });
}
