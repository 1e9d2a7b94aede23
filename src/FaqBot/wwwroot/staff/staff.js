// Care team console. Everything a patient wrote is put on the page with textContent, never as HTML.
"use strict";

import { el } from "/staff/dom.js";

const api = "/api/staff";
// Reason labels, priorities and which reasons are urgent come from the server (Escalation:Reasons in appsettings.json).
const reasons = new Map();
const reasonLabel = (reason) => (reason ? reasons.get(reason)?.label || reason : "Escalated");
const isUrgentReason = (reason) => Boolean(reason && reasons.get(reason)?.urgent);
const REALERT_MS = 60_000;
const baseTitle = document.title;
const $ = (id) => document.getElementById(id);

const state = {
  me: null,            // { id, name, role, csrfToken }
  queue: [],
  waitStarts: new Map(), // when each wait began on this page's clock, by waitKey
  known: null,         // conversation ids already seen in the queue (null until the first load)
  current: null,       // the open conversation's summary
  shown: new Set(),    // activity ids in the open transcript
  feed: null,
  audio: null,
  alerts: 0,
  realerts: 0,
  urgentAlertedAt: null, // when urgent unclaimed chats last alerted (null: none waiting)
  colleagues: [],
  savedReplies: [],
  view: "queue",
  typingTimer: null,
  lastTypingSent: 0,
};

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    if (state.me) headers["X-CSRF-TOKEN"] = state.me.csrfToken;
  }
  const response = await fetch(api + path, {
    method, headers, credentials: "same-origin",
    body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
  });
  if (response.status === 401 && path !== "/login") {
    signedOut("Your session has ended. Please sign in again.");
    throw new Error("signed out");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && (data.detail || data.title)) || `Request failed (${response.status}).`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

// ---- sign-in ---------------------------------------------------------------------------------

function signedIn(me) {
  state.me = me;
  $("who-name").textContent = `${me.name} (${me.role})`;
  $("who").hidden = false;
  $("sign-in").hidden = true;
  $("console").hidden = false;
  showError("");
  $("nav").hidden = false;
  document.querySelectorAll("[data-admin]").forEach((node) => { node.hidden = me.role !== "admin"; });
  $("notify").hidden = !("Notification" in window) || Notification.permission !== "default";
  loadReasons().then(() => { openFeed(); refreshQueue(); });
  refreshCallbacks();
  loadSavedReplies();
  showView(location.hash.slice(1) || "queue");
}

async function loadReasons() {
  try {
    for (const r of await call("GET", "/reasons")) reasons.set(r.code, r);
  } catch { /* labels fall back to codes */ }
  const select = $("history-reason");
  select.replaceChildren(el("option", { value: "", text: "Any" }),
    ...[...reasons.values()].map((r) => el("option", { value: r.code, text: r.label })));
}

function signedOut(message) {
  state.me = null;
  state.known = null;
  state.current = null;
  if (state.feed) state.feed.close();
  state.feed = null;
  $("who").hidden = true;
  $("nav").hidden = true;
  $("console").hidden = true;
  $("view-accounts").hidden = true;
  $("view-audit").hidden = true;
  $("sign-in").hidden = false;
  $("connection").hidden = true;
  document.title = baseTitle;
  showError(message || "");
  $("email").focus();
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  unlockAudio();
  try {
    const me = await call("POST", "/login", { email: $("email").value, password: $("password").value });
    $("password").value = "";
    signedIn(me);
  } catch (error) {
    showError(error.message);
  }
});

$("sign-out").addEventListener("click", async () => {
  try { await call("POST", "/logout"); } catch { /* signed out either way */ }
  signedOut("You are signed out.");
});

// ---- live feed -------------------------------------------------------------------------------

