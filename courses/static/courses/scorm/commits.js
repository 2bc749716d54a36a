/*
 * SCORM commits of the FIA Academy player (the platform's page): the values the runtime
 * frame reports are kept here, in this origin's localStorage, until the server has them.
 *
 * One entry per attempt: the values set since the last commit (pairs) and the commits not
 * yet acknowledged (queue), each with an increasing seq per session: the number of the
 * runtime frame's last batch of values it holds (batch), the seq the runtime frame's own
 * last commit gives that batch too (runtime.js). Commits are POSTed
 * with the page's CSRF token and retried with backoff; what is not acknowledged survives a
 * closed tab and is sent on the next visit (leftovers). The content never sees any of it.
 */
(function () {
  "use strict";

  function Commits(options) {
    this.prefix = "fia-scorm:" + options.userId + ":";
    this.csrfToken = options.csrfToken;
    this.interval = (options.commitInterval || 30) * 1000;
    this.onAnswer = options.onAnswer || function () {};
    this.entries = {};
    this.inflight = {};
    this.backoff = {};
    this.status = document.getElementById("scorm-status");
    this.offlineBanner = document.getElementById("scorm-offline");
    this.errorBanner = document.getElementById("scorm-error");
    var self = this;
    window.addEventListener("online", function () {
      Object.keys(self.entries).forEach(function (k) { self.backoff[k] = 0; self.flush(self.entries[k]); });
    });
    window.addEventListener("offline", function () { self.showStatus("offline"); });
    // What the content set since its last commit goes out every so often, and as the page
    // goes away (keepalive: the request outlives the page).
    setInterval(function () { self.each(function (entry) { self.push(entry, false); }); }, this.interval);
    window.addEventListener("pagehide", function () {
      self.each(function (entry) {
        if (entry.pairs.length) self.push(entry, false, true);
        else if (entry.queue.length) self.flush(entry, true);
      });
    });
  }

  Commits.prototype.each = function (callback) {
    var self = this;
    Object.keys(this.entries).forEach(function (k) { callback(self.entries[k]); });
  };

  Commits.prototype.showStatus = function (kind) {
    var status = this.status;
    if (!status) return;
    status.textContent = status.dataset[kind] || kind;
    status.className = "badge " + (kind === "offline" ? "badge--warning" : kind === "saved" ? "badge--success" : "");
    status.dataset.state = kind;
    if (this.offlineBanner) this.offlineBanner.hidden = kind !== "offline";
  };

  Commits.prototype.showError = function (code) {
    if (!this.errorBanner) return;
    this.errorBanner.hidden = false;
    this.errorBanner.textContent = "The server refused some progress data (" + code + ").";
  };

  Commits.prototype.refreshStatus = function () {
    var entries = this.entries;
    var pending = Object.keys(entries).some(function (k) { return entries[k].queue.length; });
    this.showStatus(pending ? (navigator.onLine === false ? "offline" : "saving") : "saved");
  };

  Commits.prototype.save = function (entry) {
    var key = this.prefix + entry.attempt;
    try {
      if (!entry.queue.length && !entry.pairs.length) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(entry));
    } catch (e) { /* storage full or disabled: the page still holds the data */ }
  };

  // A session the server has just launched: its commits start at seq 1.
  Commits.prototype.open = function (launch, sco) {
    var entry = {
      attempt: launch.attempt, session: launch.session, commitUrl: launch.commitUrl,
      sco: sco, seq: 0, batch: 0, queue: [], pairs: [], done: false
    };
    this.entries[launch.attempt] = entry;
    this.save(entry);
    return entry;
  };

  Commits.prototype.entry = function (attempt, session) {
    var entry = this.entries[attempt];
    return entry && entry.session === session ? entry : null;
  };

  // Values the content set (already checked by the runtime's data model), batch `batch`.
  Commits.prototype.add = function (entry, pairs, batch) {
    for (var i = 0; i < pairs.length; i++) entry.pairs.push(pairs[i]);
    if (Number.isSafeInteger(batch) && batch > (entry.batch || 0) && batch < 2147483647) {
      entry.batch = batch;
    }
    if (pairs.length) this.save(entry);
  };

  function nextSeq(entry) {
    return Math.max(entry.seq + 1, entry.batch || 0);
  }

  Commits.prototype.push = function (entry, finish, keepalive) {
    if (!entry.pairs.length && !finish) return;
    entry.seq = nextSeq(entry);
    entry.queue.push({ seq: entry.seq, values: entry.pairs, finish: !!finish });
    entry.pairs = [];
    if (finish) entry.done = true;
    this.save(entry);
    this.flush(entry, finish || keepalive);
  };

  // The SCO is gone: send what is left, and take nothing more for this session.
  Commits.prototype.close = function (entry) {
    this.push(entry, false);
    entry.done = true;
    this.save(entry);
  };

  Commits.prototype.flush = function (entry, keepalive) {
    var self = this;
    if (!entry.queue.length) { this.refreshStatus(); return Promise.resolve(true); }
    if (this.inflight[entry.attempt] && !keepalive) return this.inflight[entry.attempt];
    this.showStatus("saving");
    var body = JSON.stringify({ session: entry.session, commits: entry.queue });
    var request = fetch(entry.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive && body.length < 60000,
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrfToken },
      body: body
    }).then(function (response) {
      if (response.ok) return response.json();
      var error = new Error("HTTP " + response.status);
      error.status = response.status;
      throw error;
    }).then(function (answer) {
      self.inflight[entry.attempt] = null;
      self.backoff[entry.attempt] = 0;
      entry.queue = entry.queue.filter(function (c) { return c.seq > answer.seq; });
      if (answer.stale) entry.queue = [];
      self.save(entry);
      self.onAnswer(entry, answer);
      self.refreshStatus();
      return entry.queue.length ? self.flush(entry) : true;
    }).catch(function (error) {
      self.inflight[entry.attempt] = null;
      var status = error.status || 0;
      if (status === 400 || status === 404 || status === 409 || status === 413) {
        // The server will never take these: keep nothing that blocks the queue.
        entry.queue = [];
        self.save(entry);
        self.showError(status);
        self.refreshStatus();
        return false;
      }
      self.showStatus("offline");
      var delay = Math.min(60000, 1000 * Math.pow(2, self.backoff[entry.attempt] || 0));
      self.backoff[entry.attempt] = (self.backoff[entry.attempt] || 0) + 1;
      setTimeout(function () { self.flush(entry); }, delay);
      return false;
    });
    this.inflight[entry.attempt] = request;
    return request;
  };

  // Resolves when every commit of the entry is stored (or after ten seconds: offline).
  Commits.prototype.settled = function (entry) {
    return new Promise(function (resolve) {
      var waited = 0;
      (function check() {
        if (!entry.queue.length || waited >= 10000) { resolve(); return; }
        waited += 100;
        setTimeout(check, 100);
      })();
    });
  };

  // Entries an earlier visit could not send, made ready to send (their loose values as a
  // last commit), before a new session makes them stale.
  Commits.prototype.leftovers = function () {
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (key && key.indexOf(this.prefix) === 0) found.push(JSON.parse(localStorage.getItem(key)));
      }
    } catch (e) { /* unreadable storage: nothing to resend */ }
    return found.filter(function (entry) {
      if (!entry || !entry.queue) return false;
      if (entry.pairs && entry.pairs.length) {
        entry.seq = nextSeq(entry);
        entry.queue.push({ seq: entry.seq, values: entry.pairs, finish: false });
      }
      entry.pairs = [];
      return entry.queue.length > 0;
    });
  };

  window.FiaScorm = window.FiaScorm || {};
  window.FiaScorm.Commits = Commits;
})();
