/*
 * SCORM runtime of the FIA Academy player: window.API (SCORM 1.2) and window.API_1484_11
 * (SCORM 2004) on the player window, where content in nested frames finds them by walking
 * up window.parent (and window.opener) as the standard discovery algorithm does.
 *
 * Calls are synchronous for the content: values live in the page (and in localStorage);
 * the data model rules come from the JSON spec the server embeds (to_json_spec), so the
 * browser and the server (apply_commit) enforce the same tables. Commits carry an
 * increasing seq per session and are retried with backoff until the server acknowledges
 * them; what is not acknowledged survives a closed tab and is sent on the next visit.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-config").textContent);
  var spec = JSON.parse(document.getElementById("scorm-spec").textContent);
  var is2004 = spec.version !== "1.2";
  var STORE_PREFIX = "fia-scorm:" + config.userId + ":";
  var faults = spec.faults;
  var INDEX = /^(0|[1-9][0-9]{0,8})$/;
  var TARGET = /^(adl\.nav\.request_valid\.(?:choice|jump))\.\{target=([^\s{}]+)\}$/;
  var NAV_TARGET = new RegExp(spec.nav_target_pattern || "^$");
  var patterns = {};
  var prefixes = {};

  Object.keys(spec.types).forEach(function (name) {
    if (spec.types[name].pattern) patterns[name] = new RegExp(spec.types[name].pattern);
  });
  Object.keys(spec.elements).forEach(function (name) {
    var parts = name.split(".");
    for (var i = 1; i < parts.length; i++) prefixes[parts.slice(0, i).join(".")] = true;
    prefixes[name] = true;
  });

  // --- Data model -------------------------------------------------------------------------
  function parseElement(element) {
    if (!element || element.length > 512) return null;
    var target = TARGET.exec(element);
    if (target) return { element: element, template: target[1] + ".{target=n}", indices: [], target: target[2] };
    var parts = element.split(".");
    var template = [];
    var indices = [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (!part) return null;
      if (/^[0-9]+$/.test(part)) {
        if (!INDEX.test(part)) return null;
        indices.push(parseInt(part, 10));
        template.push("n");
      } else {
        template.push(part);
      }
    }
    return { element: element, template: template.join("."), indices: indices, target: null };
  }

  function arrayLevels(template, indices) {
    var levels = [];
    var parts = template.split(".");
    var concrete = [];
    var position = 0;
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "n" && position < indices.length) {
        levels.push([parts.slice(0, i).join("."), concrete.join("."), indices[position]]);
        concrete.push(String(indices[position]));
        position += 1;
      } else {
        concrete.push(parts[i]);
      }
    }
    return levels;
  }

  function Model(values, context, navValid) {
    this.values = {};
    this.counts = {};
    this.context = context || {};
    this.navValid = navValid || function () { return "unknown"; };
    this.lastFault = "";
    var self = this;
    Object.keys(values || {}).forEach(function (key) { self.restore(key, values[key]); });
  }

  Model.prototype.restore = function (key, value) {
    var ref = parseElement(key);
    if (!ref || !spec.elements[ref.template]) return;
    this.values[key] = String(value);
    this.bump(ref);
  };

  Model.prototype.bump = function (ref) {
    var self = this;
    arrayLevels(ref.template, ref.indices).forEach(function (level) {
      self.counts[level[1]] = Math.max(self.counts[level[1]] || 0, level[2] + 1);
    });
  };

  Model.prototype.count = function (path) {
    if (path === "cmi.comments_from_lms" && is2004) return 0;
    if (path === "adl.data") return 0;
    return this.counts[path] || 0;
  };

  Model.prototype.code = function (fault, why) {
    this.lastFault = why || fault || "";
    return fault ? faults[fault] : 0;
  };

  Model.prototype.number = function (element) {
    var value = this.values[element];
    if (value === undefined || value === "") return null;
    var n = parseFloat(value);
    return isNaN(n) ? null : n;
  };

  Model.prototype.evaluated = function (template) {
    var threshold = this.context["cmi.completion_threshold"];
    var passing = this.context["cmi.scaled_passing_score"];
    if (template === "cmi.completion_status" && threshold !== undefined) {
      var progress = this.number("cmi.progress_measure");
      if (progress === null) return "unknown";
      return progress >= parseFloat(threshold) ? "completed" : "incomplete";
    }
    if (template === "cmi.success_status" && passing !== undefined) {
      var scaled = this.number("cmi.score.scaled");
      if (scaled === null) return "unknown";
      return scaled >= parseFloat(passing) ? "passed" : "failed";
    }
    return undefined;
  };

  Model.prototype.get = function (element) {
    if (typeof element !== "string" || !element) return ["", this.code("EMPTY_ELEMENT")];
    var ref = parseElement(element);
    if (!ref) return ["", this.code("UNDEFINED")];
    var template = ref.template;
    var suffixes = [["._children", "NO_CHILDREN"], ["._count", "NO_COUNT"]];
    for (var s = 0; s < suffixes.length; s++) {
      var suffix = suffixes[s][0];
      if (template.slice(-suffix.length) === suffix && !spec.elements[template]) {
        var parent = template.slice(0, -suffix.length);
        return ["", this.code(prefixes[parent] ? suffixes[s][1] : "UNDEFINED")];
      }
    }
    var elementSpec = spec.elements[template];
    if (!elementSpec) return ["", this.code("UNDEFINED")];
    if (elementSpec.access.indexOf("r") < 0) return ["", this.code("WRITE_ONLY")];
    var levels = arrayLevels(template, ref.indices);
    for (var i = 0; i < levels.length; i++) {
      if (levels[i][2] >= this.count(levels[i][1])) return ["", this.code("GET_FAILURE")];
    }
    if (elementSpec.source === "count") {
      return [String(this.count(element.slice(0, -"._count".length))), this.code(null)];
    }
    if (elementSpec.source === "keyword") return [elementSpec["default"], this.code(null)];
    if (elementSpec.source === "context") {
      if (template.indexOf("adl.nav.request_valid.") === 0) {
        return [this.navValid(template, ref.target), this.code(null)];
      }
      var provided = this.context[element];
      if (provided === undefined) {
        return is2004 ? ["", this.code("NOT_INITIALIZED")] : ["", this.code(null)];
      }
      return [provided, this.code(null)];
    }
    var evaluated = is2004 ? this.evaluated(template) : undefined;
    if (evaluated !== undefined) return [evaluated, this.code(null)];
    var value = this.values[element];
    if (value === undefined) value = elementSpec["default"];
    if (value === undefined) return ["", this.code("NOT_INITIALIZED")];
    return [value, this.code(null)];
  };

  function splitLanguage(value) {
    if (value.indexOf("{lang=") !== 0) return ["", value];
    var end = value.indexOf("}");
    if (end < 0) return null;
    var language = value.slice(6, end);
    if (!/^(([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9]{1,8})*)?$/.test(language)) return null;
    return [language, value.slice(end + 1)];
  }

  function checkType(elementSpec, value) {
    var type = spec.types[elementSpec.type || ""];
    if (!type || type.name === "interaction_response") return null;
    if (type.blank_allowed && value === "") return null;
    if (elementSpec.vocabulary) {
      if (elementSpec.vocabulary.indexOf(value) >= 0) return null;
      if (!type.also_real) return "TYPE_MISMATCH";
    }
    var text = value;
    if (type.localized) {
      var split = splitLanguage(value);
      if (!split) return "TYPE_MISMATCH";
      text = split[1];
    }
    var limit = elementSpec.max_length !== undefined ? elementSpec.max_length : type.max_length;
    if (limit !== undefined && text.length > limit) return "TYPE_MISMATCH";
    if (patterns[type.name] && !patterns[type.name].test(value)) return "TYPE_MISMATCH";
    if (type.numeric || type.also_real) {
      var number = parseFloat(value);
      if (isNaN(number)) return "TYPE_MISMATCH";
      if (elementSpec.minimum !== undefined && number < elementSpec.minimum) return "OUT_OF_RANGE";
      if (elementSpec.maximum !== undefined && number > elementSpec.maximum) return "OUT_OF_RANGE";
    }
    return null;
  }

  Model.prototype.uniqueId = function (ref, value, path, writeOnce) {
    var index = ref.indices[ref.indices.length - 1];
    var current = this.values[path + "." + index + ".id"];
    if (writeOnce && current !== undefined && current !== value) return "WRITE_ONCE";
    for (var other = 0; other < this.count(path); other++) {
      if (other !== index && this.values[path + "." + other + ".id"] === value) return "DUPLICATE";
    }
    return null;
  };

  Model.prototype.rules = function (ref, value) {
    if (!is2004) return null;
    var name = ref.template;
    if (name === "cmi.objectives.n.id") return this.uniqueId(ref, value, "cmi.objectives", true);
    if (name === "cmi.interactions.n.objectives.n.id") {
      return this.uniqueId(ref, value, "cmi.interactions." + ref.indices[0] + ".objectives", false);
    }
    if (name === "cmi.interactions.n.learner_response" ||
        name === "cmi.interactions.n.correct_responses.n.pattern") {
      if (this.values["cmi.interactions." + ref.indices[0] + ".type"] === undefined) return "DEPENDENCY";
    }
    return null;
  };

  Model.prototype.set = function (element, value) {
    if (typeof element !== "string" || !element) return this.code("EMPTY_ELEMENT");
    if (value === null || value === undefined) return this.code("TYPE_MISMATCH");
    value = String(value);
    var ref = parseElement(element);
    if (!ref) {
      return this.code(is2004 && /\.0[0-9]+(\.|$)/.test(element) ? "OUT_OF_ORDER" : "UNDEFINED");
    }
    var template = ref.template;
    if (/\._(children|count|version)$/.test(template)) {
      var parent = template.slice(0, template.lastIndexOf("."));
      return this.code(spec.elements[template] || prefixes[parent] ? "KEYWORD" : "UNDEFINED");
    }
    var elementSpec = spec.elements[template];
    if (!elementSpec) return this.code("UNDEFINED");
    if (elementSpec.access.indexOf("w") < 0) return this.code("READ_ONLY");
    var levels = arrayLevels(template, ref.indices);
    for (var i = 0; i < levels.length; i++) {
      var arrayTemplate = levels[i][0];
      var count = this.count(levels[i][1]);
      var index = levels[i][2];
      if (index > count) return this.code("OUT_OF_ORDER", "index beyond _count");
      var array = spec.arrays[arrayTemplate];
      if (index === count && array) {
        if (array.limit !== undefined && index >= array.limit) return this.code("TOO_MANY");
        if (array.first && template !== arrayTemplate + ".n." + array.first) {
          return this.code("DEPENDENCY", "set " + array.first + " first");
        }
      }
    }
    var fault = null;
    if (!(template === "adl.nav.request" && NAV_TARGET.test(value))) fault = checkType(elementSpec, value);
    if (!fault) fault = this.rules(ref, value);
    if (fault) return this.code(fault, value.slice(0, 80));
    this.values[element] = value;
    this.bump(ref);
    return this.code(null);
  };

  // --- Persistence and commits ------------------------------------------------------------
  var status = document.getElementById("scorm-status");
  var offlineBanner = document.getElementById("scorm-offline");
  var errorBanner = document.getElementById("scorm-error");

  function showStatus(kind) {
    if (!status) return;
    status.textContent = status.dataset[kind] || kind;
    status.className = "badge " + (kind === "offline" ? "badge--warning" : kind === "saved" ? "badge--success" : "");
    status.dataset.state = kind;
    if (offlineBanner) offlineBanner.hidden = kind !== "offline";
  }

  function storeKey(attemptId) { return STORE_PREFIX + attemptId; }

  function save(entry) {
    try {
      if (!entry.queue.length && !(entry.pairs && entry.pairs.length)) {
        localStorage.removeItem(storeKey(entry.attempt));
      }
      else localStorage.setItem(storeKey(entry.attempt), JSON.stringify(entry));
    } catch (e) { /* storage full or disabled: the page still holds the data */ }
  }

  var entries = {};
  var inflight = {};
  var backoff = {};

  function flush(entry, keepalive) {
    if (!entry.queue.length) { refreshStatus(); return Promise.resolve(true); }
    if (inflight[entry.attempt] && !keepalive) return inflight[entry.attempt];
    showStatus("saving");
    var body = JSON.stringify({ session: entry.session, commits: entry.queue });
    var request = fetch(entry.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive && body.length < 60000,
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
      body: body
    }).then(function (response) {
      if (response.ok) return response.json();
      var error = new Error("HTTP " + response.status);
      error.status = response.status;
      throw error;
    }).then(function (answer) {
      inflight[entry.attempt] = null;
      backoff[entry.attempt] = 0;
      entry.queue = entry.queue.filter(function (c) { return c.seq > answer.seq; });
      if (answer.stale) entry.queue = [];
      save(entry);
      if (answer.completion_status && entry.onStatus) entry.onStatus(answer);
      refreshStatus();
      return entry.queue.length ? flush(entry) : true;
    }).catch(function (error) {
      inflight[entry.attempt] = null;
      var status = error.status || 0;
      if (status === 400 || status === 404 || status === 409 || status === 413) {
        // The server will never take these: keep nothing that blocks the queue.
        entry.queue = [];
        save(entry);
        showError(status);
        refreshStatus();
        return false;
      }
      showStatus("offline");
      var delay = Math.min(60000, 1000 * Math.pow(2, backoff[entry.attempt] || 0));
      backoff[entry.attempt] = (backoff[entry.attempt] || 0) + 1;
      setTimeout(function () { flush(entry); }, delay);
      return false;
    });
    inflight[entry.attempt] = request;
    return request;
  }

  function showError(code) {
    if (!errorBanner) return;
    errorBanner.hidden = false;
    errorBanner.textContent = "The server refused some progress data (" + code + ").";
  }

  function refreshStatus() {
    var pending = Object.keys(entries).some(function (k) { return entries[k].queue.length; });
    showStatus(pending ? (navigator.onLine === false ? "offline" : "saving") : "saved");
  }

  function leftovers() {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(STORE_PREFIX) === 0) found.push(JSON.parse(localStorage.getItem(key)));
      }
    } catch (e) { /* unreadable storage: nothing to resend */ }
    return found.filter(function (entry) {
      if (!entry || !entry.queue) return false;
      if (entry.pairs && entry.pairs.length) {
        entry.seq += 1;
        entry.queue.push({ seq: entry.seq, values: entry.pairs, finish: false });
        entry.pairs = [];
      }
      return entry.queue.length > 0;
    });
  }

  window.addEventListener("online", function () {
    Object.keys(entries).forEach(function (k) { backoff[k] = 0; flush(entries[k]); });
  });
  window.addEventListener("offline", function () { showStatus("offline"); });

  // --- Sessions and the API objects ------------------------------------------------------
  var NOT_INITIALIZED = 0, RUNNING = 1, TERMINATED = 2;

  function Session(launch, sco, player) {
    this.model = new Model(launch.values, launch.context, player.navValid.bind(player));
    this.state = NOT_INITIALIZED;
    this.error = 0;
    this.diagnostic = "";
    this.sco = sco;
    this.player = player;
    this.entry = {
      attempt: launch.attempt, session: launch.session, commitUrl: launch.commitUrl,
      seq: 0, queue: [], pairs: [], done: false
    };
    this.entry.onStatus = function (answer) { player.updateStatus(sco, answer); };
    entries[launch.attempt] = this.entry;
    save(this.entry);
    var self = this;
    this.timer = setInterval(function () { self.push(false); }, (config.commitInterval || 30) * 1000);
  }

  Session.prototype.push = function (finish) {
    if (!this.entry.pairs.length && !finish) return;
    this.entry.seq += 1;
    this.entry.queue.push({ seq: this.entry.seq, values: this.entry.pairs, finish: !!finish });
    this.entry.pairs = [];
    if (finish) this.entry.done = true;
    save(this.entry);
    flush(this.entry, finish);
  };

  Session.prototype.close = function () {
    clearInterval(this.timer);
    this.push(false);
    this.entry.done = true;
    save(this.entry);
  };

  Session.prototype.fail = function (code, why) { this.error = code; this.diagnostic = why || ""; return "false"; };
  Session.prototype.ok = function () { this.error = 0; this.diagnostic = ""; return "true"; };
  Session.prototype.sessionError = function (before, after) {
    if (this.state === RUNNING) return null;
    if (!is2004) return 301;
    return this.state === NOT_INITIALIZED ? before : after;
  };

  Session.prototype.initialize = function (parameter) {
    if (parameter !== "" && parameter !== undefined) return this.fail(201, "the parameter must be an empty string");
    if (this.state === RUNNING) return this.fail(is2004 ? 103 : 101, "already initialized");
    if (this.state === TERMINATED && is2004) return this.fail(104, "the session was terminated");
    this.state = RUNNING;
    return this.ok();
  };

  Session.prototype.terminate = function (parameter) {
    if (parameter !== "" && parameter !== undefined) return this.fail(201, "the parameter must be an empty string");
    var code = this.sessionError(112, 113);
    if (code !== null) return this.fail(code, "the session is not running");
    clearInterval(this.timer);
    var request = this.model.values["adl.nav.request"];
    this.push(true);
    this.state = is2004 ? TERMINATED : NOT_INITIALIZED;
    var self = this;
    if (is2004 && request && request !== "_none_") {
      setTimeout(function () { self.player.navRequest(request); }, 0);
    }
    return this.ok();
  };

  Session.prototype.getValue = function (element) {
    var code = this.sessionError(122, 123);
    if (code !== null) { this.fail(code, "the session is not running"); return ""; }
    var result = this.model.get(element);
    this.error = result[1];
    this.diagnostic = result[1] ? this.model.lastFault : "";
    return result[0];
  };

  Session.prototype.setValue = function (element, value) {
    var code = this.sessionError(132, 133);
    if (code !== null) return this.fail(code, "the session is not running");
    code = this.model.set(element, value);
    if (code) return this.fail(code, this.model.lastFault);
    this.entry.pairs.push([element, String(value)]);
    save(this.entry);
    return this.ok();
  };

  Session.prototype.commit = function (parameter) {
    if (parameter !== "" && parameter !== undefined) return this.fail(201, "the parameter must be an empty string");
    var code = this.sessionError(142, 143);
    if (code !== null) return this.fail(code, "the session is not running");
    this.push(false);
    return this.ok();
  };

  Session.prototype.errorString = function (code) { return spec.errors[String(code)] || ""; };

  var idle = {
    state: NOT_INITIALIZED, error: is2004 ? 102 : 101, diagnostic: "no item is launched",
    initialize: function () { return "false"; }, terminate: function () { return "false"; },
    getValue: function () { return ""; }, setValue: function () { return "false"; },
    commit: function () { return "false"; }, errorString: Session.prototype.errorString
  };
  var current = idle;

  function apiCall(method) {
    return function (a, b) {
      try {
        return current[method](a, b);
      } catch (e) {
        current.error = 101;
        return method === "getValue" ? "" : "false";
      }
    };
  }

  var lastError = function () { return String(current.error); };
  var errorString = function (code) { return Session.prototype.errorString(code); };
  var diagnostic = function (code) {
    if (code === undefined || code === "" || String(code) === String(current.error)) {
      return current.diagnostic || Session.prototype.errorString(current.error);
    }
    return Session.prototype.errorString(code);
  };

  if (is2004) {
    window.API_1484_11 = {
      version: "1.0",
      Initialize: apiCall("initialize"), Terminate: apiCall("terminate"),
      GetValue: apiCall("getValue"), SetValue: apiCall("setValue"), Commit: apiCall("commit"),
      GetLastError: lastError, GetErrorString: errorString, GetDiagnostic: diagnostic
    };
  } else {
    window.API = {
      LMSInitialize: apiCall("initialize"), LMSFinish: apiCall("terminate"),
      LMSGetValue: apiCall("getValue"), LMSSetValue: apiCall("setValue"), LMSCommit: apiCall("commit"),
      LMSGetLastError: lastError, LMSGetErrorString: errorString, LMSGetDiagnostic: diagnostic
    };
  }

  window.addEventListener("pagehide", function () {
    if (current !== idle && current.state === RUNNING) {
      current.push(false);
      flush(current.entry, true);
    }
  });

  // --- Prerequisites (SCORM 1.2 AICC script) ----------------------------------------------
  var LETTERS = { p: "passed", c: "completed", f: "failed", i: "incomplete", b: "browsed", n: "not attempted" };

  function prerequisitesMet(expression, statusOf) {
    if (!expression) return true;
    var tokens = expression.match(/<>|[&|~()={},*]|"[^"]*"|[^\s&|~()={},*"<>]+/g) || [];
    var position = 0;
    function peek() { return tokens[position]; }
    function take() { return tokens[position++]; }
    function done(id) { var s = statusOf(id); return s === "passed" || s === "completed"; }
    function atom() {
      var token = take();
      if (token === "(") { var value = orExpr(); take(); return value; }
      if (/^[0-9]+$/.test(token) && peek() === "*") {
        take(); take();
        var ids = [];
        while (peek() !== undefined && peek() !== "}") { var t = take(); if (t !== ",") ids.push(t); }
        take();
        return ids.filter(done).length >= parseInt(token, 10);
      }
      if (peek() === "=" || peek() === "<>") {
        var op = take();
        var wanted = take().replace(/"/g, "").toLowerCase();
        wanted = LETTERS[wanted] || wanted;
        var equal = statusOf(token) === wanted;
        return op === "=" ? equal : !equal;
      }
      return done(token);
    }
    function notExpr() {
      var t = peek();
      if (t === "~" || (t && t.toLowerCase() === "not")) { take(); return !notExpr(); }
      return atom();
    }
    function andExpr() {
      var value = notExpr();
      while (peek() === "&" || (peek() && peek().toLowerCase() === "and")) { take(); value = notExpr() && value; }
      return value;
    }
    function orExpr() {
      var value = andExpr();
      while (peek() === "|" || (peek() && peek().toLowerCase() === "or")) { take(); value = andExpr() || value; }
      return value;
    }
    try { return orExpr(); } catch (e) { return true; }
  }

  // --- The player -------------------------------------------------------------------------
  // SCORM 1.2: the browser picks the SCO (flow, choice and the AICC prerequisites).
  // SCORM 2004: the server's sequencer decides; every request goes to the launch endpoint
  // ({request, target}) and the answer carries the SCO to open and the table of contents.
  var sequenced = !!config.sequencing;

  function Player() {
    this.frame = document.getElementById("scorm-frame");
    this.toc = document.getElementById("scorm-toc");
    this.previousButton = document.getElementById("scorm-previous");
    this.nextButton = document.getElementById("scorm-next");
    this.restartButton = document.getElementById("scorm-restart");
    this.label = document.getElementById("scorm-current");
    this.notice = document.getElementById("scorm-notice");
    this.statuses = config.statuses || {};
    this.nav = null;
    this.busy = false;
    this.leaves = [];
    this.urls = {};
    var self = this;
    config.scos.forEach(function (sco) { self.urls[sco.identifier] = sco.url; });
    var organisationControl = config.manifest.control || { choice: true, flow: !is2004 };
    function walk(items, control, depth) {
      items.forEach(function (item) {
        if (item.launch && self.urls[item.identifier]) {
          self.leaves.push({ id: item.identifier, title: item.title, url: self.urls[item.identifier],
            control: control, visible: item.visible, prerequisites: item.prerequisites, depth: depth });
        }
        if (item.children && item.children.length) {
          walk(item.children, item.control || { choice: true, flow: false }, depth + (item.visible ? 1 : 0));
        }
      });
    }
    walk(config.manifest.items || [], organisationControl, 0);
    this.index = -1;
  }

  Player.prototype.statusOf = function (id) {
    var s = this.statuses[id];
    if (!s) return "not attempted";
    if (s.lesson_status) return s.lesson_status;
    if (s.success_status === "passed" || s.success_status === "failed") return s.success_status;
    return s.completion_status;
  };

  Player.prototype.allowed = function (index) {
    var leaf = this.leaves[index];
    if (!leaf) return false;
    var self = this;
    return prerequisitesMet(leaf.prerequisites, function (id) { return self.statusOf(id); });
  };

  Player.prototype.canChoose = function (index) {
    if (sequenced) {
      var leaf = this.leaves[index];
      return !!(leaf && this.nav && this.nav.valid.choice[leaf.id]);
    }
    return this.allowed(index);
  };

  Player.prototype.flowTarget = function (step) {
    if (!this.leaves[this.index]) return -1;
    for (var i = this.index + step; i >= 0 && i < this.leaves.length; i += step) {
      if (this.allowed(i)) return i;
    }
    return -1;
  };

  Player.prototype.hides = function (control) {
    return !!(this.nav && this.nav.hide && this.nav.hide.indexOf(control) >= 0);
  };

  Player.prototype.canFlow = function (step) {
    if (!sequenced) return this.flowTarget(step) >= 0;
    if (!this.nav) return false;
    return step > 0 ? !!this.nav.valid["continue"] && !this.hides("continue")
                    : !!this.nav.valid.previous && !this.hides("previous");
  };

  // adl.nav.request_valid.* for the content (SCORM 2004).
  Player.prototype.navValid = function (template, target) {
    var valid = this.nav ? this.nav.valid : null;
    if (!valid) return "unknown";
    if (template === "adl.nav.request_valid.continue") return valid["continue"] ? "true" : "false";
    if (template === "adl.nav.request_valid.previous") return valid.previous ? "true" : "false";
    if (target) {
      var table = template.indexOf(".choice") > 0 ? valid.choice : valid.jump;
      if (!table || !(target in table)) return "false";
      return table[target] ? "true" : "false";
    }
    return "unknown";
  };

  Player.prototype.indexOf = function (id) {
    for (var i = 0; i < this.leaves.length; i++) if (this.leaves[i].id === id) return i;
    return -1;
  };

  Player.prototype.tocItem = function (title, id, done, current, enabled, meta, onClick) {
    var li = document.createElement("li");
    li.className = "outline__lesson" + (current ? " is-current" : "") + (done ? " is-done" : "");
    li.dataset.item = id;
    var tick = document.createElement("span");
    tick.className = "tick";
    tick.setAttribute("aria-hidden", "true");
    tick.textContent = done ? "✓" : "";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = title;
    button.dataset.item = id;
    if (current) button.setAttribute("aria-current", "step");
    if (!enabled) button.disabled = true;
    button.addEventListener("click", onClick);
    var metaSpan = document.createElement("span");
    metaSpan.className = "outline__meta muted";
    metaSpan.textContent = meta;
    li.appendChild(tick);
    li.appendChild(button);
    li.appendChild(metaSpan);
    return li;
  };

  Player.prototype.renderToc = function () {
    if (!this.toc) return;
    var self = this;
    var labels = this.toc.dataset;
    this.toc.textContent = "";
    if (sequenced) {
      var lists = [this.toc];
      (this.nav ? this.nav.toc : []).forEach(function (entry) {
        while (lists.length > entry.depth + 1) lists.pop();
        while (lists.length < entry.depth + 1) {
          var group = document.createElement("ol");
          group.className = "scorm-toc__group";
          var parent = lists[lists.length - 1];
          (parent.lastElementChild || parent).appendChild(group);
          lists.push(group);
        }
        var done = entry.completed === true || entry.satisfied === true;
        var meta = done ? labels.done : entry.disabled ? labels.locked : "";
        var li = self.tocItem(entry.title, entry.id, done, entry.current, entry.choice, meta,
          function () { self.request("choice", entry.id); });
        li.dataset.disabled = entry.disabled ? "true" : "false";
        li.dataset.hidden = entry.hidden ? "true" : "false";
        li.hidden = entry.hidden && !entry.current;
        lists[lists.length - 1].appendChild(li);
      });
      return;
    }
    this.leaves.forEach(function (leaf, index) {
      if (!leaf.visible) return;
      var status = self.statuses[leaf.id] || {};
      var allowed = self.canChoose(index);
      self.toc.appendChild(self.tocItem(leaf.title, leaf.id, !!status.done, index === self.index,
        allowed, status.done ? labels.done : (allowed ? "" : labels.locked),
        function () { self.go(index, false); }));
    });
  };

  Player.prototype.renderNav = function () {
    this.previousButton.disabled = this.busy || !this.canFlow(-1);
    this.nextButton.disabled = this.busy || !this.canFlow(1);
    this.previousButton.hidden = sequenced && this.hides("previous");
    this.nextButton.hidden = sequenced && this.hides("continue");
    this.restartButton.disabled = this.busy || this.index < 0;
    var leaf = this.leaves[this.index];
    this.label.textContent = leaf ? leaf.title : "";
    this.renderToc();
  };

  Player.prototype.applyNavigation = function (nav) {
    if (!nav) return;
    this.nav = nav;
    this.renderNav();
  };

  Player.prototype.updateStatus = function (id, answer) {
    var previous = this.statuses[id] || {};
    var done = previous.done || answer.completion_status === "completed" || answer.success_status === "passed";
    this.statuses[id] = {
      completion_status: answer.completion_status, success_status: answer.success_status,
      lesson_status: previous.lesson_status && !is2004 ? (answer.success_status !== "unknown" ? answer.success_status : answer.completion_status) : previous.lesson_status,
      done: done
    };
    if (answer.navigation) this.nav = answer.navigation;
    this.renderNav();
  };

  Player.prototype.say = function (kind, text) {
    if (!this.notice) return;
    this.notice.hidden = !kind;
    this.notice.textContent = text || (kind ? this.notice.dataset[kind] || "" : "");
    this.notice.dataset.state = kind || "";
  };

  Player.prototype.unload = function () {
    var frame = this.frame;
    return new Promise(function (resolve) {
      if (!frame.src || frame.src === "about:blank") { resolve(); return; }
      var finished = false;
      function done() { if (!finished) { finished = true; resolve(); } }
      frame.addEventListener("load", done, { once: true });
      frame.src = "about:blank";
      setTimeout(done, 3000);
    });
  };

  // Resolves when every commit of the entry is stored (or after ten seconds: offline).
  function settled(entry) {
    return new Promise(function (resolve) {
      var waited = 0;
      (function check() {
        if (!entry.queue.length || waited >= 10000) { resolve(); return; }
        waited += 100;
        setTimeout(check, 100);
      })();
    });
  }

  // Close the running SCO and wait until its last commit is stored (the sequencer reads it).
  Player.prototype.leave = function () {
    return this.unload().then(function () {
      var entry = current !== idle ? current.entry : null;
      if (current !== idle) current.close();
      current = idle;
      return entry ? settled(entry) : null;
    });
  };

  Player.prototype.post = function (body) {
    return fetch(config.launchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrfToken },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 409) return response.json();
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  };

  Player.prototype.opened = function (launch, id) {
    var index = this.indexOf(id);
    this.index = index;
    current = new Session(launch, id, this);
    this.frame.dataset.attempt = launch.attempt;
    this.frame.dataset.item = id;
    this.frame.src = this.urls[id];
    this.say(null);
  };

  Player.prototype.failed = function () {
    this.busy = false;
    showStatus("offline");
    if (errorBanner) {
      errorBanner.hidden = false;
      errorBanner.textContent = "This item could not be opened. Check your connection and try again.";
    }
    this.renderNav();
  };

  // SCORM 1.2: open a SCO of the list.
  Player.prototype.go = function (index, restart) {
    if (sequenced) {
      var target = this.leaves[index];
      return this.request(restart ? null : "choice", target ? target.id : null, restart);
    }
    var self = this;
    var leaf = this.leaves[index];
    if (!leaf || this.busy) return Promise.resolve();
    this.busy = true;
    return this.leave().then(function () {
      return self.post({ sco: leaf.id, restart: !!restart });
    }).then(function (launch) {
      self.busy = false;
      self.opened(launch, leaf.id);
      self.renderNav();
      refreshStatus();
    }).catch(function () { self.failed(); });
  };

  // SCORM 2004: a navigation request (from the player's controls or from the content).
  Player.prototype.request = function (request, target, restart) {
    var self = this;
    if (this.busy) return Promise.resolve(false);
    if (!restart && this.nav && request === "choice" && !this.nav.valid.choice[target]) {
      this.say("refused");
      return Promise.resolve(false);
    }
    this.busy = true;
    this.renderNav();
    return this.leave().then(function () {
      return self.post({ request: request || "", target: target || "", restart: !!restart });
    }).then(function (answer) {
      self.busy = false;
      if (answer.navigation) self.nav = answer.navigation;
      if (answer.sco) {
        self.opened(answer, answer.sco);
      } else if (answer.detail) {
        self.index = -1;
        self.frame.dataset.item = "";
        self.say("refused", answer.detail);
      } else {
        self.index = -1;
        self.frame.dataset.item = "";
        self.say(answer.ended ? (self.nav && self.nav.suspended ? "suspended" : "ended") : "choose");
      }
      self.renderNav();
      refreshStatus();
      return !!answer.sco;
    }).catch(function () { self.failed(); return false; });
  };

  // A navigation request the content left in adl.nav.request when it terminated.
  Player.prototype.navRequest = function (request) {
    if (!sequenced) {
      if (/^(exit|exitAll|suspendAll|abandon|abandonAll)$/.test(request)) {
        this.unload();
        current = idle;
        this.renderNav();
      }
      return null;
    }
    if (this.busy) return null; // the player's own request wins
    var self = this;
    var entry = current !== idle ? current.entry : null;
    // Decide once the SCO's last commit is stored: its answer brings the fresh contents.
    return Promise.resolve(entry ? settled(entry) : null).then(function () {
      if (self.busy) return null;
      var target = /^\{target=([^\s{}]+)\}(choice|jump)$/.exec(request);
      var valid = self.nav ? self.nav.valid : null;
      if (target) {
        if (valid && !(valid[target[2]] || {})[target[1]]) { self.say("refused"); return null; }
        return self.request(target[2], target[1]);
      }
      if ((request === "continue" || request === "previous") && valid && !valid[request]) {
        self.say("refused");
        return null;
      }
      if (/^(continue|previous|exit|exitAll|suspendAll|abandon|abandonAll)$/.test(request)) {
        return self.request(request);
      }
      return null;
    });
  };

  Player.prototype.start = function () {
    var self = this;
    this.previousButton.addEventListener("click", function () {
      if (sequenced) self.request("previous"); else self.go(self.flowTarget(-1));
    });
    this.nextButton.addEventListener("click", function () {
      if (sequenced) self.request("continue"); else self.go(self.flowTarget(1));
    });
    this.restartButton.addEventListener("click", function () {
      if (sequenced) self.request(null, self.frame.dataset.item || null, true);
      else self.go(self.index < 0 ? 0 : self.index, true);
    });
    // Send what an earlier visit could not, before a new session makes it stale.
    var pending = leftovers().map(function (entry) { return flush(entry); });
    if (sequenced) {
      Promise.all(pending).then(function () {
        if (config.start) self.request("choice", config.start, false);
        else self.request("start");
      });
      return;
    }
    var start = this.indexOf(config.start);
    if (start < 0) {
      for (var i = 0; i < this.leaves.length; i++) {
        var s = this.statuses[this.leaves[i].id];
        if (s && s.suspended) { start = i; break; }
      }
    }
    if (start < 0) {
      for (var j = 0; j < this.leaves.length; j++) {
        var st = this.statuses[this.leaves[j].id];
        if (!(st && st.done) && this.allowed(j)) { start = j; break; }
      }
    }
    if (start < 0) start = 0;
    Promise.all(pending).then(function () { self.go(start, false); });
  };

  var player = new Player();
  window.fiaScormPlayer = player;
  player.start();
})();