function openFeed() {
  if (state.feed) state.feed.close();
  const feed = new EventSource(`${api}/feed`);
  state.feed = feed;
  const status = $("connection");
  // "hello" also comes again when the server may have missed news (its database listener reconnected): reload.
  feed.addEventListener("hello", () => {
    status.hidden = false;
    status.textContent = "Live";
    refreshQueue();
    if (state.current) openConversation(state.current.conversationId, false);
  });
  feed.addEventListener("queue", (event) => {
    const { conversationId } = JSON.parse(event.data);
    refreshQueue();
    refreshCallbacks();
    if (state.current && state.current.conversationId === conversationId) openConversation(conversationId, false);
  });
  feed.addEventListener("activity", (event) => {
    const { conversationId, activity } = JSON.parse(event.data);
    if (state.current && state.current.conversationId === conversationId) appendEntry(activity);
    refreshQueueSoon();
  });
  feed.addEventListener("typing", (event) => {
    const { conversationId } = JSON.parse(event.data);
    if (state.current && state.current.conversationId === conversationId) showPatientTyping();
  });
  feed.onerror = async () => {
    status.hidden = false;
    status.textContent = "Reconnecting...";
    if (feed.readyState === EventSource.CLOSED) {
      try { await call("GET", "/me"); setTimeout(openFeed, 3000); } catch { /* signedOut already shown */ }
    }
  };
}

// ---- queue -----------------------------------------------------------------------------------

let queueTimer = null;
function refreshQueueSoon() {
  clearTimeout(queueTimer);
  queueTimer = setTimeout(refreshQueue, 300);
}

let queueLoading = null;
let queueAgain = false;

/** Loads the queue; calls while a load is under way run once more after it, so results arrive in order. */
async function refreshQueue() {
  if (queueLoading) { queueAgain = true; return queueLoading; }
  queueLoading = loadQueue();
  try { await queueLoading; } finally { queueLoading = null; }
  if (queueAgain) { queueAgain = false; await refreshQueue(); }
}

async function loadQueue() {
  if (!state.me) return;
  let queue;
  try { queue = await call("GET", "/queue"); } catch (error) { if (state.me) showError(error.message); return; }
  const arrived = queue.filter((q) => q.state === "queued" && state.known !== null && !state.known.has(q.conversationId));
  state.known = new Set(queue.map((q) => q.conversationId));
  state.queue = queue;
  anchorWaits(queue);
  renderQueue();
  if (arrived.length > 0) alertArrival(arrived);
}

/** One wait: a conversation escalated at one moment (a new escalation is a new wait). */
function waitKey(item) {
  return item.escalatedAt ? `${item.conversationId} ${item.escalatedAt}` : null;
}

/**
 * Each wait keeps the start it was first given on this page's clock, so a later refresh never moves it
 * (by the request's latency, or back to 0 if this page's clock and the server's disagree).
 */
function anchorWaits(queue) {
  const now = Date.now();
  const starts = new Map();
  for (const item of queue) {
    const key = waitKey(item);
    item.waitStart = (key !== null && state.waitStarts.get(key)) || now - item.waitingSeconds * 1000;
    if (key !== null) starts.set(key, item.waitStart);
  }
  state.waitStarts = starts;
}

function waitingText(item) {
  return duration(Math.max(0, Math.floor((Date.now() - item.waitStart) / 1000)));
}

