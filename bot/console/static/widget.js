/*
 * The assistant's web chat widget: one script tag on any page.
 *
 *   <script src="https://<console>/widget.js" data-server-url="https://<rasa server>"
 *           data-title="海外知识产权纠纷应对助手" data-open="true" data-lang="zh-CN" defer></script>
 *
 * It talks to the Rasa server's socketio channel (bot/channels/socketio.py): the server issues
 * the conversation (a signed session token, kept in localStorage, so a reload gets the same
 * conversation and its history); every message carries a client id and waits in localStorage
 * until the server acknowledges it, so what is typed offline is sent once on reconnection.
 * No text from the bot or the user is ever read as HTML; only http(s) links are links.
 * The socket.io client is loaded from the same place as this script (vendor/).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__tcIpWidget) return;
  var base = script.src.replace(/[^/]*$/, "");
  var data = script.dataset;
  var options = {
    server: (data.serverUrl || new URL(script.src).origin).replace(/\/+$/, ""),
    title: data.title || "",
    open: data.open === "true",
    lang: data.lang === "en" ? "en" : "zh-CN",
  };
  var TEXTS = {
    "zh-CN": {
      title: "海外知识产权纠纷应对助手",
      launcher: "在线咨询",
      close: "关闭对话窗口",
      input: "输入消息",
      send: "发送",
      fresh: "新对话",
      log: "对话记录",
      replies: "可选回复",
      connecting: "正在连接…",
      online: "智能助手在线",
      waiting: "等待人工接入",
      staffOn: "人工服务中",
      lost: "连接已断开，正在重新连接…您可以继续输入，恢复连接后会自动发送。",
      back: "已重新连接。",
      typing: "助手正在回复…",
      staff: "人工服务",
      you: "我",
      bot: "助手",
      sending: "待发送",
      refused: "未发送：",
      placeholder: "请输入您的问题",
    },
    en: {
      title: "Overseas IP dispute assistant",
      launcher: "Chat with us",
      close: "Close the chat",
      input: "Message",
      send: "Send",
      fresh: "New chat",
      log: "Conversation",
      replies: "Suggested replies",
      connecting: "Connecting…",
      online: "Assistant online",
      waiting: "Waiting for a person",
      staffOn: "A person is answering",
      lost: "Connection lost, reconnecting… Keep typing: messages are sent when it is back.",
      back: "Connected again.",
      typing: "The assistant is replying…",
      staff: "Staff",
      you: "Me",
      bot: "Assistant",
      sending: "waiting to be sent",
      refused: "Not sent: ",
      placeholder: "Type your question",
    },
  };
  var t = TEXTS[options.lang];
  var STORE = "tc-ip-widget:" + options.server;
  var MAX_CHARS = 10000;
  var NOTICE_MS = 6000; // how long "connected again" stays
  var LINK = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>"'（）()，。；、]+)/g;

  var CSS = [
    ":host{all:initial;font:15px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1a1a1a}",
    "*{box-sizing:border-box}",
    "button,textarea{font:inherit}",
    ":focus-visible{outline:3px solid #f0a500;outline-offset:2px}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 20px;background:#0b4f8a;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:380px;height:min(620px,calc(100vh - 40px));display:flex;flex-direction:column;background:#fff;border:1px solid #c8d1dc;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden}",
    ".panel[hidden],.launcher[hidden],.typing[hidden],.notice[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#0b4f8a;color:#fff}",
    "h2{flex:1;margin:0;font-size:16px;line-height:1.3}",
    ".status{display:block;font-size:12px;font-weight:400;color:#dce8f5}",
    "header button{border:1px solid #fff;border-radius:6px;background:transparent;color:#fff;padding:4px 8px;cursor:pointer}",
    ".notice{padding:8px 12px;background:#fff4d6;color:#5c4200;font-size:13px;border-bottom:1px solid #ecd9a0}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:#f4f6f9}",
    ".msg{max-width:85%;padding:8px 12px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".msg .who{display:block;font-size:12px;font-weight:600;margin-bottom:2px}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid #d5dde6}",
    ".bot .who{color:#0b4f8a}",
    ".staff{align-self:flex-start;background:#e9f7ee;border:1px solid #8cc9a0}",
    ".staff .who{color:#1d6b37}",
    ".user{align-self:flex-end;background:#0b4f8a;color:#fff}",
    ".user .who{color:#dce8f5}",
    ".user.pending{opacity:.75;border:1px dashed #fff}",
    ".user.pending .who::after{content:' · " + t.sending + "'}",
    ".msg a{color:inherit;text-decoration:underline}",
    ".replies{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:90%}",
    ".replies button{border:1px solid #0b4f8a;border-radius:16px;background:#fff;color:#0b4f8a;padding:4px 12px;cursor:pointer}",
    ".replies button:hover{background:#e6eef7}",
    ".typing{padding:0 12px 6px;font-size:13px;color:#4a5563;background:#f4f6f9}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #d5dde6;background:#fff}",
    "textarea{flex:1;resize:none;height:44px;max-height:120px;padding:8px;border:1px solid #8a97a6;border-radius:8px;color:#1a1a1a}",
    "form button{border:0;border-radius:8px;padding:0 16px;background:#0b4f8a;color:#fff;font-weight:600;cursor:pointer}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:480px){.panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0;border:0}}",
  ].join("\n");

  // --- state kept across reloads: the session token, and messages not acknowledged yet ---
  function load() {
    try {
      var kept = JSON.parse(localStorage.getItem(STORE) || "{}");
      return { token: typeof kept.token === "string" ? kept.token : null, pending: Array.isArray(kept.pending) ? kept.pending : [] };
    } catch (error) {
      return { token: null, pending: [] };
    }
  }
  var state = load();
  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({ token: state.token, pending: state.pending }));
    } catch (error) {
      /* private mode or full storage: the conversation still works, without surviving a reload */
    }
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- the elements ---
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }
  var host = element("div", { id: "tc-ip-widget" });
  var root = host.attachShadow({ mode: "open" });
  var style = element("style");
  style.textContent = CSS;
  var launcher = element("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "panel" }, t.launcher);
  var panel = element("section", { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title" });
  panel.hidden = true;
  var header = element("header");
  var heading = element("h2", { id: "title" }, options.title || t.title);
  var status = element("span", { class: "status", role: "status" }, t.connecting);
  heading.appendChild(status);
  var freshButton = element("button", { type: "button" }, t.fresh);
  var closeButton = element("button", { type: "button", "aria-label": t.close }, "×");
  header.append(heading, freshButton, closeButton);
  var notice = element("div", { class: "notice", role: "alert" });
  notice.hidden = true;
  var log = element("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.log, tabindex: "0" });
  var typing = element("div", { class: "typing", "aria-live": "polite" }, t.typing);
  typing.hidden = true;
  var form = element("form");
  var label = element("label", { for: "input", class: "sr" }, t.input);
  var input = element("textarea", { id: "input", maxlength: String(MAX_CHARS), placeholder: t.placeholder, rows: "1" });
  var send = element("button", { type: "submit" }, t.send);
  form.append(label, input, send);
  panel.append(header, notice, log, typing, form);
  root.append(style, launcher, panel);

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    log.scrollTop = log.scrollHeight;
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", open);
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });

  // --- messages: text only, links checked ---
  function appendText(node, text) {
    var at = 0;
    text.replace(LINK, function (match, title, url, bare, offset) {
      if (offset > at) node.appendChild(document.createTextNode(text.slice(at, offset)));
      var link = element("a", { href: url || bare, target: "_blank", rel: "noopener noreferrer" }, title || bare);
      node.appendChild(link);
      at = offset + match.length;
      return match;
    });
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
  }
  function show(from, text, id) {
    var who = from === "user" ? t.you : from === "staff" ? t.staff : t.bot;
    var node = element("div", { class: "msg " + from });
    if (id) node.dataset.id = id;
    node.appendChild(element("span", { class: "who" }, who));
    appendText(node, String(text || ""));
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }
  function clearReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".replies"), function (group) {
      group.remove();
    });
  }
  function showReplies(replies) {
    clearReplies();
    if (!replies || !replies.length) return;
    var group = element("div", { class: "replies", role: "group", "aria-label": t.replies });
    replies.forEach(function (reply) {
      var button = element("button", { type: "button" }, reply.title);
      button.addEventListener("click", function () {
        submit(reply.title, reply.payload);
      });
      group.appendChild(button);
    });
    log.appendChild(group);
    log.scrollTop = log.scrollHeight;
  }
  function setHandoff(handoff) {
    status.textContent = handoff === "waiting" ? t.waiting : handoff === "staff" ? t.staffOn : t.online;
  }
  function showBot(message) {
    show(message.from === "staff" ? "staff" : "bot", message.text);
    showReplies(message.quick_replies || message.buttons);
    if (message.handoff || message.from === "staff") setHandoff(message.handoff || "staff");
  }

  // --- the connection ---
  var socket = null;
  var ready = false;
  var wasConnected = false;
  var inFlight = {};

  var noticeTimer = null;
  function setNotice(text, forMs) {
    clearTimeout(noticeTimer);
    notice.textContent = text || "";
    notice.hidden = !text;
    if (text && forMs) noticeTimer = setTimeout(setNotice, forMs);
  }
  function updateTyping() {
    typing.hidden = Object.keys(inFlight).length === 0;
  }
  function emit(message) {
    if (!ready || inFlight[message.id]) return;
    inFlight[message.id] = true;
    updateTyping();
    var body = { message: message.payload || message.text, session_id: state.token, message_id: message.id };
    if (message.payload) body.metadata = { button_title: message.text };
    socket.emit("user_uttered", body, function (answer) {
      delete inFlight[message.id];
      updateTyping();
      state.pending = state.pending.filter(function (m) {
        return m.id !== message.id;
      });
      save();
      var node = log.querySelector('[data-id="' + message.id + '"]');
      if (node) node.classList.remove("pending");
      if (answer && answer.taken === false && answer.error && node) node.querySelector(".who").textContent = t.refused + answer.error;
    });
  }
  function submit(text, payload) {
    text = String(text || "").trim();
    if (!text) return;
    var message = { id: newId(), text: text.slice(0, MAX_CHARS), payload: payload || null };
    state.pending.push(message);
    save();
    clearReplies();
    show("user", message.text, message.id).classList.add("pending");
    emit(message);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit(input.value);
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  freshButton.addEventListener("click", function () {
    state = { token: null, pending: [] };
    save();
    log.textContent = "";
    inFlight = {};
    updateTyping();
    setHandoff(null);
    if (socket && socket.connected) requestSession();
    input.focus();
  });

  function requestSession() {
    ready = false;
    host.dataset.state = "connecting";
    socket.emit("session_request", { session_id: state.token });
  }
  function showPending() {
    state.pending.forEach(function (message) {
      if (!log.querySelector('[data-id="' + message.id + '"]')) show("user", message.text, message.id).classList.add("pending");
    });
  }
  function connect(io) {
    socket = io(options.server, { path: "/socket.io" });
    socket.on("connect", function () {
      if (wasConnected) setNotice(t.back, NOTICE_MS);
      wasConnected = true;
      socket.sendBuffer = []; // anything emitted while offline is sent from `pending` instead
      requestSession();
    });
    socket.on("session_confirm", function (token) {
      var fresh = token !== state.token;
      state.token = token;
      save();
      if (fresh && log.querySelector(".msg:not(.user)")) {
        // The server did not know the old token (another secret): a new conversation.
        log.textContent = "";
        showPending();
      }
      ready = true;
      inFlight = {};
      host.dataset.state = "ready";
      status.textContent = t.online;
      state.pending.forEach(emit);
      updateTyping();
    });
    socket.on("history", function (history) {
      log.textContent = "";
      (history.messages || []).forEach(function (message) {
        if (message.from === "user") show("user", message.text);
        else showBot(message);
      });
      var last = (history.messages || []).slice(-1)[0];
      if (!last || last.from === "user" || !last.buttons) clearReplies();
      showPending();
    });
    socket.on("bot_uttered", function (message) {
      showBot(message || {});
    });
    socket.on("disconnect", function () {
      ready = false;
      inFlight = {};
      updateTyping();
      host.dataset.state = "offline";
      setNotice(t.lost);
    });
  }
  function start() {
    if (window.io) return connect(window.io);
    var loader = element("script", { src: base + "vendor/socket.io.min.js" });
    loader.onload = function () {
      connect(window.io);
    };
    loader.onerror = function () {
      setNotice(t.lost);
    };
    document.head.appendChild(loader);
  }

  host.dataset.state = "loading";
  document.body.appendChild(host);
  window.__tcIpWidget = { open: open, close: close };
  if (options.open) open();
  start();
})();
