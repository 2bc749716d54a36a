/*
 * SCORM runtime of the FIA Academy player, in the runtime frame (runtime_frame.html):
 * window.API (SCORM 1.2) and window.API_1484_11 (SCORM 2004) on this frame, which frames
 * the SCO; content in nested frames finds them by walking up window.parent, as the standard
 * discovery algorithm does. This frame is on the content's origin: with SCORM_CONTENT_ORIGIN
 * set, another origin than the player's, so the content never reaches the platform's page,
 * cookies or CSRF token.
 *
 * Calls are synchronous for the content: values live in this frame; the data model
 * (runtime-model.js) takes its rules from the JSON spec the server embeds (to_json_spec), so
 * the browser and the server (apply_commit) enforce the same tables. The player page
 * (player.js, commits.js) owns the network and the pending commits: this frame sends it the
 * values the content sets and its commits, and its navigation requests, by postMessage to
 * the player's exact origin, and listens only to the player (origin and source checked).
 * Only as the page goes away does this frame send its last commit itself (see "The last
 * commit" below).
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-config").textContent);
  var spec = JSON.parse(document.getElementById("scorm-spec").textContent);
  var is2004 = spec.version !== "1.2";
  var Model = window.FiaScorm.dataModel(spec).Model; // runtime-model.js

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
    this.model = new Model(launch.values, launch.context, navValid, launch.shared);
    this.state = NOT_INITIALIZED;
    this.error = 0;
    this.diagnostic = "";
    this.attempt = launch.attempt;
    this.session = launch.session;
    this.pairs = [];
    this.scheduled = false;
    this.batch = 0; // values messages sent to the player, numbered
    this.unacked = []; // their commits the server has not acknowledged: [{seq, values, finish}]
    this.sentSeq = 0; // the last of them sent straight to the server (as the page goes away)
    this.lastScheduled = false;
    var path = launch.commitUrl;
    this.commitUrl = typeof path === "string" && /^\/[^\/\\]/.test(path) ? PLATFORM + path : null;
    this.commitKey = typeof launch.commitKey === "string" ? launch.commitKey : null;
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

  // Each message is a numbered batch: the player's commits take the number of their last
  // batch as seq, and so does this frame's last commit.
  Session.prototype.push = function (commit, finish) {
    if (!this.pairs.length && !commit && !finish) return;
    var pairs = this.pairs;
    this.pairs = [];
    this.batch += 1;
    if (pairs.length || finish) this.unacked.push({ seq: this.batch, values: pairs, finish: !!finish });
    send("values", { attempt: this.attempt, session: this.session, seq: this.batch, pairs: pairs,
      commit: !!commit, finish: !!finish });
    if (leaving && !this.lastScheduled) {
      // one request for the content's whole task (its unload handler: values, Terminate)
      this.lastScheduled = true;
      var self = this;
      Promise.resolve().then(function () { self.lastScheduled = false; self.sendLast(); });
    }
  };

  Session.prototype.acked = function (seq) {
    this.unacked = this.unacked.filter(function (c) { return c.seq > seq; });
  };

  // --- The last commit, as the page goes away ----------------------------------------------
  // As the tab closes, this frame's last messages may never reach the player (or the player
  // may be gone before its request leaves). So from this page's pagehide on, the batches the
  // server has not acknowledged go straight to the commit endpoint as well, each with its
  // own seq, authorised by the launch's commit key (this origin has no cookie, and needs
  // none), keepalive so that the request outlives the page. Each request carries every
  // unacknowledged batch (so that requests arriving out of order lose nothing), unless that
  // no longer fits the browser's keepalive budget: then only those not sent yet. The server
  // applies each seq once and in order: whichever of the player's and this frame's requests
  // arrives first, nothing is applied twice and nothing older overwrites anything newer.
  var leaving = false;
  var keepaliveLeft = 60000; // bytes: browsers allow 64 KiB of keepalive bodies in flight

  function bytes(text) {
    return window.TextEncoder ? new TextEncoder().encode(text).length : text.length * 3;
  }

  Session.prototype.sendLast = function () {
    var sent = this.sentSeq;
    var fresh = this.unacked.filter(function (c) { return c.seq > sent; });
    if (!this.commitUrl || !this.commitKey || !fresh.length) return;
    var self = this;
    function body(commits) {
      return JSON.stringify({ key: self.commitKey, session: self.session, commits: commits });
    }
    var text = body(this.unacked);
    if (bytes(text) > keepaliveLeft) text = body(fresh);
    var size = bytes(text);
    var keepalive = size <= keepaliveLeft;
    if (keepalive) keepaliveLeft -= size;
    this.sentSeq = fresh[fresh.length - 1].seq;
    try {
      fetch(this.commitUrl, {
        method: "POST", mode: "cors", credentials: "omit", cache: "no-store",
        referrerPolicy: "no-referrer", keepalive: keepalive,
        headers: { "Content-Type": "text/plain;charset=UTF-8" }, // no preflight
        body: text
      }).catch(function () { /* the player's copy is all that is left */ });
    } catch (e) { /* the document is already gone */ }
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
    leaving = true;
    if (current === idle) return;
    if (current.pairs.length) current.push(false, false);
    current.sendLast();
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) leaving = false; });

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
    else if (data.type === "ack" && current !== idle && data.attempt === current.attempt &&
             data.session === current.session && typeof data.seq === "number") {
      current.acked(data.seq); // the server has the commits up to seq
    }
  });

  send("ready");
})();