function duration(seconds) {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const stateNames = { queued: "waiting", withStaff: "with staff", callbackRequested: "callback requested", closed: "closed", bot: "with the assistant" };
const outcomeNames = { resolved: "resolved", "callback-arranged": "callback arranged", referred: "referred", "no-response": "no response" };

/** One row of the queue or of the history: why, a short reference, when it started, how long it has waited. */
function row(item, live) {
  const urgent = item.urgent;
  const owner = item.owner ? ` (${item.owner.name})` : "";
  const button = el("button", {
    type: "button",
    "aria-current": state.current && state.current.conversationId === item.conversationId ? "true" : "false",
    onclick: () => openConversation(item.conversationId, true),
  },
    el("span", { class: "line1" },
      urgent ? el("span", { class: "badge", text: "URGENT" }) : null,
      el("span", { class: "reason", text: item.reasonLabel || reasonLabel(item.reason) }),
      el("span", { class: "ref", text: item.shortId || "" }),
      live ? el("span", { class: "wait", "data-wait": item.conversationId, title: "Waiting", text: waitingText(item) }) : null),
    el("span", { class: "line2" },
      el("span", { class: "state", text: (stateNames[item.state] || item.state) + owner + (item.outcome ? ` · ${outcomeNames[item.outcome] || item.outcome}` : "") }),
      el("span", { class: "started", text: item.startedAt ? `started ${dateTime(item.startedAt)}` : "" })),
    el("span", { class: "question", text: item.escalatedBy || item.firstQuestion || item.lastMessage || "" }));
  return el("li", { class: urgent ? "urgent" : "", "data-conversation": item.conversationId, "data-priority": item.priority }, button);
}

function renderQueue() {
  const list = $("queue");
  // A refresh must not pull keyboard focus away from the chat a staff member is on.
  const focused = document.activeElement && list.contains(document.activeElement)
    ? document.activeElement.closest("li")?.dataset.conversation
    : null;
  keepRows(list, state.queue.map((item) => row(item, true)), "conversation", refreshRow);
  if (focused) {
    list.querySelector(`li[data-conversation="${CSS.escape(focused)}"] button`)?.focus();
  }
  $("queue-empty").hidden = state.queue.length > 0;
  renderTitle();
  checkUrgent();
}

/**
 * Puts `rows` into `list` in order, keeping the element a row (by its `data-<key>`) already has there; `refresh`, if
 * given, brings a kept row up to date from the new one. Lists refresh whenever a patient writes or a chat changes
 * hands, so a staff member's click or half-typed note often spans one: a button replaced between press and release
 * gets no click, and a replaced text box loses what was typed in it.
 */
function keepRows(list, rows, key, refresh) {
  const shown = new Map([...list.children].map((li) => [li.dataset[key], li]));
  rows.forEach((fresh, index) => {
    let node = fresh;
    const old = shown.get(fresh.dataset[key]);
    if (old) {
      shown.delete(fresh.dataset[key]);
      if (refresh) refresh(old, fresh);
      node = old;
    }
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
  });
  shown.forEach((li) => li.remove());
}

/** A kept queue row takes the new row's look and contents; its button stays (a click on it may be under way). */
function refreshRow(old, fresh) {
  old.className = fresh.className;
  old.dataset.priority = fresh.dataset.priority;
  const button = old.querySelector("button");
  const freshButton = fresh.querySelector("button");
  button.setAttribute("aria-current", freshButton.getAttribute("aria-current"));
  button.replaceChildren(...freshButton.childNodes);
}

function urgentWaiting() {
  return state.queue.filter((q) => q.urgent && q.state === "queued");
}

function renderTitle() {
  const waiting = state.queue.filter((q) => q.state === "queued").length;
  $("queue-count").textContent = state.queue.length ? `(${waiting} waiting)` : "";
  const flag = state.realertShown && urgentWaiting().length > 0 ? "URGENT · " : "";
  document.title = waiting > 0 ? `(${waiting}) ${flag}${baseTitle}` : baseTitle;
}

// Live wait timers (every second) and the urgent re-alert: every minute while an urgent chat waits unclaimed.
setInterval(() => {
  document.querySelectorAll("#queue [data-wait]").forEach((node) => {
    const item = state.queue.find((q) => q.conversationId === node.dataset.wait);
    if (item) node.textContent = waitingText(item);
  });
  checkUrgent();
}, 1000);

function checkUrgent() {
  const urgent = urgentWaiting();
  if (urgent.length === 0) {
    state.urgentAlertedAt = null;
    if (state.realertShown) { state.realertShown = false; renderTitle(); }
    return;
  }
  if (state.urgentAlertedAt === null) { state.urgentAlertedAt = Date.now(); return; }
  if (Date.now() - state.urgentAlertedAt >= REALERT_MS) realert(urgent);
}

/** Sound, title badge, banner and (if allowed) a desktop notification; never the patient's words. */
function realert(urgent) {
  state.urgentAlertedAt = Date.now();
  state.realerts += 1;
  state.realertShown = true;
  document.body.dataset.realerts = String(state.realerts);
  beep(3);
  const first = urgent[0];
  const box = $("alert");
  box.textContent = `URGENT: ${urgent.length} chat${urgent.length === 1 ? "" : "s"} still waiting unclaimed (${first.reasonLabel || reasonLabel(first.reason)} ${first.shortId}, waiting ${waitingText(first)}).`;
  box.hidden = false;
  renderTitle();
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      new Notification("URGENT: a patient is waiting", { body: `${first.reasonLabel || reasonLabel(first.reason)} · ${first.shortId} · waiting ${waitingText(first)}`, tag: "faqbot-urgent", renotify: true });
    } catch { /* notifications unavailable */ }
  }
}

