/*
 * SCORM runtime of the FIA Academy player, in the runtime frame (runtime_frame.html):
 * window.API (SCORM 1.2) and window.API_1484_11 (SCORM 2004) on this frame, which frames
 * the SCO; content in nested frames finds them by walking up window.parent, as the standard
 * discovery algorithm does. This frame is on the content's origin: with SCORM_CONTENT_ORIGIN
 * set, another origin than the player's, so the content never reaches the platform's page,
 * cookies or CSRF token.
 *
 * Calls are synchronous for the content: values live in this frame; the data model rules
 * come from the JSON spec the server embeds (to_json_spec), so the browser and the server
 * (apply_commit) enforce the same tables. The player page (player.js, commits.js) owns the
 * network and the pending commits: this frame sends it the values the content sets and its
 * commits, and its navigation requests, by postMessage to the player's exact origin, and
 * listens only to the player (origin and source checked).
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-config").textContent);
  var spec = JSON.parse(document.getElementById("scorm-spec").textContent);
  var is2004 = spec.version !== "1.2";
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

  // --- The channel to the player --------------------------------------------------------
  var CHANNEL = "fia-scorm";
  var PLATFORM = config.platformOrigin || window.location.origin;
  var playerWindow = window.parent !== window ? window.parent : null;
  var nav = null; // the sequencer's valid requests, as the player last sent them

  function send(type, body) {
    if (!playerWindow) return;
    var message = body || {};
    message.channel = CHANNEL;
    message.type = type;
    playerWindow.postMessage(message, PLATFORM);
  }

  // adl.nav.request_valid.* for the content (SCORM 2004).
  function navValid(template, target) {
    var valid = nav ? nav.valid : null;
    if (!valid) return "unknown";
    if (template === "adl.nav.request_valid.continue") return valid["continue"] ? "true" : "false";
    if (template === "adl.nav.request_valid.previous") return valid.previous ? "true" : "false";
    if (target) {
      var table = template.indexOf(".choice") > 0 ? valid.choice : valid.jump;
      if (!table || !(target in table)) return "false";
      return table[target] ? "true" : "false";
    }
    return "unknown";
  }

  // --- Sessions and the API objects ------------------------------------------------------
  var NOT_INITIALIZED = 0, RUNNING = 1, TERMINATED = 2;

  function Session(launch) {
    this.model = new Model(launch.values, launch.context, navValid);
    this.state = NOT_INITIALIZED;
    this.error = 0;
    this.diagnostic = "";
    this.attempt = launch.attempt;
    this.session = launch.session;
    this.pairs = [];
    this.scheduled = false;
  }

  // Values set go to the player at the end of the content's task (one message for a run of
  // SetValue calls); a commit or the end of the session sends them at once, in order.
  Session.prototype.record = function (element, value) {
    this.pairs.push([element, value]);
    if (this.scheduled) return;
    this.scheduled = true;
    var self = this;
    Promise.resolve().then(function () { self.scheduled = false; self.push(false, false); });
  };

  Session.prototype.push = function (commit, finish) {
    if (!this.pairs.length && !commit && !finish) return;
    var pairs = this.pairs;
    this.pairs = [];
    send("values", { attempt: this.attempt, session: this.session, pairs: pairs, commit: !!commit, finish: !!finish });
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
    var request = this.model.values["adl.nav.request"];
    this.push(true, true);
    this.state = is2004 ? TERMINATED : NOT_INITIALIZED;
    if (is2004 && request && request !== "_none_") send("navRequest", { request: request });
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
    this.record(element, String(value));
    return this.ok();
  };

  Session.prototype.commit = function (parameter) {
    if (parameter !== "" && parameter !== undefined) return this.fail(201, "the parameter must be an empty string");
    var code = this.sessionError(142, 143);
    if (code !== null) return this.fail(code, "the session is not running");
    this.push(true, false);
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
    if (current !== idle) current.push(false, false);
  });

  // --- The SCO's frame and the player's messages -----------------------------------------
  var frame = document.getElementById("sco-frame");

  // A launch path of the package, as an address under this frame's own base (or null).
  function contentUrl(path) {
    if (typeof path !== "string" || !path || /^[a-z][a-z0-9+.-]*:|^[\/\\]/i.test(path)) return null;
    var base = window.location.origin + config.base;
    var url = new URL(path, base);
    return url.origin === window.location.origin && url.pathname.indexOf(config.base) === 0 ? url.href : null;
  }

  function launch(data) {
    var url = contentUrl(data.launch);
    if (!url || typeof data.attempt !== "number" || typeof data.session !== "number") return;
    current = new Session(data);
    nav = data.nav || null;
    frame.title = data.title || document.title;
    frame.src = url;
  }

  // Close the SCO: its unload handlers still call the API (Terminate, last values), and
  // all of that reaches the player before "unloaded".
  function unload() {
    var finished = false;
    function done() {
      if (finished) return;
      finished = true;
      if (current !== idle) current.push(false, false);
      current = idle;
      send("unloaded");
    }
    if (frame.getAttribute("src") === "about:blank") { done(); return; }
    frame.addEventListener("load", done, { once: true });
    frame.src = "about:blank";
    setTimeout(done, 3000);
  }

  // An expired address shows a page the server marks, in the SCO's frame or in a frame of
  // its own (load events of nested frames are caught on their document): the player then
  // starts again with new addresses.
  function check(element) {
    var doc = null;
    try { doc = element.contentDocument; } catch (e) { doc = null; }
    if (!doc || !doc.documentElement) return;
    if (doc.documentElement.getAttribute("data-scorm-content") === "expired") { send("expired"); return; }
    doc.addEventListener("load", function (event) {
      var tag = event.target && event.target.tagName;
      if (tag === "IFRAME" || tag === "FRAME") check(event.target);
    }, true);
  }
  frame.addEventListener("load", function () { check(frame); });

  window.addEventListener("message", function (event) {
    if (!playerWindow || event.source !== playerWindow || event.origin !== PLATFORM) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.channel !== CHANNEL) return;
    if (data.type === "launch") launch(data);
    else if (data.type === "nav") nav = data.nav || null;
    else if (data.type === "unload") unload();
    // "ack" {attempt, seq}: the server has those commits; nothing more to do here.
  });

  send("ready");
})();
