/* Coordination board: changes of the shared calendar arrive over /ws/coordination/ and are
   shown without reloading. The server is the source of truth: each event has a sequence
   number; on (re)connecting the page asks for every event after the last one it saw
   ({"type": "resume", "after": N}). Protocol: scheduling/PROTOCOL.md. */
(function () {
  "use strict";
  var board = document.querySelector("[data-coordination]");
  if (!board || !window.WebSocket) return;
  var labels = JSON.parse(document.getElementById("board-labels").textContent);
  var list = board.querySelector("[data-board-events]");
  var empty = board.querySelector("[data-board-empty]");
  var statusEl = board.querySelector("[data-board-status]");
  var last = parseInt(board.dataset.lastSeq, 10) || 0;
  var seen = {};
  var socket = null;
  var retry = 0;
  var BADGES = {
    draft: "badge", proposed: "badge badge--warning", confirmed: "badge badge--success",
    cancelled: "badge badge--danger", completed: "badge badge--info"
  };

  function setStatus(text, live) {
    statusEl.textContent = text;
    statusEl.className = live ? "badge badge--success" : "badge badge--warning";
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] == null ? "" : values[key];
    });
  }

  function localDate(iso) {
    return iso ? iso.slice(0, 10) : "";
  }

  function dayRange(training) {
    // Dates as the server wrote them (site time zone), one per day the training runs.
    var days = [];
    var start = new Date(localDate(training.starts_at) + "T00:00:00Z");
    var endIso = training.ends_at;
    var end = new Date(localDate(endIso) + "T00:00:00Z");
    if (endIso.slice(11, 19) === "00:00:00") end.setUTCDate(end.getUTCDate() - 1);
    for (var d = start; d <= end && days.length < 62; d.setUTCDate(d.getUTCDate() + 1)) {
      days.push(d.toISOString().slice(0, 10));
    }
    return days;
  }

  function chip(training) {
    var li = document.createElement("li");
    li.className = "training-chip training-chip--" + training.status + " is-new";
    li.dataset.training = training.id;
    li.dataset.status = training.status;
    var a = document.createElement("a");
    a.href = training.url;
    a.className = "training-chip__title";
    a.textContent = training.title;
    var meta = document.createElement("span");
    meta.className = "training-chip__meta";
    var org = document.createElement("span");
    org.className = "muted";
    org.textContent = training.organiser + " ";
    var badge = document.createElement("span");
    badge.dataset.statusLabel = "";
    meta.appendChild(org);
    meta.appendChild(badge);
    li.appendChild(a);
    li.appendChild(meta);
    return li;
  }

  function updateCalendar(training) {
    var existing = document.querySelectorAll("[data-training='" + training.id + "']");
    if (!existing.length) {
      dayRange(training).forEach(function (day) {
        var cell = document.querySelector("[data-date='" + day + "'] .calendar-day__items");
        if (cell) cell.appendChild(chip(training));
      });
      existing = document.querySelectorAll("[data-training='" + training.id + "']");
    }
    existing.forEach(function (el) {
      el.dataset.status = training.status;
      if (el.classList.contains("training-chip")) {
        el.className = el.className.replace(/training-chip--\w+/, "training-chip--" + training.status);
      }
      el.querySelectorAll("[data-status-label]").forEach(function (badge) {
        badge.textContent = labels.statuses[training.status] || training.status;
        badge.className = BADGES[training.status] || "badge";
      });
      var title = el.querySelector(".training-chip__title");
      if (title) title.textContent = training.title;
    });
  }

  function apply(event) {
    if (!event || typeof event.seq !== "number" || seen[event.seq]) return;
    seen[event.seq] = true;
    if (event.seq > last) last = event.seq;
    var training = event.training;
    if (!training) return;
    var template = labels.kinds[event.kind] || "%(title)s";
    var li = document.createElement("li");
    li.className = "live-event live-event--" + event.kind.replace(".", "-");
    li.dataset.seq = event.seq;
    var time = document.createElement("time");
    time.dateTime = event.at;
    time.className = "muted live-event__time";
    time.textContent = event.at.slice(11, 16);
    var link = document.createElement("a");
    link.href = training.url;
    link.textContent = format(template, training);
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(link);
    if (event.conflicts && event.conflicts.length) {
      var ul = document.createElement("ul");
      ul.className = "conflict-list";
      event.conflicts.forEach(function (conflict) {
        var item = document.createElement("li");
        item.textContent = conflict.message;
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    list.insertBefore(li, list.firstChild);
    if (empty) empty.hidden = true;
    updateCalendar(training);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    setStatus(labels.connecting, false);
    socket = new WebSocket(scheme + location.host + board.dataset.wsPath);
    socket.onopen = function () {
      retry = 0;
      setStatus(labels.connected, true);
      socket.send(JSON.stringify({ type: "resume", after: last }));
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "event") {
        // A gap means an event is still on its way or was missed: ask for it.
        if (data.seq > last + 1) socket.send(JSON.stringify({ type: "resume", after: last }));
        apply(data);
      } else if (data.type === "events") {
        data.events.forEach(apply);
        if (data.more) socket.send(JSON.stringify({ type: "resume", after: last }));
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4403) return;
      setStatus(labels.offline, false);
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry - 1));
    };
  }

  connect();
})();