$("notify").addEventListener("click", async () => {
  try { await Notification.requestPermission(); } catch { /* ignored */ }
  $("notify").hidden = Notification.permission !== "default";
});

// ---- alert: a new escalation -----------------------------------------------------------------

function unlockAudio() {
  if (state.audio || !window.AudioContext) return;
  try { state.audio = new AudioContext(); } catch { state.audio = null; }
}

function beep(times) {
  const audio = state.audio;
  if (!audio) return;
  if (audio.state === "suspended") audio.resume();
  for (let i = 0; i < times; i++) {
    const start = audio.currentTime + i * 0.3;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.2);
    tone.connect(gain).connect(audio.destination);
    tone.start(start);
    tone.stop(start + 0.2);
  }
}

function alertArrival(items) {
  const urgent = items.some((i) => i.urgent);
  const first = items[0];
  state.alerts += 1;
  document.body.dataset.alerts = String(state.alerts);
  beep(urgent ? 3 : 1);
  const box = $("alert");
  box.textContent = urgent
    ? `URGENT: a patient needs help now (${reasonLabel(items.find((i) => i.urgent).reason)}).`
    : `New in the queue: ${reasonLabel(first.reason)}.`;
  box.hidden = false;
  if (urgent) state.urgentAlertedAt = Date.now();
}

// ---- conversation ----------------------------------------------------------------------------

async function openConversation(id, focus) {
  let detail;
  try { detail = await call("GET", `/conversations/${encodeURIComponent(id)}`); } catch (error) { showError(error.message); return; }
  const switched = !state.current || state.current.conversationId !== id;
  state.current = detail.summary;
  $("conversation-brief").replaceChildren(...(detail.brief || []).map((line) => el("li", { text: line })));
  $("conversation").hidden = false;
  if (switched) {
    state.shown.clear();
    $("transcript").replaceChildren();
    $("alert").hidden = true;
    $("patient-typing").hidden = true;
  }
  detail.transcript.forEach(appendEntry);
  if (detail.feedback.length) {
    appendNote(`Feedback: ${detail.feedback.map((f) => f.reaction).join(", ")}`);
  }
  renderHead();
  renderQueue();
  loadColleagues();
  if (focus) focusUnlessTyping($("conversation-heading"));
}

function renderHead() {
  const c = state.current;
  const mine = c.state === "withStaff" && c.owner && c.owner.id === state.me.id;
  const admin = state.me.role === "admin";
  const urgent = isUrgentReason(c.reason) && c.state !== "closed" && c.state !== "bot";
  $("conversation-heading").textContent = `Conversation ${c.shortId || ""}: ${c.reasonLabel || reasonLabel(c.reason)}`;
  $("conversation-heading").setAttribute("tabindex", "-1");
  const meta = $("conversation-meta");
  meta.className = urgent ? "meta urgent" : "meta";
  meta.textContent = [
    urgent ? "URGENT" : null,
    `priority ${c.priority}`,
    stateNames[c.state] === "with the assistant" ? "bot" : stateNames[c.state] || c.state,
    c.owner ? `owner: ${c.owner.name}` : "unclaimed",
    c.outcome ? `outcome: ${outcomeNames[c.outcome] || c.outcome}` : null,
    c.callbackOffered ? "callback offered" : null,
  ].filter(Boolean).join(" · ");
  $("claim").disabled = !(c.state === "queued" || c.state === "callbackRequested" || (c.state === "withStaff" && !mine));
  $("hand-back").disabled = !mine;
  $("transfer").disabled = !(c.state === "withStaff" && (mine || admin));
  $("transfer-to").disabled = $("transfer").disabled;
  $("close").disabled = !(c.state === "queued" || c.state === "callbackRequested" || c.state === "withStaff");
  $("reopen").hidden = c.state !== "closed";
  $("reply").disabled = !mine;
  $("send").disabled = !mine;
  $("erase").hidden = !admin;
}

