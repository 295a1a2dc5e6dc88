// The demo page's own script. It knows nothing of the authgate client
// script: it calls fetch and XMLHttpRequest as any page would, and reads only
// the documented wire format (the Authgate-Login header) to say what happened
// when a call was refused and nothing signed the user back in.
(function () {
  'use strict';

  // Browser tests compare this before and after an action to prove that the
  // page did not reload.
  window.demoLoadedAt = Date.now() + Math.random();

  var list = document.getElementById('notes');
  var status = document.getElementById('status');
  var text = document.getElementById('note-text');
  var save = document.getElementById('save');

  function say(msg) {
    status.textContent = msg;
  }

  function refusal(code, loginHeader) {
    if (loginHeader) return 'Your session has ended (' + loginHeader + '). Please sign in again.';
    if (code === 503) return 'Connection problem. Please try again in a moment.';
    return 'The server answered ' + code + '.';
  }

  function render(notes) {
    list.textContent = '';
    if (!notes.length) {
      var empty = document.createElement('li');
      empty.textContent = 'No notes yet.';
      list.appendChild(empty);
      return;
    }
    notes.forEach(function (n) {
      var li = document.createElement('li');
      li.dataset.id = String(n.id);
      li.appendChild(document.createTextNode(n.text));
      var when = document.createElement('time');
      when.dateTime = n.created_at;
      when.textContent = new Date(n.created_at).toLocaleString();
      li.appendChild(when);
      list.appendChild(li);
    });
  }

  function load() {
    list.setAttribute('aria-busy', 'true');
    return fetch('/api/notes', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        if (!res.ok || type.indexOf('application/json') !== 0) {
          throw new Error(refusal(res.status, res.headers.get('Authgate-Login')));
        }
        return res.json();
      })
      .then(function (body) {
        render(body.notes);
        list.dataset.loaded = String(Date.now());
      })
      .catch(function (err) {
        say('Could not load your notes. ' + err.message);
      })
      .finally(function () {
        list.setAttribute('aria-busy', 'false');
      });
  }

  function send() {
    var value = text.value;
    if (!value.trim()) {
      say('Write something first.');
      text.focus();
      return;
    }
    save.disabled = true;
    say('Saving…');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/notes');
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.onload = function () {
      save.disabled = false;
      var type = xhr.getResponseHeader('Content-Type') || '';
      if (xhr.status === 201 && type.indexOf('application/json') === 0) {
        text.value = '';
        say('Saved.');
        load();
        return;
      }
      var detail = refusal(xhr.status, xhr.getResponseHeader('Authgate-Login'));
      try {
        var problem = JSON.parse(xhr.responseText);
        if (problem && problem.title && !xhr.getResponseHeader('Authgate-Login')) detail = problem.title + '.';
      } catch (e) { /* not JSON: keep the status */ }
      say('Not saved. ' + detail);
    };
    xhr.onerror = function () {
      save.disabled = false;
      say('Not saved: the connection failed.');
    };
    xhr.send(JSON.stringify({ text: value }));
  }

  save.addEventListener('click', send);
  document.getElementById('refresh').addEventListener('click', function () { say(''); load(); });
  load();
})();
