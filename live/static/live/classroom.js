/* The live classroom (live/PROTOCOL.md): one WebSocket per page.
   - Every event for the whole session carries a sequence number. Events are applied in
     order; one that arrives early waits, and a gap that does not close by itself is
     filled by asking the server to replay (`resume`). Applying is idempotent (by ids).
   - The socket reconnects with exponential backoff and jitter; the page says when it is
     offline; on reconnecting it asks for everything after the last number it applied.
   - Chat messages and questions get an id made here (`client_id`) and stay pending (kept
     in sessionStorage, so a reload keeps them too) until the server has them: its echo or
     its `*.accepted` reply. They are sent again after every reconnection; the server
     stores each once. An `error` naming one drops it and says why.
   - Text from people is only ever put in the page as text (textContent), never as HTML.
   - WebRTC video is a small full mesh: peers already on camera call the newcomer. */
(function () {
  "use strict";
  var configEl = document.getElementById("live-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var T = JSON.parse(document.getElementById("live-strings").textContent);
  var FATAL = { 4401: 1, 4404: 1, 4409: 1, 4413: 1, 4429: 1 };
  var PING_MS = 25000, GAP_WAIT_MS = 400, BACKOFF_MAX_MS = 30000, PENDING_MAX = 30;
  var PENDING_KEY = "live.pending." + config.session + "." + config.user;

  var state = null;       // the classroom as last known (from `welcome`, then events)
  var lastSeq = 0;        // the last event applied
  var early = {};         // events that arrived before the ones before them
  var limits = {};       // the server's (from `welcome`)
  var pending = loadPending();  // chat.send / question.ask not yet stored, in the order written
  var awaiting = {};      // accepted, their event not applied yet: still shown as sending
  var ws = null, attempt = 0, retryTimer = null, pingTimer = null, gapTimer = null;
  var stopped = false;
  var stats = { gaps: 0, replayed: 0, reconnects: 0, applied: 0, resent: 0 };
  var stage = { lesson: null, slides: 0, cache: {} };

  function $(sel) { return document.querySelector(sel); }
  function fmt(text) {
    var args = Array.prototype.slice.call(arguments, 1);
    return text.replace(/%s/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "hidden") node.hidden = !!attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function button(label, onClick, cls) {
    var b = el("button", { type: "button", class: "button " + (cls || "button--ghost") }, label);
    b.addEventListener("click", onClick);
    return b;
  }
  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function notice(text) {
    var n = $("[data-notice]");
    n.textContent = text;
    n.hidden = !text;
  }

  // --- Connection ------------------------------------------------------------------------
  function setConnection(text, cls) {
    var badge = $("[data-connection]");
    badge.textContent = text;
    badge.className = "badge " + (cls || "");
  }

  function connect() {
    clearTimeout(retryTimer);
    if (ws && ws.readyState <= 1) return;
    stopped = false;
    setConnection(T.connecting);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + config.ws_path);
    ws.onmessage = function (e) { receive(JSON.parse(e.data)); };
    ws.onclose = closed;
  }

  function send(message) {
    if (ws && ws.readyState === 1 && state) { ws.send(JSON.stringify(message)); return true; }
    return false;
  }

  // --- What people write: pending until the server has it ----------------------------------
  function loadPending() {
    try {
      var list = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (p) {
        return p && typeof p.client_id === "string" && typeof p.text === "string" &&
          (p.type === "chat.send" || p.type === "question.ask");
      }) : [];
    } catch (e) { return []; }
  }

  function savePending() {
    try {
      if (pending.length) sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      else sessionStorage.removeItem(PENDING_KEY);
    } catch (e) { /* storage full or off: the list still lives in this page */ }
  }

  function newClientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function write(type, text) {
    if (pending.length >= PENDING_MAX) { notice(T.pending_full); return false; }
    var entry = { client_id: newClientId(), type: type, text: text };
    pending.push(entry);
    savePending();
    renderPending();
    sendPending(entry);
    return true;
  }

  function sendPending(entry) {
    var message = { type: entry.type, text: entry.text, client_id: entry.client_id };
    if (limits.max_message_bytes && new Blob([JSON.stringify(message)]).size > limits.max_message_bytes) {
      settle(entry.client_id);   // the server would close the connection: never send it
      notice(fmt(T.not_sent, T.too_large));
      return false;
    }
    return send(message);
  }

  function resendPending() {
    pending.slice().forEach(function (entry) { if (sendPending(entry)) stats.resent += 1; });
  }

  // The server has it (its echo, its acceptance) or refused it: no longer pending.
  function settle(clientId) {
    var entry = null;
    pending = pending.filter(function (p) { if (p.client_id === clientId) entry = p; return p.client_id !== clientId; });
    if (entry) savePending();
    if (awaiting[clientId]) { entry = entry || awaiting[clientId]; delete awaiting[clientId]; }
    return entry;
  }

  function accepted(msg) {
    var entry = settle(msg.client_id);
    if (!entry) return;
    var list = entry.type === "chat.send" ? state.chat : state.questions;
    // stored now, its event on its way: shown as sending until it is applied
    if (!msg.duplicate && !byId(list, msg.id)) awaiting[msg.client_id] = entry;
    renderPending();
  }

  function echoed(msg) {   // an event of ours that was pending
    return !!(msg.client_id && msg.author && state.you && msg.author.id === state.you.id && settle(msg.client_id));
  }

  function settleEchoed() {  // in a welcome or fresh state
    state.chat.concat(state.questions).forEach(echoed);
  }

  function closed(event) {
    clearInterval(pingTimer);
    rtcCloseAll();
    document.body.classList.add("live-offline");
    if (FATAL[event.code]) {
      stopped = true;
      setConnection(T.offline, "badge--danger");
      $("[data-offline]").hidden = true;
      $("[data-fatal-text]").textContent = T["close_" + event.code];
      $("[data-fatal]").hidden = false;
      return;
    }
    $("[data-offline]").hidden = false;
    var delay = Math.min(BACKOFF_MAX_MS, 1000 * Math.pow(2, attempt));
    delay = Math.round(delay * (0.5 + Math.random() / 2));
    attempt += 1;
    setConnection(fmt(T.reconnecting, Math.ceil(delay / 1000)), "badge--warning");
    retryTimer = setTimeout(connect, delay);
  }

  window.addEventListener("online", function () { if (!stopped) { attempt = 0; connect(); } });
  // The browser knows it lost the network before the socket does: treat it as a drop.
  window.addEventListener("offline", function () { if (ws && ws.readyState <= 1) ws.close(); });

  function opened() {
    attempt = 0;
    document.body.classList.remove("live-offline");
    $("[data-offline]").hidden = true;
    $("[data-fatal]").hidden = true;
    setConnection(T.live, "badge--success");
    clearInterval(pingTimer);
    pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
  }

  // --- Messages from the server --------------------------------------------------------
  function receive(msg) {
    switch (msg.type) {
      case "welcome":
        opened();
        limits = msg.limits || limits;
        if (!state) {
          state = msg;
          lastSeq = msg.seq;
          settleEchoed();
          renderAll();
        } else {            // a reconnection: keep what we have, ask for what we missed
          stats.reconnects += 1;
          state.you = msg.you;
          state.ice_servers = msg.ice_servers;
          send({ type: "resume", after: lastSeq });
        }
        resendPending();    // after the replay: what it brings back is not pending any more
        if (rtc.wanted) rtcStart();
        return;
      case "state":          // too much missed for a replay: start again from this
        state = msg;
        lastSeq = msg.seq;
        early = {};
        awaiting = {};
        settleEchoed();
        renderAll();
        return;
      case "chat.accepted":
      case "question.accepted":
        if (state) accepted(msg);
        return;
      case "resumed":
        return;
      case "pong":
        return;
      case "error":
        if (typeof msg.client_id === "string" && settle(msg.client_id)) {
          renderPending();
          notice(fmt(T.not_sent, msg.message));
        } else {
          notice(msg.message);
        }
        return;
      case "signal":
        rtcSignal(msg);
        return;
    }
    if (typeof msg.seq !== "number" || !state) return;
    if (msg.replay) stats.replayed += 1;
    if (msg.seq <= lastSeq) return;                       // seen already
    if (msg.seq > lastSeq + 1) {                          // a gap: wait a little, then ask
      early[msg.seq] = msg;
      if (!gapTimer) {
        gapTimer = setTimeout(function () {
          gapTimer = null;
          if (Object.keys(early).length) { stats.gaps += 1; send({ type: "resume", after: lastSeq }); }
        }, GAP_WAIT_MS);
      }
      return;
    }
    apply(msg);
    while (early[lastSeq + 1]) {
      var next = early[lastSeq + 1];
      delete early[lastSeq + 1];
      apply(next);
    }
    Object.keys(early).forEach(function (seq) { if (+seq <= lastSeq) delete early[seq]; });
  }

  function byId(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }
  function peerById(peer) {
    for (var i = 0; i < state.peers.length; i++) if (state.peers[i].peer === peer) return state.peers[i];
    return null;
  }

  function apply(msg) {
    lastSeq = msg.seq;
    stats.applied += 1;
    var i;
    switch (msg.type) {
      case "presence.joined":
        if (!peerById(msg.peer)) state.peers.push({ peer: msg.peer, user: msg.user, video: !!msg.video });
        renderPresence();
        break;
      case "presence.left":
        state.peers = state.peers.filter(function (p) { return p.peer !== msg.peer; });
        rtcClose(msg.peer);
        renderPresence();
        break;
      case "chat.message":
        echoed(msg);
        if (!byId(state.chat, msg.id)) { state.chat.push(msg); renderChatMessage(msg); }
        renderPendingChat();   // what is still sending stays last (and what came back goes)
        break;
      case "chat.deleted":
        state.chat = state.chat.filter(function (m) { return m.id !== msg.id; });
        var gone = document.querySelector("[data-chat] [data-id='" + msg.id + "']");
        if (gone) gone.remove();
        break;
      case "participant.muted":
        if (msg.user_id === state.you.id) state.you.muted = msg.muted;
        state.muted = state.muted.filter(function (id) { return id !== msg.user_id; });
        if (msg.muted) state.muted.push(msg.user_id);
        renderPresence();
        renderMuted();
        break;
      case "hand.raised":
        state.hands = state.hands.filter(function (h) { return h.user.id !== msg.user.id; });
        state.hands.push({ user: msg.user, at: msg.at });
        renderHands();
        break;
      case "hand.lowered":
        state.hands = state.hands.filter(function (h) { return h.user.id !== msg.user_id; });
        renderHands();
        break;
      case "question.asked":
        echoed(msg);
        if (!byId(state.questions, msg.id)) state.questions.push(Object.assign({ voted: false }, msg));
        renderQuestions();
        break;
      case "question.voted":
        var q = byId(state.questions, msg.id);
        if (q) { q.votes = msg.votes; if (msg.user_id === state.you.id) q.voted = true; }
        renderQuestions();
        break;
      case "question.answered":
        var qa = byId(state.questions, msg.id);
        if (qa) qa.answered = true;
        renderQuestions();
        break;
      case "poll.opened":
      case "poll.results":
      case "poll.closed":
        var poll = byId(state.polls, msg.id);
        if (!poll) { poll = { my_vote: null }; state.polls.push(poll); }
        ["id", "question", "options", "counts", "total", "closed"].forEach(function (k) { poll[k] = msg[k]; });
        renderPolls();
        break;
      case "follow.changed":
        state.follow = { lesson: msg.lesson, slide: msg.slide };
        renderStage();
        break;
      case "session.started":
        state.session.started_at = msg.at;
        state.session.ended_at = null;
        renderSession();
        break;
      case "session.ended":
        state.session.ended_at = msg.at;
        state.hands = [];
        renderSession();
        renderHands();
        break;
      case "video.joined":
      case "video.left":
        for (i = 0; i < state.peers.length; i++) {
          if (state.peers[i].peer === msg.peer) state.peers[i].video = msg.type === "video.joined";
        }
        if (msg.type === "video.joined") rtcNewcomer(msg.peer);
        else rtcClose(msg.peer);
        renderPresence();
        break;
    }
  }

  // --- Rendering ---------------------------------------------------------------------------
  function renderAll() {
    renderSession();
    renderPresence();
    renderHands();
    var log = $("[data-chat]");
    log.textContent = "";
    state.chat.forEach(renderChatMessage);
    renderPendingChat();
    renderMuted();
    renderQuestions();
    renderPolls();
    renderStage();
  }

  function renderSession() {
    var s = state.session, label = $("[data-session-state]");
    var start = $("[data-action='session.start']"), end = $("[data-action='session.end']");
    if (s.ended_at) label.textContent = fmt(T.ended, time(s.ended_at));
    else if (s.started_at) label.textContent = fmt(T.running, time(s.started_at));
    else label.textContent = T.not_started;
    if (start) start.hidden = !!(s.started_at && !s.ended_at);
    if (end) end.hidden = !(s.started_at && !s.ended_at);
  }

  function roleLabel(role) { return T["role_" + role] || role; }

  function renderPresence() {
    var list = $("[data-presence]");
    list.textContent = "";
    var users = {}, order = [];
    state.peers.forEach(function (p) {
      if (!users[p.user.id]) { users[p.user.id] = { user: p.user, video: false }; order.push(p.user.id); }
      if (p.video) users[p.user.id].video = true;
    });
    var rank = { trainer: 0, staff: 1, participant: 2 };
    order.sort(function (a, b) {
      return (rank[users[a].user.role] - rank[users[b].user.role]) || users[a].user.name.localeCompare(users[b].user.name);
    });
    order.forEach(function (id) {
      var u = users[id].user;
      var item = el("li", { class: "live-person", "data-user": u.id });
      item.appendChild(el("span", { class: "live-person__name" }, u.name + (u.id === state.you.id ? " (" + T.you + ")" : "")));
      item.appendChild(el("span", { class: "badge" + (u.role === "trainer" ? " badge--info" : "") }, roleLabel(u.role)));
      var muted = state.muted.indexOf(u.id) >= 0 || (u.id === state.you.id && state.you.muted);
      if (muted) item.appendChild(el("span", { class: "badge badge--warning" }, T.muted));
      if (state.you.moderator && u.id !== state.you.id && u.role !== "trainer") {
        item.appendChild(button(muted ? T.unmute : T.mute, function () {
          send({ type: "participant.mute", user_id: u.id, muted: !muted });
        }));
      }
      list.appendChild(item);
    });
    $("[data-people-count]").textContent = order.length;
  }

  function renderHands() {
    var list = $("[data-hands]");
    list.textContent = "";
    var mine = false;
    state.hands.forEach(function (h) {
      if (h.user.id === state.you.id) mine = true;
      var item = el("li", { class: "live-person", "data-user": h.user.id });
      item.appendChild(el("span", { class: "live-person__name" }, h.user.name));
      item.appendChild(el("span", { class: "muted" }, time(h.at)));
      if (state.you.moderator) {
        item.appendChild(button(T.lower, function () { send({ type: "hand.lower", user_id: h.user.id }); }));
      }
      list.appendChild(item);
    });
    $("[data-hands-empty]").hidden = state.hands.length > 0;
    var hand = $("[data-action='hand']");
    if (hand) {
      hand.textContent = mine ? T.lower_hand : T.raise_hand;
      hand.setAttribute("aria-pressed", mine ? "true" : "false");
      hand.dataset.raised = mine ? "1" : "";
    }
  }

  function renderChatMessage(m) {
    var log = $("[data-chat]");
    var item = el("li", { class: "live-chat__message", "data-id": m.id });
    var head = el("p", { class: "live-chat__meta" });
    head.appendChild(el("strong", {}, m.author.name));
    if (m.author.role === "trainer") head.appendChild(el("span", { class: "badge badge--info" }, roleLabel("trainer")));
    head.appendChild(el("span", { class: "muted" }, " " + time(m.at)));
    if (state.you.moderator) {
      head.appendChild(button(T.delete, function () { send({ type: "chat.delete", id: m.id }); }, "button--ghost live-small"));
    }
    item.appendChild(head);
    item.appendChild(el("p", { class: "live-chat__text" }, m.text));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  // What is pending or awaiting its event: greyed, "sending…", after what the server has.
  function unsent(type) {
    var shown = pending.filter(function (p) { return p.type === type; });
    Object.keys(awaiting).forEach(function (id) { if (awaiting[id].type === type) shown.push(awaiting[id]); });
    return shown;
  }

  function renderPending() {
    renderPendingChat();
    if (state) renderQuestions();
  }

  function renderPendingChat() {
    var log = $("[data-chat]");
    log.querySelectorAll(".is-pending").forEach(function (n) { n.remove(); });
    unsent("chat.send").forEach(function (p) {
      var item = el("li", { class: "live-chat__message is-pending", "data-client-id": p.client_id, "aria-busy": "true" });
      var head = el("p", { class: "live-chat__meta" });
      head.appendChild(el("strong", {}, state ? state.you.name : T.you));
      head.appendChild(el("span", { class: "muted", "data-sending": "" }, " " + T.sending));
      item.appendChild(head);
      item.appendChild(el("p", { class: "live-chat__text muted" }, p.text));
      log.appendChild(item);
    });
    log.scrollTop = log.scrollHeight;
  }

  function renderMuted() {
    var muted = !!state.you.muted;
    $("[data-muted-note]").hidden = !muted;
    document.querySelectorAll("[data-chat-form] input, [data-chat-form] button, [data-question-form] input, [data-question-form] button")
      .forEach(function (n) { n.disabled = muted; });
  }

  function renderQuestions() {
    var list = $("[data-questions]");
    list.textContent = "";
    state.questions.slice().sort(function (a, b) {
      return (a.answered - b.answered) || (b.votes - a.votes) || (a.id - b.id);
    }).forEach(function (q) {
      var item = el("li", { class: "live-question" + (q.answered ? " is-answered" : ""), "data-id": q.id });
      item.appendChild(el("p", { class: "live-question__text" }, q.text));
      var meta = el("p", { class: "live-question__meta cluster" });
      meta.appendChild(el("span", { class: "muted" }, q.author.name));
      meta.appendChild(el("span", { class: "badge" }, fmt(T.votes, q.votes)));
      if (q.answered) meta.appendChild(el("span", { class: "badge badge--success" }, T.answered));
      if (!q.answered && !q.voted && q.author.id !== state.you.id) {
        meta.appendChild(button(T.upvote, function () { send({ type: "question.upvote", id: q.id }); }));
      }
      if (state.you.moderator && !q.answered) {
        meta.appendChild(button(T.mark_answered, function () { send({ type: "question.answer", id: q.id }); }));
      }
      item.appendChild(meta);
      list.appendChild(item);
    });
    unsent("question.ask").forEach(function (p) {
      var item = el("li", { class: "live-question is-pending", "data-client-id": p.client_id, "aria-busy": "true" });
      item.appendChild(el("p", { class: "live-question__text muted" }, p.text));
      item.appendChild(el("p", { class: "live-question__meta muted", "data-sending": "" }, T.sending));
      list.appendChild(item);
    });
  }

  function renderPolls() {
    var box = $("[data-polls]");
    box.textContent = "";
    if (!state.polls.length) return;
    state.polls.slice().reverse().forEach(function (p) {
      var card = el("article", { class: "live-poll", "data-poll": p.id });
      var head = el("div", { class: "split" });
      head.appendChild(el("h3", { class: "live-poll__question" }, p.question));
      if (p.closed) head.appendChild(el("span", { class: "badge" }, T.closed));
      else if (state.you.moderator) head.appendChild(button(T.close_poll, function () { send({ type: "poll.close", poll_id: p.id }); }));
      card.appendChild(head);
      var list = el("ol", { class: "live-poll__options" });
      var canVote = !p.closed && p.my_vote === null && state.you.role !== "trainer";
      p.options.forEach(function (label, n) {
        var count = p.counts[n] || 0, share = p.total ? Math.round(100 * count / p.total) : 0;
        var item = el("li", { class: "live-poll__option" + (p.my_vote === n ? " is-mine" : "") });
        var row = el("div", { class: "split" });
        row.appendChild(el("span", {}, label + (p.my_vote === n ? " · " + T.your_vote : "")));
        row.appendChild(el("span", { class: "num", "data-count": n }, count + " (" + share + "%)"));
        item.appendChild(row);
        var bar = el("progress", { class: "progress", max: "100", value: String(share) });
        bar.setAttribute("aria-label", label);
        item.appendChild(bar);
        if (canVote) {
          item.appendChild(button(T.vote, function () {
            p.my_vote = n;      // the server refuses a second vote; show ours at once
            send({ type: "poll.vote", poll_id: p.id, option: n });
            renderPolls();
          }, "button"));
        }
        list.appendChild(item);
      });
      card.appendChild(list);
      box.appendChild(card);
    });
  }

  // --- Follow-me stage ---------------------------------------------------------------------
  function renderStage() {
    var follow = state.follow || {}, box = $("[data-stage]");
    var select = $("[data-lesson-select]");
    if (!follow.lesson) return;
    if (select) select.value = String(follow.lesson.id);
    if (stage.lesson !== follow.lesson.id) {
      var id = follow.lesson.id;
      stage.lesson = id;
      var show = function (html) {
        if (stage.lesson !== id) return;
        box.innerHTML = html;      // server-rendered lesson content, not user text
        var slides = box.querySelector("[data-slides]");
        stage.slides = slides ? parseInt(slides.dataset.slides, 10) : 0;
        showSlide();
      };
      if (stage.cache[id]) { show(stage.cache[id]); return; }
      box.setAttribute("aria-busy", "true");
      fetch(config.stage_url + id + "/", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { stage.cache[id] = html; box.removeAttribute("aria-busy"); show(html); })
        .catch(function () { box.removeAttribute("aria-busy"); stage.lesson = null; });
      return;
    }
    showSlide();
  }

  function showSlide() {
    var n = Math.min(state.follow.slide, Math.max(0, stage.slides - 1));
    document.querySelectorAll("[data-stage] [data-slide]").forEach(function (s) {
      s.hidden = parseInt(s.dataset.slide, 10) !== n;
    });
    var label = $("[data-slide-label]");
    label.textContent = fmt(T.slide, n + 1, stage.slides || 1);
    label.hidden = false;
    var box = $("[data-stage]");
    box.dataset.currentLesson = state.follow.lesson ? state.follow.lesson.id : "";
    box.dataset.currentSlide = n;
  }

  // --- WebRTC mesh -----------------------------------------------------------------------------
  var rtc = { wanted: false, stream: null, pcs: {} };

  function videoTile(peer, name) {
    var grid = $("[data-videos]");
    var tile = grid.querySelector("[data-peer='" + peer + "']");
    if (!tile) {
      tile = el("figure", { class: "live-video__tile", "data-peer": peer });
      var video = el("video", { autoplay: "", playsinline: "" });
      tile.appendChild(video);
      tile.appendChild(el("figcaption", {}, name));
      grid.appendChild(tile);
    }
    return tile.querySelector("video");
  }

  function rtcStart() {
    if (!navigator.mediaDevices || !window.RTCPeerConnection) { notice(T.no_video); rtc.wanted = false; return; }
    var ready = rtc.stream ? Promise.resolve(rtc.stream)
      : navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    ready.then(function (stream) {
      rtc.stream = stream;
      var own = videoTile("self", state.you.name + " (" + T.you + ")");
      own.muted = true;
      own.srcObject = stream;
      send({ type: "video.join" });
      renderVideoButton();
    }).catch(function (e) { rtc.wanted = false; notice(String(e && e.message || e)); renderVideoButton(); });
  }

  function rtcStop() {
    rtc.wanted = false;
    send({ type: "video.leave" });
    rtcCloseAll();
    if (rtc.stream) rtc.stream.getTracks().forEach(function (t) { t.stop(); });
    rtc.stream = null;
    $("[data-videos]").textContent = "";
    renderVideoButton();
  }

  function renderVideoButton() {
    var b = $("[data-action='video']");
    b.textContent = rtc.wanted ? T.camera_off : T.camera_on;
    b.setAttribute("aria-pressed", rtc.wanted ? "true" : "false");
  }

  function rtcPeer(peer) {
    if (rtc.pcs[peer]) return rtc.pcs[peer];
    var pc = new RTCPeerConnection({ iceServers: state.ice_servers });
    rtc.pcs[peer] = pc;
    if (rtc.stream) rtc.stream.getTracks().forEach(function (t) { pc.addTrack(t, rtc.stream); });
    pc.onicecandidate = function (e) {
      if (e.candidate) send({ type: "signal", to: peer, kind: "ice", data: e.candidate.toJSON() });
    };
    pc.ontrack = function (e) {
      var p = peerById(peer);
      videoTile(peer, p ? p.user.name : "").srcObject = e.streams[0];
    };
    return pc;
  }

  function rtcNewcomer(peer) {   // those already on camera call whoever turns theirs on
    if (!rtc.stream || !state.you || peer === state.you.peer) return;
    var pc = rtcPeer(peer);
    pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).then(function () {
      send({ type: "signal", to: peer, kind: "offer", data: pc.localDescription.toJSON() });
    });
  }

  function rtcSignal(msg) {
    if (!rtc.stream && msg.kind === "offer") return;
    var pc = rtcPeer(msg.from);
    if (msg.kind === "offer") {
      pc.setRemoteDescription(msg.data).then(function () { return pc.createAnswer(); })
        .then(function (answer) { return pc.setLocalDescription(answer); })
        .then(function () { send({ type: "signal", to: msg.from, kind: "answer", data: pc.localDescription.toJSON() }); });
    } else if (msg.kind === "answer") {
      pc.setRemoteDescription(msg.data);
    } else if (msg.kind === "ice") {
      pc.addIceCandidate(msg.data).catch(function () {});
    }
  }

  function rtcClose(peer) {
    var pc = rtc.pcs[peer];
    if (pc) { pc.close(); delete rtc.pcs[peer]; }
    var tile = document.querySelector("[data-videos] [data-peer='" + peer + "']");
    if (tile) tile.remove();
  }

  function rtcCloseAll() { Object.keys(rtc.pcs).forEach(function (p) { rtcClose(+p); }); }

  // --- What the user does ------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var target = e.target.closest("[data-action]");
    if (!target) return;
    var action = target.dataset.action;
    if (action === "session.start" || action === "session.end") send({ type: action });
    else if (action === "reconnect") { attempt = 0; connect(); }
    else if (action === "hand") send({ type: target.dataset.raised ? "hand.lower" : "hand.raise" });
    else if (action === "slide.prev" || action === "slide.next") {
      var f = state && state.follow;
      if (!f || !f.lesson) return;
      var slide = f.slide + (action === "slide.next" ? 1 : -1);
      slide = Math.max(0, Math.min(slide, Math.max(0, stage.slides - 1)));
      if (slide !== f.slide) send({ type: "follow.set", lesson_id: f.lesson.id, slide: slide });
    } else if (action === "video") {
      if (rtc.wanted) rtcStop(); else { rtc.wanted = true; rtcStart(); }
    }
  });

  var lessonSelect = $("[data-lesson-select]");
  if (lessonSelect) {
    lessonSelect.addEventListener("change", function () {
      if (lessonSelect.value) send({ type: "follow.set", lesson_id: parseInt(lessonSelect.value, 10), slide: 0 });
    });
  }

  function onSubmit(selector, handler) {
    var form = $(selector);
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); handler(form); });
  }
  onSubmit("[data-chat-form]", function (form) {
    var input = form.querySelector("input[name=text]");
    var text = input.value.trim();
    if (!text) return;
    if (write("chat.send", text)) input.value = "";
  });
  onSubmit("[data-question-form]", function (form) {
    var input = form.querySelector("input[name=text]");
    var text = input.value.trim();
    if (!text) return;
    if (write("question.ask", text)) input.value = "";
  });
  onSubmit("[data-poll-form]", function (form) {
    var question = form.querySelector("[name=question]").value.trim();
    var options = form.querySelector("[name=options]").value.split("\n")
      .map(function (o) { return o.trim(); }).filter(Boolean);
    if (!question || options.length < 2) return;
    send({ type: "poll.create", question: question, options: options });
    form.reset();
  });

  window.liveClassroom = {
    stats: stats,
    lastSeq: function () { return lastSeq; },
    state: function () { return state; },
    pending: function () { return pending.slice(); },
    send: send,
  };
  renderPendingChat();   // kept from before a reload: shown at once, sent once connected
  connect();
})();