const senderNames = { patient: "Patient", assistant: "Assistant", staff: "Staff", system: "System" };

function appendEntry(entry) {
  if (!entry || (entry.id && state.shown.has(entry.id))) return;
  if (entry.id) state.shown.add(entry.id);
  const list = $("transcript");
  if (entry.type === "note") {
    list.append(el("li", { class: "note", "data-sender": "note" },
      el("span", { class: "who", text: `Internal note · ${entry.senderName || "Staff"} · ${time(entry.timestamp)} (staff only)` }),
      el("span", { class: "text", text: entry.text || "" })));
    list.scrollTop = list.scrollHeight;
    return;
  }
  if (entry.type !== "message") {
    const what = entry.eventName || entry.type;
    const detail = entry.eventValue ? Object.values(entry.eventValue).filter((v) => v !== null && typeof v !== "object").join(", ") : "";
    list.append(el("li", { class: "system", text: `${time(entry.timestamp)} ${what}${detail ? ` (${detail})` : ""}` }));
    return;
  }
  if (entry.sender === "patient") $("patient-typing").hidden = true;
  const name = entry.sender === "staff" ? `${entry.senderName || "Staff"} (staff)` : senderNames[entry.sender] || entry.sender;
  const item = el("li", { class: entry.sender, "data-sender": entry.sender },
    el("span", { class: "who", text: `${name} · ${time(entry.timestamp)}` }),
    el("span", { class: "text", text: entry.sender === "assistant" ? readable(entry.text) : entry.text || "" }));
  for (const cite of entry.citations || []) {
    item.append(el("details", {},
      el("summary", { text: `Cited [${cite.position ?? "?"}]: ${cite.title || "passage"}` }),
      el("blockquote", { text: cite.text || "" })));
  }
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function showPatientTyping() {
  const box = $("patient-typing");
  box.hidden = false;
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => { box.hidden = true; }, 6000);
}

// The assistant writes Markdown for Web Chat; staff read it as plain text (never as HTML): emphasis
// marks, quote marks and the citation definitions at the end are dropped, the [n] markers stay.
function readable(markdown) {
  return (markdown || "")
    .replace(/^\[\d+\]: cite:\d+ .*$/gm, "")
    .replace(/^> ?/gm, "")
    .replace(/\*\*|__/g, "")
    .replace(/(^|\s)[*_]([^*_\n]+)[*_](?=[\s.,;:!?]|$)/g, "$1$2")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function appendNote(text) {
  $("transcript").append(el("li", { class: "system", text }));
}

// Times are shown in the clinic's time zone (as the patient is told them), not the browser's.
let clinicZone = "UTC";
let zoneLabel = "";
fetch("/api/site").then((r) => r.json()).then((site) => {
  if (site.timeZone) {
    clinicZone = site.timeZone;
    zoneLabel = `${site.timeZone.slice(site.timeZone.lastIndexOf("/") + 1).replace(/_/g, " ")} time`;
  }
}).catch(() => { /* UTC */ });

function time(value) {
  return value ? new Date(value).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", timeZone: clinicZone }) : "";
}

function dateTime(value) {
  return `${new Date(value).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: clinicZone })} ${zoneLabel}`.trim();
}

async function act(path, body) {
  if (!state.current) return;
  const id = state.current.conversationId;
  try {
    state.current = await call("POST", `/conversations/${encodeURIComponent(id)}/${path}`, body);
    showError("");
    renderHead();
    refreshQueue();
    return true;
  } catch (error) {
    showError(error.message);
    openConversation(id, false);
    return false;
  }
}

// Focus moved when an action completes (a chat opened, a claim made) never leaves a field the staff member is typing
// in meanwhile: a note typed while the claim was on its way must not land in the reply to the patient.
function focusUnlessTyping(target) {
  const active = document.activeElement;
  if (active && active !== target && active.matches("input, textarea, select")) return;
  target.focus();
}

$("claim").addEventListener("click", async () => { if (await act("claim")) focusUnlessTyping($("reply")); });
$("hand-back").addEventListener("click", () => act("handback"));
$("close").addEventListener("click", () => {
  if (confirm("Close this chat? The patient is told the care team has closed it.")) act("close", { outcome: $("close-outcome").value });
});
$("reopen").addEventListener("click", async () => { if (await act("reopen")) { openConversation(state.current.conversationId, false); focusUnlessTyping($("reply")); } });
$("transfer").addEventListener("click", async () => {
  const to = $("transfer-to").value;
  if (!to) { showError("Choose a colleague to transfer to."); $("transfer-to").focus(); return; }
  if (await act("transfer", { staffId: to })) openConversation(state.current.conversationId, false);
});
$("transfer-to").addEventListener("focus", loadColleagues);

async function loadColleagues() {
  let colleagues;
  try { colleagues = await call("GET", "/colleagues"); } catch { return; }
  const select = $("transfer-to");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", text: "Transfer to..." }),
    ...colleagues.filter((c) => !c.me).map((c) => el("option", { value: c.id, text: c.name })));
  select.value = colleagues.some((c) => c.id === chosen) ? chosen : "";
}

