// Progressive enhancement for the filling wizard: autosave and an unsaved-changes warning.
// Everything works without it; the server saves on every button press anyway.
(function () {
  "use strict";
  var form = document.querySelector("form.wizard[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector(".autosave-status");
  var dirty = false, saving = false, stopped = false, submitting = false;
  var INTERVAL = 8000;

  function say(text) { if (status) status.textContent = text; }

  form.addEventListener("input", function (event) {
    if (event.target.type !== "file") dirty = true;
  });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });

  function save() {
    if (!dirty || saving || stopped) return;
    saving = true;
    dirty = false;
    var data = new FormData(form);
    Array.from(data.keys()).forEach(function (key) {
      if (data.get(key) instanceof File) data.delete(key);
    });
    data.append("save_draft", "1");
    fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Autosave": "1" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.body.ok) {
        Object.keys(result.body.revisions).forEach(function (code) {
          var input = form.querySelector('input[type=hidden][name$="-' + code + '-revision"]');
          if (input) input.value = result.body.revisions[code];
        });
        say(form.dataset.savedText ? form.dataset.savedText : "✓ " + result.body.saved_at);
      } else {
        stopped = result.status === 409;
        dirty = true;
        say((result.body.problems || []).join(" "));
      }
    }).catch(function () {
      dirty = true;  // offline: try again later
    }).then(function () { saving = false; });
  }
  window.setInterval(save, INTERVAL);
})();
