// Package demo is the notes app that `authgate demo` serves: a small page
// protected by an authgate.Gate, built so that every kind of caller the gate
// tells apart has something to do.
//
// The page at / loads the signed-in user's notes with fetch, saves a note
// with an XMLHttpRequest POST and also offers a plain HTML form, so that a
// page load, script calls and a form post can each meet an expired session.
// /api/notes answers JSON to the page and to machine clients with an API key
// (curl -u ID:SECRET). Notes belong to the user who wrote them.
//
// The routes New mounts:
//
//	GET  /                 the page (login required)
//	GET  /api/notes        the user's notes as JSON (session or API key)
//	POST /api/notes        add a note from a JSON body {"text": "..."}
//	POST /notes            add a note from a form field "text"; 303 to /
//	GET  /demo.js          the page's own script (public)
//	     /login, /logout, /.authgate/   the gate's endpoints
package demo