$("erase").addEventListener("click", async () => {
  if (!state.current || state.me.role !== "admin") return;
  const id = state.current.conversationId;
  if (!confirm("Erase this conversation for good? Its transcript, callbacks and feedback are deleted; the audit log keeps only that it was erased.")) return;
  try {
    await call("POST", `/admin/conversations/${encodeURIComponent(id)}/erase`);
    state.current = null;
    $("conversation").hidden = true;
    showError("The conversation was erased.");
    refreshQueue();
  } catch (error) {
    showError(error.message);
  }
});

$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = $("reply");
  const text = box.value.trim();
  if (!text) return;
  box.disabled = true;
  if (await act("messages", { text })) box.value = "";
  renderHead();
  box.focus();
});

$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("reply-form").requestSubmit();
    return;
  }
  if (event.altKey && /^Digit[1-9]$/.test(event.code)) {
    const reply = state.savedReplies[Number(event.code.slice(5)) - 1];
    if (reply) { event.preventDefault(); insertReply(reply.text); }
  }
});

// The patient sees "typing" while the owner types (at most one signal every 3 seconds; nothing typed is sent).
$("reply").addEventListener("input", () => {
  if (!state.current || $("reply").disabled || Date.now() - state.lastTypingSent < 3000) return;
  state.lastTypingSent = Date.now();
  call("POST", `/conversations/${encodeURIComponent(state.current.conversationId)}/typing`).catch(() => { /* best effort */ });
});

function insertReply(text) {
  const box = $("reply");
  if (box.disabled) return;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.selectionStart = box.selectionEnd = start + text.length;
  box.focus();
  box.dispatchEvent(new Event("input"));
}

async function loadSavedReplies() {
  try { state.savedReplies = await call("GET", "/saved-replies"); } catch { return; }
  $("saved-replies").replaceChildren(...state.savedReplies.slice(0, 9).map((r, i) =>
    el("li", {}, el("button", { type: "button", class: "secondary", title: r.text, onclick: () => insertReply(r.text) }, el("kbd", { text: `Alt+${i + 1}` }), ` ${r.title}`))));
  renderRepliesAdmin();
}

$("note-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("note").value.trim();
  if (!text || !state.current) return;
  try {
    appendEntry(await call("POST", `/conversations/${encodeURIComponent(state.current.conversationId)}/notes`, { text }));
    $("note").value = "";
    showError("");
  } catch (error) {
    showError(error.message);
  }
});

// ---- views: queue, history, accounts, audit --------------------------------------------------

