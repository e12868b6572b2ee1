// Progressive enhancement for the filling wizard: autosave, an unsaved-changes warning, and a
// copy of unsaved text in this browser. Everything works without it; the server saves on every
// button press anyway and keeps a post that arrives after the session expired.
(function () {
  "use strict";
  // On a phone the step bar is one row that scrolls sideways: bring the current step into view.
  var current = document.querySelector("nav.steps li.current");
  if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }
})();
(function () {
  "use strict";
  var form = document.querySelector("form.wizard[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = form.querySelector(".autosave-status");
  var lost = document.querySelector("[data-session-lost]");
  var banner = document.querySelector("[data-restore]");
  var dirty = false, saving = false, stopped = false, submitting = false, signedOut = false;
  var INTERVAL = 8000;
  // Per user, assessment and step: on a shared computer nobody is offered another's text.
  var draftKey = form.dataset.draftKey;
  // Names of the fields typed in since the last save: only these are kept and offered back,
  // so an old copy never overwrites what others saved in fields this person left alone.
  var edited = {};

  function say(text) { if (status) status.textContent = text; }

  // --- the copy kept in this browser (localStorage, per assessment and step) -----------------

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // blocked by the browser
  }

  function readDraft(key) {
    var store = storage();
    if (!store || !key) return null;
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeDraft(fields) {
    var store = storage();
    if (!store || !draftKey) return;
    try {
      if (Object.keys(fields).length) {
        store.setItem(draftKey, JSON.stringify({ fields: fields, at: Date.now() }));
      } else {
        store.removeItem(draftKey);
      }
    } catch (e) { /* full or blocked: the server copy still applies */ }
  }

  function valueOf(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return null;
    if (inputs[0].type === "radio") {
      var checked = form.querySelector('[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    return inputs[0].value;
  }

  function setValue(name, value) {
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "radio") input.checked = input.value === value;
      else input.value = value;
    });
  }

  function currentFields() {
    var fields = {};
    Object.keys(edited).forEach(function (name) {
      var value = valueOf(name);
      if (value !== null) fields[name] = value;
    });
    return fields;
  }

  function persist() { writeDraft(currentFields()); }

  // --- typing and leaving ----------------------------------------------------------------------

  form.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.name || target.type === "file" || target.type === "hidden") return;
    dirty = true;
    edited[target.name] = true;
    persist();
  });
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") { edited[event.target.name] = true; dirty = true; persist(); }
  });
  form.addEventListener("submit", function (event) {
    if (signedOut) {
      // Posting now would only meet the login page; the text stays in this browser instead.
      event.preventDefault();
      persist();
      submitting = true;
      window.location.href = form.dataset.loginUrl;
      return;
    }
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    // Signed out, the text is already kept in this browser: leaving to log in loses nothing.
    if (dirty && !submitting && !signedOut) { event.preventDefault(); event.returnValue = ""; }
  });

  // --- the session ended -----------------------------------------------------------------------

  function sessionLost() {
    stopped = true;
    signedOut = true;
    dirty = true;
    persist();
    say("");
    if (lost && !lost.childNodes.length) {
      var text = document.getElementById("session-lost-text");
      if (text) lost.appendChild(text.content.cloneNode(true));
    }
  }

  // --- autosave --------------------------------------------------------------------------------

  function save() {
    if (!dirty || saving || stopped) return;
    saving = true;
    dirty = false;
    var data = new FormData(form);
    Array.from(data.keys()).forEach(function (key) {
      if (data.get(key) instanceof File) data.delete(key);
    });
    data.append("save_draft", "1");
    var sent = currentFields();
    fetch(form.dataset.autosave, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      // An expired session answers with the login page (a redirect), a 403 (CSRF or rights)
      // or some other page, never with the JSON of a save.
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || response.status === 403 || type.indexOf("application/json") !== 0) {
        sessionLost();
        return null;
      }
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (!result) return;
      if (result.body.ok) {
        Object.keys(result.body.revisions).forEach(function (code) {
          setHidden(code, "revision", result.body.revisions[code]);
        });
        Object.keys(result.body.loaded || {}).forEach(function (code) {
          setHidden(code, "loaded", result.body.loaded[code]);
        });
        // Forget what is saved now, but not what was typed while the save was on its way.
        Object.keys(sent).forEach(function (name) {
          if (valueOf(name) === sent[name]) delete edited[name];
        });
        persist();
        say(result.body.saved_text || result.body.saved_at);
      } else {
        stopped = result.status === 409;
        dirty = true;
        say((result.body.problems || []).join(" "));
      }
    }).catch(function () {
      dirty = true;  // offline: try again later
    }).then(function () { saving = false; });
  }

  function setHidden(code, field, value) {
    var input = form.querySelector('input[type=hidden][name$="-' + code + "-" + field + '"]');
    if (input) input.value = value;
  }

  window.setInterval(save, INTERVAL);

  // --- on load: forget copies the server saved, offer back the others --------------------------

  (form.dataset.savedSteps || "").split(" ").forEach(function (step) {
    if (!step || !draftKey) return;
    var store = storage();
    var key = draftKey.slice(0, draftKey.lastIndexOf(":") + 1) + step;
    if (store) { try { store.removeItem(key); } catch (e) { /* blocked */ } }
  });

  var kept = readDraft(draftKey);
  var offered = {};
  if (kept && kept.fields) {
    Object.keys(kept.fields).forEach(function (name) {
      var value = valueOf(name);
      if (value !== null && value !== kept.fields[name]) offered[name] = kept.fields[name];
    });
    if (!Object.keys(offered).length) writeDraft({});
  }
  if (banner && Object.keys(offered).length) {
    banner.hidden = false;
    banner.querySelector("[data-restore-yes]").addEventListener("click", function () {
      Object.keys(offered).forEach(function (name) {
        setValue(name, offered[name]);
        edited[name] = true;
      });
      dirty = true;
      persist();
      banner.hidden = true;
      var first = form.querySelector('[name="' + Object.keys(offered)[0] + '"]');
      if (first) first.focus();
    });
    banner.querySelector("[data-restore-no]").addEventListener("click", function () {
      writeDraft({});
      banner.hidden = true;
    });
  }
})();
