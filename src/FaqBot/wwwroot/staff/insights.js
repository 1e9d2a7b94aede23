// Insights and teaching the bot. Everything a patient wrote is put on the page with textContent, never as HTML;
// charts are drawn by Chart.js (bundled by the build at /lib/chart.umd.min.js), each with its numbers in a table.
"use strict";

import { el } from "/staff/dom.js";

(() => {
  const api = "/api/staff";
  const $ = (id) => document.getElementById(id);
  const state = { me: null, period: null, charts: {}, teaching: null };
  const kindLabels = { fallback: "fell back", "thumbs-down": "thumbs-down", "abandoned-clarification": "abandoned clarification" };

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      if (state.me) headers["X-CSRF-TOKEN"] = state.me.csrfToken;
    }
    const response = await fetch(api + path, { method, headers, credentials: "same-origin", body: method === "GET" ? undefined : JSON.stringify(body ?? {}) });
    if (response.status === 401) {
      showSignedOut();
      throw new Error("signed out");
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && (data.detail || data.title)) || `Request failed (${response.status}).`);
    return data;
  }

  function showError(message) {
    $("error").textContent = message || "";
    $("error").hidden = !message;
  }

  function showSignedOut() {
    $("insights").hidden = true;
    $("who").hidden = true;
    $("signed-out").hidden = false;
  }

  // Until a period is chosen, the server's default (the last 30 days, clinic time) is asked for and then shown.
  const query = () => (state.period ? `from=${encodeURIComponent(state.period.from)}&to=${encodeURIComponent(state.period.to)}` : "");
  const duration = (seconds) => {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 90) return `${Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
  };
  const when = (iso) => new Date(iso).toLocaleString();

  function table(id, headers, rows) {
    const node = $(id);
    node.replaceChildren(
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((cell) => el("td", { text: String(cell) }))))));
  }

  function chart(id, type, labels, values, label) {
    state.charts[id]?.destroy();
    if (typeof Chart === "undefined") return; // the numbers tables still show everything
    state.charts[id] = new Chart($(id), {
      type,
      data: { labels, datasets: [{ label, data: values, backgroundColor: "#0f5f6f", borderColor: "#0f5f6f" }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  async function loadReport() {
    const report = await call("GET", `/insights?${query()}`);
    state.period = { from: report.from, to: report.to };
    $("from").value = report.from;
    $("to").value = report.to;
    $("zone").textContent = `Clinic time (${report.timeZone})`;
    $("stat-conversations").textContent = String(report.conversations);
    $("stat-claims").textContent = String(report.timeToClaim.claims);
    $("stat-median").textContent = duration(report.timeToClaim.medianSeconds);
    $("stat-p90").textContent = duration(report.timeToClaim.p90Seconds);

    const days = report.conversationsPerDay;
    chart("chart-per-day", "bar", days.map((d) => d.day), days.map((d) => d.count), "Conversations");
    table("table-per-day", ["Day", "Conversations"], days.map((d) => [d.day, d.count]));

    const o = report.outcomes;
    const outcomes = [["Answered", o.answered], ["Clarified", o.clarified], ["Fell back", o.fellBack], ["Handed off", o.handedOff], ["Crisis", o.crisis]];
    chart("chart-outcomes", "bar", outcomes.map((x) => x[0]), outcomes.map((x) => x[1]), "Messages");
    table("table-outcomes", ["Outcome", "Messages"], outcomes);

    const feedback = [["Thumbs up", report.feedback.up], ["Thumbs down", report.feedback.down]];
    chart("chart-feedback", "bar", feedback.map((x) => x[0]), feedback.map((x) => x[1]), "Answers");
    table("table-feedback", ["Feedback", "Answers"], feedback);

    const hours = report.messagesByHour.map((count, hour) => [`${String(hour).padStart(2, "0")}:00`, count]);
    chart("chart-hours", "bar", hours.map((x) => x[0]), hours.map((x) => x[1]), "Messages");
    table("table-hours", ["Hour", "Messages"], hours);
  }

  async function loadMissed() {
    const groups = await call("GET", `/insights/missed?${query()}`);
    $("missed-count").textContent = groups.length ? `(${groups.reduce((n, g) => n + g.count, 0)} in ${groups.length} groups)` : "";
    $("missed-empty").hidden = groups.length > 0;
    $("missed").replaceChildren(...groups.map((group) => {
      const kinds = Object.entries(group.kinds).map(([kind, n]) => `${n} ${kindLabels[kind] || kind}`).join(", ");
      return el("li", { class: "group" },
        el("div", { class: "head" },
          el("span", { class: "question", text: group.question }),
          el("span", { class: "muted", text: `${group.count} × · ${kinds} · last ${when(group.lastAt)}` })),
        group.count > 1 ? el("ul", { class: "examples", "aria-label": "Examples" }, ...group.examples.map((e) => el("li", { text: e.text }))) : null,
        el("div", { class: "buttons" },
          el("button", { type: "button", text: "Teach the bot", onclick: () => openTeach(group.question) }),
          el("button", { type: "button", class: "secondary", text: "Needs an article", onclick: (event) => needsArticle(group.question, event.currentTarget) })));
    }));
  }

  async function loadTaught() {
    const taught = await call("GET", "/taught");
    const admin = state.me.role === "admin";
    $("taught-count").textContent = taught.length ? `(${taught.length})` : "";
    $("taught-empty").hidden = taught.length > 0;
    $("taught").hidden = taught.length === 0;
    $("taught").tBodies[0].replaceChildren(...taught.map((t) => el("tr", {},
      el("td", { text: t.question }),
      el("td", { text: `${t.source} · ${t.section || "Introduction"}: ${t.passage}` }),
      el("td", { text: t.taughtByName }),
      el("td", { text: when(t.taughtAt) }),
      el("td", {}, admin ? el("button", { type: "button", class: "secondary", text: "Remove", "aria-label": `Remove taught question: ${t.question}`, onclick: () => removeTaught(t.id) }) : null))));
  }

  async function loadRequests() {
    const requests = await call("GET", "/article-requests");
    const admin = state.me.role === "admin";
    $("requests-count").textContent = requests.length ? `(${requests.length})` : "";
    $("requests-empty").hidden = requests.length > 0;
    $("requests").replaceChildren(...requests.map((r) => el("li", {},
      el("span", { text: r.question }), " ",
      el("span", { class: "muted", text: `marked by ${r.requestedByName}, ${when(r.requestedAt)}` }), " ",
      admin ? el("button", { type: "button", class: "secondary", text: "Done", onclick: () => closeRequest(r.id) }) : null)));
  }

  async function loadAll() {
    showError("");
    delete document.body.dataset.loaded;
    try {
      await loadReport();
      $("figures-csv").href = `${api}/insights/figures.csv?${query()}`;
      $("missed-csv").href = `${api}/insights/missed.csv?${query()}`;
      await Promise.all([loadMissed(), loadTaught(), loadRequests()]);
      document.body.dataset.loaded = "true";
    } catch (error) {
      if (error.message !== "signed out") showError(error.message);
    }
  }

  function openTeach(question) {
    $("teach").hidden = false;
    $("teach-question").value = question;
    $("teach-words").value = question;
    $("teach-status").textContent = "";
    $("teach-results").replaceChildren();
    $("teach-question").focus();
    search();
  }

  async function search() {
    const words = $("teach-words").value.trim();
    if (!words) return;
    try {
      const passages = await call("GET", `/knowledge/search?q=${encodeURIComponent(words)}`);
      $("teach-results").replaceChildren(...passages.map((p) => el("li", {},
        el("div", { class: "source", text: `${p.title} · ${p.section || "Introduction"}${p.kind === "story" ? " · a patient's account" : ""}` }),
        el("div", { class: "passage", text: p.passage }),
        el("div", { class: "buttons" }, el("button", { type: "button", text: "Use this passage", onclick: () => teach(p) })))));
    } catch (error) {
      if (error.message !== "signed out") $("teach-status").textContent = error.message;
    }
  }

  async function teach(passage) {
    const question = $("teach-question").value.trim();
    try {
      await call("POST", "/taught", { question, source: passage.source, section: passage.section, passage: passage.passage });
      $("teach-status").textContent = `Taught. Patients who ask "${question}" now get this passage from ${passage.title}.`;
      $("teach-results").replaceChildren();
      await loadTaught();
    } catch (error) {
      if (error.message !== "signed out") $("teach-status").textContent = error.message;
    }
  }

  async function needsArticle(question, button) {
    try {
      await call("POST", "/article-requests", { question });
      button.disabled = true;
      button.textContent = "Listed for an article";
      await loadRequests();
    } catch (error) {
      if (error.message !== "signed out") showError(error.message);
    }
  }

  async function removeTaught(id) {
    try {
      await call("DELETE", `/admin/taught/${id}`);
      await loadTaught();
    } catch (error) {
      if (error.message !== "signed out") showError(error.message);
    }
  }

  async function closeRequest(id) {
    try {
      await call("DELETE", `/admin/article-requests/${id}`);
      await loadRequests();
    } catch (error) {
      if (error.message !== "signed out") showError(error.message);
    }
  }

  $("period").addEventListener("submit", (event) => {
    event.preventDefault();
    if ($("from").value > $("to").value) {
      showError("The period's start must not be after its end.");
      return;
    }
    state.period = { from: $("from").value, to: $("to").value };
    loadAll();
  });
  $("teach-search").addEventListener("submit", (event) => { event.preventDefault(); search(); });
  $("teach-cancel").addEventListener("click", () => { $("teach").hidden = true; });

  (async () => {
    try {
      state.me = await call("GET", "/me");
    } catch {
      return; // signed out is shown
    }
    $("who-name").textContent = state.me.name;
    $("who").hidden = false;
    $("insights").hidden = false;
    const params = new URLSearchParams(location.search);
    if (params.get("from") && params.get("to")) state.period = { from: params.get("from"), to: params.get("to") };
    await loadAll();
  })();
})();