function showView(view) {
  const admin = state.me && state.me.role === "admin";
  if (!["queue", "history", "accounts", "audit"].includes(view) || (!admin && (view === "accounts" || view === "audit"))) view = "queue";
  state.view = view;
  const inConsole = view === "queue" || view === "history";
  $("console").hidden = !inConsole;
  $("view-queue").hidden = view !== "queue";
  $("view-history").hidden = view !== "history";
  $("view-accounts").hidden = view !== "accounts";
  $("view-audit").hidden = view !== "audit";
  document.querySelectorAll("#nav a[data-view]").forEach((a) => a.setAttribute("aria-current", a.dataset.view === view ? "page" : "false"));
  if (view === "history") { loadMembers(); searchHistory(); }
  if (view === "accounts") { loadAccounts(); loadSavedReplies(); }
  if (view === "audit") loadAudit();
}

window.addEventListener("hashchange", () => { if (state.me) showView(location.hash.slice(1)); });

async function loadMembers() {
  let members;
  try { members = await call("GET", "/members"); } catch { return; }
  const select = $("history-staff");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", text: "Anyone" }), ...members.map((m) => el("option", { value: m.id, text: m.name })));
  select.value = chosen;
}

async function searchHistory() {
  const params = new URLSearchParams();
  const add = (key, value) => { if (value) params.set(key, value); };
  add("q", $("history-q").value.trim());
  if ($("history-from").value) add("from", new Date(`${$("history-from").value}T00:00:00Z`).toISOString());
  if ($("history-to").value) add("to", new Date(`${$("history-to").value}T23:59:59Z`).toISOString());
  add("reason", $("history-reason").value);
  add("outcome", $("history-outcome").value);
  add("staff", $("history-staff").value);
  let items;
  try { items = await call("GET", `/history?${params}`); } catch (error) { showError(error.message); return; }
  $("history").replaceChildren(...items.map((item) => row(item, false)));
  $("history-empty").hidden = items.length > 0;
}

$("history-form").addEventListener("submit", (event) => { event.preventDefault(); searchHistory(); });

async function loadAccounts() {
  let accounts;
  try { accounts = await call("GET", "/admin/accounts"); } catch (error) { showError(error.message); return; }
  $("accounts").replaceChildren(...accounts.map((a) => {
    const role = el("select", { "aria-label": `Role of ${a.name}` }, el("option", { value: "staff", text: "staff" }), el("option", { value: "admin", text: "admin" }));
    role.value = a.role;
    role.addEventListener("change", () => accountAction(a.id, "role", { role: role.value }));
    const password = el("input", { type: "password", minlength: "12", autocomplete: "new-password", "aria-label": `New passphrase for ${a.name}`, placeholder: "new passphrase" });
    return el("tr", { "data-account": a.id },
      el("td", { text: a.name }),
      el("td", { text: a.email }),
      el("td", {}, role),
      el("td", { text: a.disabled ? "disabled" : "active" }),
      el("td", { class: "actions" },
        a.disabled
          ? el("button", { type: "button", onclick: () => accountAction(a.id, "enable"), text: "Re-enable" })
          : el("button", { type: "button", class: "secondary", onclick: () => accountAction(a.id, "disable"), text: "Disable" }),
        password,
        el("button", { type: "button", class: "secondary", onclick: () => accountAction(a.id, "password", { password: password.value }), text: "Reset password" })));
  }));
}

async function accountAction(id, action, body) {
  try {
    await call("POST", `/admin/accounts/${encodeURIComponent(id)}/${action}`, body);
    showError(action === "password" ? "The password was reset; that account's sessions were ended." : "");
  } catch (error) {
    showError(error.message);
  }
  loadAccounts();
}

$("account-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await call("POST", "/admin/accounts", { email: $("account-email").value, name: $("account-name").value, role: $("account-role").value, password: $("account-password").value });
    $("account-form").reset();
    showError("");
  } catch (error) {
    showError(error.message);
  }
  loadAccounts();
});

