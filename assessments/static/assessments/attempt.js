/* Quiz attempt: autosave to the API every few seconds and on every change, keep the
   responses not yet confirmed by the server in localStorage so a dropped connection loses
   nothing, say when offline and resend when back; a countdown from the server's deadline.
   Pages: the page buttons save this page first and only then move (never while offline);
   the server decides which pages may be reached (sequential quizzes only go forward). */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var SAVE_EVERY_MS = 5000;
  var key = "lms-attempt-" + form.dataset.attempt;
  var page = form.dataset.page || "0";
  var sequential = form.dataset.sequential === "1";
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusEl = document.querySelector("[data-save-status]");
  var offlineEl = document.querySelector("[data-offline]");
  var closedEl = document.querySelector("[data-closed]");
  var dirty = false;
  var inflight = null;
  var closed = false;
  var submitting = false;
  var navigating = false;

  function status(text) { if (statusEl) statusEl.textContent = text; }

  function collect() {
    var responses = {};
    form.querySelectorAll("fieldset[data-slot]").forEach(function (fs) {
      var slot = fs.dataset.slot, qtype = fs.dataset.qtype, name = "slot-" + slot;
      var select = fs.querySelector("select[name='" + name + "']");  // an answer in the sentence
      if (qtype === "multichoice") {
        if (select) { if (select.value !== "") responses[slot] = { choice: parseInt(select.value, 10) }; return; }
        var checked = Array.prototype.map.call(
          fs.querySelectorAll("input[name='" + name + "']:checked"),
          function (el) { return parseInt(el.value, 10); });
        if (fs.dataset.single === "1") { if (checked.length) responses[slot] = { choice: checked[0] }; }
        else responses[slot] = { choices: checked };
      } else if (qtype === "truefalse") {
        var tf = select || fs.querySelector("input[name='" + name + "']:checked");
        if (tf && tf.value !== "") responses[slot] = { answer: tf.value === "true" };
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
      var select = fs.querySelector("select[name='" + name + "']");
      if (qtype === "multichoice") {
        if (select) { select.value = r.choice === undefined ? "" : String(r.choice); return; }
        var chosen = fs.dataset.single === "1" ? [r.choice] : (r.choices || []);
        fs.querySelectorAll("input[name='" + name + "']").forEach(function (el) {
          el.checked = chosen.indexOf(parseInt(el.value, 10)) !== -1;
        });
      } else if (qtype === "truefalse") {
        if (select) { select.value = r.answer === undefined ? "" : String(r.answer); return; }
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

  // localStorage holds {pending: {slot: response}}: what the server has not confirmed yet,
  // from this page and (free navigation) any other.
  function kept() {
    try { return JSON.parse(localStorage.getItem(key) || "null") || {}; } catch (e) { return {}; }
  }

  function keep(pending) {
    try {
      localStorage.setItem(key, JSON.stringify({ pending: pending, page: page, at: Date.now() }));
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }

  function pending() {
    // A sequential quiz only takes this page's answers: what another page kept is gone.
    var held = sequential ? {} : (kept().pending || {});
    var current = collect();
    Object.keys(current).forEach(function (slot) { held[slot] = current[slot]; });
    return held;
  }

  function store() { keep(pending()); }

  function confirmed(sent) {
    var held = kept().pending || {};
    Object.keys(sent).forEach(function (slot) {
      if (JSON.stringify(held[slot]) === JSON.stringify(sent[slot])) delete held[slot];
    });
    keep(held);
  }

  function forget() { try { localStorage.removeItem(key); } catch (e) {} }

  function showOffline(on) {
    if (offlineEl) offlineEl.hidden = !on;
    if (on) status(form.dataset.msgOffline);
  }

  function closeAttempt() {
    closed = true;
    if (closedEl) closedEl.hidden = false;
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    forget();
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

  // Resolves true when the server has everything (or there was nothing to send).
  function save() {
    if (closed || submitting) return Promise.resolve(false);
    if (inflight) return inflight;
    if (!dirty) return Promise.resolve(true);
    if (!navigator.onLine) { showOffline(true); return Promise.resolve(false); }
    dirty = false;
    var sent = pending();
    keep(sent);
    status(form.dataset.msgSaving);
    inflight = request("PUT", form.dataset.saveUrl, { responses: sent }).then(function (resp) {
      inflight = null;
      if (resp.ok) { showOffline(false); confirmed(sent); status(dirty ? form.dataset.msgUnsaved : form.dataset.msgSaved); return true; }
      if (resp.status === 409) { closeAttempt(); return false; }
      if (resp.status === 403) {
        // a sequential quiz moved on (in another tab): its current page is the one to show
        forget();
        window.location.href = form.dataset.reviewUrl;
        return false;
      }
      dirty = true; status(form.dataset.msgUnsaved); store();
      return false;
    }, function () {
      inflight = null; dirty = true; store(); showOffline(true);
      return false;
    });
    return inflight;
  }

  // Wait for a save on its way, then send whatever is left.
  function flush() {
    return (inflight || Promise.resolve()).then(function () { return save(); });
  }

  function changed() { dirty = true; status(form.dataset.msgUnsaved); store(); save(); }

  function goTo(target) {
    if (closed || submitting || navigating) return;
    if (!navigator.onLine) { showOffline(true); status(form.dataset.msgOfflinePage); return; }
    navigating = true;
    dirty = true;
    flush().then(function (ok) {
      if (!ok) { navigating = false; if (!closed) status(form.dataset.msgOfflinePage); return; }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "goto";
      input.value = target;
      form.appendChild(input);
      form.action = form.dataset.navigateUrl;
      HTMLFormElement.prototype.submit.call(form);  // the server saves again and moves
    });
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function () { dirty = true; store(); });
  window.addEventListener("online", function () { showOffline(false); save(); });
  window.addEventListener("offline", function () { showOffline(true); });
  setInterval(save, SAVE_EVERY_MS);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    if (submitter && submitter.dataset.goto !== undefined) { goTo(submitter.dataset.goto); return; }
    if (closed || submitting) return;
    if (!window.confirm(form.dataset.msgConfirm)) return;
    submitting = true;
    store();
    var send = function () {
      if (!navigator.onLine) { showOffline(true); return; }
      var body = sequential ? collect() : pending();
      request("POST", form.dataset.submitUrl, { responses: body }).then(function (resp) {
        if (resp.ok || resp.status === 409) {
          forget();
          window.location.href = form.dataset.reviewUrl;
        } else { submitting = false; status(form.dataset.msgUnsaved); }
      }, function () { showOffline(true); });
    };
    window.addEventListener("online", function () { if (submitting) send(); });
    send();
  });

  // What this device kept and the server may not have: put it back and send it.
  var held = kept();
  if (held.pending && Object.keys(held.pending).length) {
    apply(held.pending);
    dirty = true;
    save();
  }
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
