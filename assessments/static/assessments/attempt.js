/* Quiz attempt: autosave to the API every few seconds and on every change, keep the
   responses in localStorage so a dropped connection loses nothing, say when offline and
   resend when back; a countdown from the server's deadline. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var SAVE_EVERY_MS = 5000;
  var key = "lms-attempt-" + form.dataset.attempt;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusEl = document.querySelector("[data-save-status]");
  var offlineEl = document.querySelector("[data-offline]");
  var closedEl = document.querySelector("[data-closed]");
  var dirty = false;
  var saving = false;
  var closed = false;
  var submitting = false;

  function status(text) { if (statusEl) statusEl.textContent = text; }

  function collect() {
    var responses = {};
    form.querySelectorAll("fieldset[data-slot]").forEach(function (fs) {
      var slot = fs.dataset.slot, qtype = fs.dataset.qtype, name = "slot-" + slot;
      if (qtype === "multichoice") {
        var checked = Array.prototype.map.call(
          fs.querySelectorAll("input[name='" + name + "']:checked"),
          function (el) { return parseInt(el.value, 10); });
        if (fs.dataset.single === "1") { if (checked.length) responses[slot] = { choice: checked[0] }; }
        else responses[slot] = { choices: checked };
      } else if (qtype === "truefalse") {
        var tf = fs.querySelector("input[name='" + name + "']:checked");
        if (tf) responses[slot] = { answer: tf.value === "true" };
      } else if (qtype === "shortanswer" || qtype === "numerical") {
        var r = { answer: fs.querySelector("[name='" + name + "']").value };
        var unit = fs.querySelector("[name='" + name + "-unit']");
        if (unit && unit.value) r.unit = unit.value;
        responses[slot] = r;
      } else if (qtype === "essay") {
        responses[slot] = { text: fs.querySelector("[name='" + name + "']").value };
      } else if (qtype === "matching") {
        var matches = {};
        fs.querySelectorAll("select[data-stem]").forEach(function (sel) {
          if (sel.value !== "") matches[sel.dataset.stem] = parseInt(sel.value, 10);
        });
        responses[slot] = { matches: matches };
      } else if (qtype === "cloze") {
        var parts = {};
        fs.querySelectorAll("[data-part]").forEach(function (el) {
          if (el.value === "") return;
          parts[el.dataset.part] = el.dataset.kind === "choice" ? parseInt(el.value, 10) : el.value;
        });
        responses[slot] = { parts: parts };
      }
    });
    return responses;
  }

  function apply(responses) {
    Object.keys(responses).forEach(function (slot) {
      var fs = form.querySelector("fieldset[data-slot='" + slot + "']");
      if (!fs) return;
      var r = responses[slot], name = "slot-" + slot, qtype = fs.dataset.qtype;
      if (qtype === "multichoice") {
        var chosen = fs.dataset.single === "1" ? [r.choice] : (r.choices || []);
        fs.querySelectorAll("input[name='" + name + "']").forEach(function (el) {
          el.checked = chosen.indexOf(parseInt(el.value, 10)) !== -1;
        });
      } else if (qtype === "truefalse") {
        fs.querySelectorAll("input[name='" + name + "']").forEach(function (el) {
          el.checked = (el.value === "true") === r.answer;
        });
      } else if (qtype === "shortanswer" || qtype === "numerical") {
        fs.querySelector("[name='" + name + "']").value = r.answer || "";
        var unit = fs.querySelector("[name='" + name + "-unit']");
        if (unit) unit.value = r.unit || "";
      } else if (qtype === "essay") {
        fs.querySelector("[name='" + name + "']").value = r.text || "";
      } else if (qtype === "matching") {
        fs.querySelectorAll("select[data-stem]").forEach(function (sel) {
          var v = (r.matches || {})[sel.dataset.stem];
          sel.value = v === undefined ? "" : String(v);
        });
      } else if (qtype === "cloze") {
        fs.querySelectorAll("[data-part]").forEach(function (el) {
          var v = (r.parts || {})[el.dataset.part];
          el.value = v === undefined ? "" : String(v);
        });
      }
    });
  }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ responses: collect(), dirty: dirty, at: Date.now() }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function showOffline(on) {
    if (offlineEl) offlineEl.hidden = !on;
    if (on) status(form.dataset.msgOffline);
  }

  function closeAttempt() {
    closed = true;
    if (closedEl) closedEl.hidden = false;
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    try { localStorage.removeItem(key); } catch (e) {}
    setTimeout(function () { window.location.href = form.dataset.reviewUrl; }, 1500);
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function save() {
    if (!dirty || saving || closed || submitting) return Promise.resolve();
    if (!navigator.onLine) { showOffline(true); return Promise.resolve(); }
    saving = true;
    dirty = false;
    store();
    status(form.dataset.msgSaving);
    return request("PUT", form.dataset.saveUrl, { responses: collect() }).then(function (resp) {
      saving = false;
      if (resp.ok) { showOffline(false); status(form.dataset.msgSaved); store(); return; }
      if (resp.status === 409) { closeAttempt(); return; }
      dirty = true; status(form.dataset.msgUnsaved); store();
    }, function () {
      saving = false; dirty = true; store(); showOffline(true);
    });
  }

  function changed() { dirty = true; status(form.dataset.msgUnsaved); store(); save(); }

  form.addEventListener("change", changed);
  form.addEventListener("input", function () { dirty = true; store(); });
  window.addEventListener("online", function () { showOffline(false); save(); });
  window.addEventListener("offline", function () { showOffline(true); });
  setInterval(save, SAVE_EVERY_MS);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (closed || submitting) return;
    if (!window.confirm(form.dataset.msgConfirm)) return;
    submitting = true;
    store();
    var send = function () {
      if (!navigator.onLine) { showOffline(true); return; }
      request("POST", form.dataset.submitUrl, { responses: collect() }).then(function (resp) {
        if (resp.ok || resp.status === 409) {
          try { localStorage.removeItem(key); } catch (e) {}
          window.location.href = form.dataset.reviewUrl;
        } else { submitting = false; status(form.dataset.msgUnsaved); }
      }, function () { showOffline(true); });
    };
    window.addEventListener("online", function () { if (submitting) send(); });
    send();
  });

  // What this device kept and the server may not have: put it back and send it.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.responses && kept.dirty) { apply(kept.responses); dirty = true; save(); }
  } catch (e) {}
  if (!navigator.onLine) showOffline(true);

  // Countdown from the server's deadline, corrected for this device's clock.
  var timer = document.querySelector("[data-timer-value]");
  if (timer && form.dataset.deadline) {
    var skew = Date.parse(form.dataset.serverTime) - Date.now();
    var deadline = Date.parse(form.dataset.deadline);
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      timer.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 0 && !closed) { dirty = true; save().then(function () { closeAttempt(); }); }
      else setTimeout(tick, 1000);
    };
    tick();
  }
})();