function renderRepliesAdmin() {
  if (!state.me || state.me.role !== "admin") return;
  $("replies-admin").replaceChildren(...state.savedReplies.map((r) => el("li", {},
    el("strong", { text: r.title }),
    el("span", { text: r.text }),
    el("span", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => { $("reply-admin-id").value = r.id; $("reply-admin-title").value = r.title; $("reply-admin-text").value = r.text; $("reply-admin-title").focus(); }, text: "Edit" }),
      el("button", { type: "button", class: "secondary", onclick: () => deleteReply(r.id), text: "Delete" })))));
}

async function deleteReply(id) {
  try { await call("POST", `/admin/saved-replies/${encodeURIComponent(id)}/delete`); } catch (error) { showError(error.message); }
  loadSavedReplies();
}

$("reply-admin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = $("reply-admin-id").value;
  try {
    await call("POST", id ? `/admin/saved-replies/${encodeURIComponent(id)}` : "/admin/saved-replies", { title: $("reply-admin-title").value, text: $("reply-admin-text").value });
    $("reply-admin-form").reset();
    $("reply-admin-id").value = "";
    showError("");
  } catch (error) {
    showError(error.message);
  }
  loadSavedReplies();
});

async function loadAudit() {
  let entries;
  try { entries = await call("GET", "/admin/audit?limit=200"); } catch (error) { showError(error.message); return; }
  $("audit").replaceChildren(...entries.map((e) => el("tr", {},
    el("td", { text: dateTime(e.at) }), el("td", { text: e.actor }), el("td", { text: e.action }), el("td", { text: e.outcome }), el("td", { text: e.target || "" }))));
}

// ---- callbacks -------------------------------------------------------------------------------

async function refreshCallbacks() {
  if (!state.me) return;
  let callbacks;
  try { callbacks = await call("GET", "/callbacks"); } catch { return; }
  const open = callbacks.filter((c) => !c.doneAt);
  const done = callbacks.filter((c) => c.doneAt).slice(0, 5);
  $("callbacks-empty").hidden = open.length > 0;
  // A request does not change while it is open: one already shown is kept whole, with the note being typed in it.
  keepRows($("callbacks"), open.map((c) => {
    const note = el("input", { type: "text", maxlength: "4000", "aria-label": `Note on the callback to ${c.name} (optional)`, placeholder: "note (optional)" });
    return el("li", { "data-callback": c.id },
      el("strong", { text: c.name }),
      el("span", { text: c.contact }),
      el("span", { class: "muted", text: `asked ${dateTime(c.createdAt)}` }),
      note,
      el("span", { class: "actions" },
        el("button", { type: "button", class: "secondary", onclick: () => openConversation(c.conversationId, true), text: "Open chat" }),
        el("button", { type: "button", onclick: () => markDone(c.id, note.value), text: "Mark done" })));
  }), "callback");
  $("callbacks-done-heading").hidden = done.length === 0;
  // A done row is kept only while it is done the same way: undone and done again, it is a new row.
  keepRows($("callbacks-done"), done.map((c) => el("li", { class: "done", "data-done": `${c.id} ${c.doneAt}` },
    el("span", { text: `${c.name}: done by ${c.doneBy || "staff"}, ${dateTime(c.doneAt)}` }),
    el("span", { class: "actions" }, el("button", { type: "button", class: "secondary", onclick: () => undoDone(c.id), text: "Undo" })))), "done");
}

async function markDone(id, note) {
  try {
    await call("POST", `/callbacks/${encodeURIComponent(id)}/done`, { note: note || null });
    refreshCallbacks();
    refreshQueue();
  } catch (error) {
    showError(error.message);
  }
}

async function undoDone(id) {
  try {
    await call("POST", `/callbacks/${encodeURIComponent(id)}/undo`);
    refreshCallbacks();
    refreshQueue();
  } catch (error) {
    showError(error.message);
  }
}

// ---- start -----------------------------------------------------------------------------------

document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshQueue(); });
document.addEventListener("pointerdown", unlockAudio, { once: true });
document.addEventListener("keydown", unlockAudio, { once: true });

call("GET", "/me").then(signedIn, () => signedOut(""));
