// The note page's saving: save(lib, text, tag) stores a note with any of
// the libraries the page has and reports note(tag + ":" + status + ":" + the
// stored text); a form submit saves with the page's own library. Needs
// note() and var lib.
function report(tag, status, text) {
  note(tag + ":" + status + (text === undefined ? "" : ":" + text));
  if (tag === "saved" && lib.indexOf("htmx") !== 0) {
    document.getElementById("out").textContent = status === 200 ? "Saved." : "Not saved (" + status + ").";
  }
}
function save(how, text, tag) {
  var body = JSON.stringify({text: text});
  switch (how) {
  case "fetch": case "home":
    return fetch("/api/notes", {method: "POST", headers: {"Content-Type": "application/json"}, body: body}).then(function (r) {
      return r.json().then(function (j) { report(tag, r.status, j.text); }, function () { report(tag, r.status); });
    });
  case "xhr":
    var x = new XMLHttpRequest();
    x.open("POST", "/api/notes");
    x.setRequestHeader("Content-Type", "application/json");
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      try { report(tag, x.status, JSON.parse(x.responseText).text); } catch (e) { report(tag, x.status); }
    };
    x.send(body);
    return;
  case "jquery3": case "jquery4":
    return $.ajax({url: "/api/notes", method: "POST", contentType: "application/json", data: body, dataType: "json"})
      .done(function (j, s, x) { report(tag, x.status, j.text); })
      .fail(function (x) { report(tag, x.status); });
  case "axios":
    return axios.post("/api/notes", {text: text})
      .then(function (r) { report(tag, r.status, r.data.text); })
      .catch(function (e) { report(tag, e.response ? e.response.status : e.message); });
  }
}
if (lib.indexOf("htmx") === 0) {
  new MutationObserver(function () {
    var p = document.getElementById("saved");
    if (p) report("saved", 200, p.dataset.text);
  }).observe(document.getElementById("out"), {childList: true});
} else {
  document.getElementById("form").addEventListener("submit", function (e) {
    e.preventDefault();
    save(lib, document.getElementById("note").value, "saved");
  });
}
note("load:" + location.pathname + location.search);
