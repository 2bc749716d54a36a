/*
 * The FIA Academy SCORM player (the platform's page): the table of contents, the
 * navigation buttons, launches, and the commits (commits.js).
 *
 * The content runs in the runtime frame (runtime.js, runtime_frame.html), on the content
 * origin when SCORM_CONTENT_ORIGIN is set and on this page's origin otherwise; the same
 * code either way. That frame holds the SCORM API the SCO calls and frames the SCO; it
 * talks to this page only by postMessage, to and from exact origins:
 *
 *   runtime → player   ready · values {attempt, session, seq, pairs, commit, finish}
 *                      · navRequest {request} · unloaded · expired
 *   player → runtime   launch {attempt, session, values, context, shared, launch, title,
 *                      nav, commitUrl, commitKey} · nav {nav} · unload
 *                      · ack {attempt, session, seq}
 *
 * This page owns the network: it POSTs the commits with its CSRF token (never readable by
 * the content) and keeps what is not yet stored in its own localStorage. (As the tab closes,
 * the runtime frame also sends what is not acknowledged, with the launch's commit key.)
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("scorm-config").textContent);
  var spec = JSON.parse(document.getElementById("scorm-spec").textContent);
  var is2004 = spec.version !== "1.2";
  var CHANNEL = "fia-scorm";
  var CONTENT_ORIGIN = config.contentOrigin || window.location.origin;
  var errorBanner = document.getElementById("scorm-error");

  var prerequisitesMet = window.FiaScorm.prerequisitesMet;

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
    this.titles = {};
    var self = this;
    config.scos.forEach(function (sco) {
      self.urls[sco.identifier] = sco.launch;
      self.titles[sco.identifier] = sco.title;
    });
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
    this.current = null; // the commits entry of the open SCO
    this.readyWaiters = [];
    this.isReady = false;
    this.unloadWaiter = null;
    var player = this;
    this.commits = new window.FiaScorm.Commits({
      userId: config.userId, csrfToken: config.csrfToken, commitInterval: config.commitInterval,
      onAnswer: function (entry, answer) {
        player.send("ack", { attempt: entry.attempt, session: entry.session, seq: answer.seq });
        if (answer.completion_status) player.updateStatus(entry.sco, answer);
      }
    });
    window.addEventListener("message", function (event) { player.receive(event); });
  }

  // --- The channel to the runtime frame ---------------------------------------------------
  Player.prototype.send = function (type, body) {
    var target = this.frame.contentWindow;
    if (!target) return;
    var message = body || {};
    message.channel = CHANNEL;
    message.type = type;
    target.postMessage(message, CONTENT_ORIGIN);
  };

  function isPairs(pairs) {
    if (!Array.isArray(pairs) || pairs.length > 100000) return false;
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i];
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        return false;
      }
    }
    return true;
  }

  // Only the runtime frame, from the content origin, is listened to; and it can only report
  // values of the session it was given and ask for navigation, as the SCO's API could.
  Player.prototype.receive = function (event) {
    if (event.source !== this.frame.contentWindow || event.origin !== CONTENT_ORIGIN) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.channel !== CHANNEL) return;
    if (data.type === "ready") {
      this.isReady = true;
      this.readyWaiters.splice(0).forEach(function (resolve) { resolve(true); });
    } else if (data.type === "values") {
      var entry = this.commits.entry(data.attempt, data.session);
      if (!entry || !isPairs(data.pairs)) return;
      this.commits.add(entry, data.pairs, data.seq);
      if (data.finish) this.commits.push(entry, true);
      else if (data.commit) this.commits.push(entry, false);
    } else if (data.type === "navRequest") {
      if (typeof data.request === "string" && data.request.length < 4096) this.navRequest(data.request);
    } else if (data.type === "unloaded") {
      if (this.unloadWaiter) this.unloadWaiter();
    } else if (data.type === "expired") {
      this.expired();
    }
  };

  // Resolves true once the runtime frame said it is ready, false after `wait` ms without.
  Player.prototype.ready = function (wait) {
    var self = this;
    if (this.isReady) return Promise.resolve(true);
    return new Promise(function (resolve) {
      self.readyWaiters.push(resolve);
      setTimeout(function () { resolve(false); }, wait);
    });
  };

  // The content's address has expired (or the runtime frame never answered): reload the
  // page, which makes new addresses, once what is pending is stored. Not twice a minute.
  Player.prototype.expired = function () {
    var key = "fia-scorm-reloaded:" + config.packageId;
    var last = 0;
    try { last = parseInt(sessionStorage.getItem(key) || "0", 10) || 0; } catch (e) { last = 0; }
    if (Date.now() - last < 60000) { this.failed(); return; }
    try { sessionStorage.setItem(key, String(Date.now())); } catch (e) { /* no storage */ }
    this.busy = true;
    this.leave().then(function () { window.location.reload(); });
  };

  Player.prototype.shareNav = function () {
    this.send("nav", { nav: this.nav ? { valid: this.nav.valid } : null });
  };

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
    this.shareNav();
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
    if (answer.navigation) { this.nav = answer.navigation; this.shareNav(); }
    this.renderNav();
  };

  Player.prototype.say = function (kind, text) {
    if (!this.notice) return;
    this.notice.hidden = !kind;
    this.notice.textContent = text || (kind ? this.notice.dataset[kind] || "" : "");
    this.notice.dataset.state = kind || "";
  };

  // The runtime frame closes the SCO (its unload handlers still report their values, which
  // arrive before "unloaded").
  Player.prototype.unload = function () {
    var self = this;
    if (!this.current) return Promise.resolve();
    return new Promise(function (resolve) {
      var finished = false;
      function done() {
        if (finished) return;
        finished = true;
        self.unloadWaiter = null;
        resolve();
      }
      self.unloadWaiter = done;
      self.send("unload");
      setTimeout(done, 5000);
    });
  };

  // Close the running SCO and wait until its last commit is stored (the sequencer reads it).
  Player.prototype.leave = function () {
    var self = this;
    return this.unload().then(function () {
      var entry = self.current;
      self.current = null;
      if (!entry) return null;
      self.commits.close(entry);
      return self.commits.settled(entry);
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
    this.index = this.indexOf(id);
    this.current = this.commits.open(launch, id);
    this.send("launch", {
      attempt: launch.attempt, session: launch.session, values: launch.values,
      context: launch.context, shared: launch.shared || [], launch: this.urls[id],
      title: this.titles[id] || "", nav: this.nav ? { valid: this.nav.valid } : null,
      commitUrl: launch.commitUrl, commitKey: launch.commitKey
    });
    this.frame.dataset.attempt = launch.attempt;
    this.frame.dataset.item = id;
    this.say(null);
  };

  Player.prototype.failed = function () {
    this.busy = false;
    this.commits.showStatus("offline");
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
      self.commits.refreshStatus();
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
      self.shareNav();
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
      self.commits.refreshStatus();
      return !!answer.sco;
    }).catch(function () { self.failed(); return false; });
  };

  // A navigation request the content left in adl.nav.request when it terminated.
  Player.prototype.navRequest = function (request) {
    if (!sequenced) {
      if (/^(exit|exitAll|suspendAll|abandon|abandonAll)$/.test(request)) {
        var player = this;
        this.leave().then(function () { player.renderNav(); });
      }
      return null;
    }
    if (this.busy) return null; // the player's own request wins
    var self = this;
    var entry = this.current;
    // Decide once the SCO's last commit is stored: its answer brings the fresh contents.
    return Promise.resolve(entry ? this.commits.settled(entry) : null).then(function () {
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
    var commits = this.commits;
    var pending = commits.leftovers().map(function (entry) { return commits.flush(entry); });
    // The runtime frame (its address made with this page) says when it is ready.
    this.frame.src = config.runtimeUrl;
    pending.push(this.ready(20000).then(function (ready) { if (!ready) self.expired(); return ready; }));
    var begin = function (launch) {
      return Promise.all(pending).then(function (results) {
        if (results[results.length - 1]) launch();
      });
    };
    if (sequenced) {
      begin(function () {
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
    begin(function () { self.go(start, false); });
  };

  var player = new Player();
  window.fiaScormPlayer = player;
  player.start();
})();
