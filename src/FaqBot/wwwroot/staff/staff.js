// Care team console. Everything a patient wrote is put on the page with textContent, never as HTML.
"use strict";

const api = "/api/staff";
const urgentReasons = new Set(["crisis", "emergency"]);
const reasonLabels = {
  crisis: "Crisis", emergency: "Medical emergency", "ask-for-person": "Asked for a person",
  "repeated-miss": "Bot could not answer", "thumbs-down": "Unhappy with an answer", "bot-error": "Bot error",
  cost: "Cost", payment: "Payment", insurance: "Insurance", booking: "Booking", hours: "Opening hours",
  location: "Location", parking: "Parking", contact: "Contact details", "personal-medical": "Personal medical question",
};
const reasonLabel = (reason) => (reason ? reasonLabels[reason] || reason : "Escalated");
const baseTitle = document.title;
const $ = (id) => document.getElementById(id);

const state = {
  me: null,            // { id, name, role, csrfToken }
  queue: [],
  fetchedAt: 0,
  known: null,         // conversation ids already seen in the queue (null until the first load)
  current: null,       // the open conversation's summary
  shown: new Set(),    // activity ids in the open transcript
  feed: null,
  audio: null,
  alerts: 0,
};

/** Creates an element; strings become text nodes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

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
  openFeed();
  refreshQueue();
  refreshCallbacks();
}

function signedOut(message) {
  state.me = null;
  state.known = null;
  state.current = null;
  if (state.feed) state.feed.close();
  state.feed = null;
  $("who").hidden = true;
  $("console").hidden = true;
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
  feed.addEventListener("hello", () => { status.hidden = false; status.textContent = "Live"; refreshQueue(); });
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
  state.fetchedAt = Date.now();
  renderQueue();
  if (arrived.length > 0) alertArrival(arrived);
}

function waitingText(item) {
  const seconds = item.waitingSeconds + Math.floor((Date.now() - state.fetchedAt) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const stateNames = { queued: "waiting", withStaff: "with staff", callbackRequested: "callback requested" };

function renderQueue() {
  const list = $("queue");
  // A refresh must not pull keyboard focus away from the chat a staff member is on.
  const focused = document.activeElement && list.contains(document.activeElement)
    ? document.activeElement.closest("li")?.dataset.conversation
    : null;
  list.replaceChildren(...state.queue.map((item) => {
    const urgent = urgentReasons.has(item.reason);
    const owner = item.owner ? ` (${item.owner.name})` : "";
    const button = el("button", {
      type: "button",
      "aria-current": state.current && state.current.conversationId === item.conversationId ? "true" : "false",
      onclick: () => openConversation(item.conversationId, true),
    },
      el("span", { class: "line1" },
        urgent ? el("span", { class: "badge", text: "URGENT" }) : null,
        el("span", { class: "reason", text: reasonLabel(item.reason) }),
        el("span", { class: "state", text: (stateNames[item.state] || item.state) + owner }),
        el("span", { class: "wait", "data-wait": "", text: waitingText(item) })),
      el("span", { class: "question", text: item.lastMessage || item.firstQuestion || "" }));
    return el("li", { class: urgent ? "urgent" : "", "data-conversation": item.conversationId, "data-priority": item.priority }, button);
  }));
  if (focused) {
    list.querySelector(`li[data-conversation="${CSS.escape(focused)}"] button`)?.focus();
  }
  $("queue-empty").hidden = state.queue.length > 0;
  const waiting = state.queue.filter((q) => q.state === "queued").length;
  $("queue-count").textContent = state.queue.length ? `(${waiting} waiting)` : "";
  document.title = waiting > 0 ? `(${waiting}) ${baseTitle}` : baseTitle;
}

setInterval(() => {
  document.querySelectorAll("#queue [data-wait]").forEach((node, i) => {
    if (state.queue[i]) node.textContent = waitingText(state.queue[i]);
  });
}, 15000);

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
  const urgent = items.some((i) => urgentReasons.has(i.reason));
  const first = items[0];
  state.alerts += 1;
  document.body.dataset.alerts = String(state.alerts);
  beep(urgent ? 3 : 1);
  const box = $("alert");
  box.textContent = urgent
    ? `URGENT: a patient needs help now (${reasonLabel(items.find((i) => urgentReasons.has(i.reason)).reason)}).`
    : `New in the queue: ${reasonLabel(first.reason)}.`;
  box.hidden = false;
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
  }
  detail.transcript.forEach(appendEntry);
  if (detail.feedback.length) {
    appendNote(`Feedback: ${detail.feedback.map((f) => f.reaction).join(", ")}`);
  }
  renderHead();
  renderQueue();
  if (focus) $("conversation-heading").focus();
}

function renderHead() {
  const c = state.current;
  const mine = c.state === "withStaff" && c.owner && c.owner.id === state.me.id;
  const urgent = urgentReasons.has(c.reason);
  $("conversation-heading").textContent = `Conversation: ${reasonLabel(c.reason)}`;
  $("conversation-heading").setAttribute("tabindex", "-1");
  const meta = $("conversation-meta");
  meta.className = urgent ? "meta urgent" : "meta";
  meta.textContent = [
    urgent ? "URGENT" : null,
    `priority ${c.priority}`,
    stateNames[c.state] || c.state,
    c.owner ? `owner: ${c.owner.name}` : "unclaimed",
    c.callbackOffered ? "callback offered" : null,
  ].filter(Boolean).join(" · ");
  $("claim").disabled = !(c.state === "queued" || c.state === "callbackRequested" || (c.state === "withStaff" && !mine));
  $("hand-back").disabled = !mine;
  $("close").disabled = !(c.state === "queued" || c.state === "callbackRequested" || c.state === "withStaff");
  $("reply").disabled = !mine;
  $("send").disabled = !mine;
  $("erase").hidden = state.me.role !== "admin";
}

const senderNames = { patient: "Patient", assistant: "Assistant", staff: "Staff", system: "System" };

function appendEntry(entry) {
  if (!entry || (entry.id && state.shown.has(entry.id))) return;
  if (entry.id) state.shown.add(entry.id);
  const list = $("transcript");
  if (entry.type !== "message") {
    const what = entry.eventName || entry.type;
    const detail = entry.eventValue ? Object.values(entry.eventValue).filter((v) => v !== null && typeof v !== "object").join(", ") : "";
    list.append(el("li", { class: "system", text: `${time(entry.timestamp)} ${what}${detail ? ` (${detail})` : ""}` }));
    return;
  }
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

$("claim").addEventListener("click", async () => { if (await act("claim")) $("reply").focus(); });
$("hand-back").addEventListener("click", () => act("handback"));
$("close").addEventListener("click", () => {
  if (confirm("Close this chat? The patient is told the care team has closed it.")) act("close");
});

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
  }
});

// ---- callbacks -------------------------------------------------------------------------------

async function refreshCallbacks() {
  if (!state.me) return;
  let callbacks;
  try { callbacks = await call("GET", "/callbacks"); } catch { return; }
  const open = callbacks.filter((c) => !c.doneAt);
  $("callbacks-empty").hidden = open.length > 0;
  $("callbacks").replaceChildren(...open.map((c) => el("li", { "data-callback": c.id },
    el("strong", { text: c.name }),
    el("span", { text: c.contact }),
    el("span", { class: "muted", text: `asked ${dateTime(c.createdAt)}` }),
    el("span", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => openConversation(c.conversationId, true), text: "Open chat" }),
      el("button", { type: "button", onclick: () => markDone(c.id), text: "Mark done" })))));
}

async function markDone(id) {
  try {
    await call("POST", `/callbacks/${encodeURIComponent(id)}/done`);
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
