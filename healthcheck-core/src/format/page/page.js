"use strict";
(() => {
  const main = document.querySelector("main");
  const rowsOf = () => {
    const rows = new Map();
    for (const row of document.querySelectorAll("tr[data-check]")) rows.set(row.dataset.check, row);
    return rows;
  };
  let rows = rowsOf();
  const when = (seconds) => new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  const took = (seconds) => seconds < 0.001 ? Math.floor(seconds * 1e6) + " µs"
    : seconds < 1 ? (seconds * 1000).toFixed(1) + " ms" : seconds.toFixed(2) + " s";
  const statusClass = (element, status) => {
    element.classList.remove("st-pass", "st-warn", "st-fail", "st-none");
    element.classList.add("st-" + status);
  };
  const flapping = (row, on, percent) => {
    const mark = row.querySelector(".flap");
    mark.hidden = !on;
    mark.textContent = "flapping " + Math.round(percent) + "%";
  };
  const status = (data) => {
    const row = rows.get(data.checker);
    if (!row) { refresh(); return; }
    statusClass(row, data.status);
    row.querySelector(".badge").textContent = data.status;
    const output = row.querySelector("td.output");
    output.textContent = data.output;
    const keys = Object.keys(data.details || {});
    if (keys.length > 0) {
      const list = document.createElement("dl");
      list.className = "details";
      for (const key of keys) {
        const term = document.createElement("dt");
        term.textContent = key;
        const value = document.createElement("dd");
        const detail = data.details[key];
        value.textContent = typeof detail === "string" ? detail : JSON.stringify(detail);
        list.append(term, value);
      }
      output.append(list);
    }
    row.querySelector("td.duration").textContent = took(data.response_time);
    const time = row.querySelector("td.last time");
    time.textContent = when(data.timestamp);
    time.dateTime = new Date(data.timestamp * 1000).toISOString();
    flapping(row, data.flapping, data.state_change_percent);
    const bar = row.querySelector(".bar");
    const cell = document.createElement("span");
    cell.className = "c st-" + data.status;
    cell.title = data.status + " at " + when(data.timestamp);
    bar.append(cell);
    while (bar.children.length > 21) bar.firstElementChild.remove();
    refresh();
  };
  const banner = document.getElementById("banner");
  const phaseText = document.getElementById("phase");
  const note = document.getElementById("phase-note");
  let drainEnds = null;
  const phaseNotes = {
    STARTING: "Starting: not every startup check has passed yet.",
    UP: "Up: every readiness check passes.",
    DOWN: "Down: a readiness check fails.",
    STOPPING: "Stopping: shutdown has begun.",
    STOPPED: "Stopped: shutdown is done.",
  };
  const drainLeft = () => {
    if (drainEnds === null) return;
    const left = Math.max(0, Math.ceil((drainEnds - Date.now()) / 1000));
    note.textContent = "Stopping: shutdown has begun; the drain ends in " + left + " s.";
  };
  const phase = (data) => {
    banner.className = "banner phase-" + data.phase.toLowerCase();
    phaseText.textContent = data.phase;
    document.title = data.phase + document.title.slice(document.title.indexOf(" ·"));
    drainEnds = typeof data.drain_left === "number" ? Date.now() + data.drain_left * 1000 : null;
    note.textContent = phaseNotes[data.phase] || data.phase;
    drainLeft();
  };
  const left = document.getElementById("drain");
  if (left) drainEnds = Date.now() + Number(left.dataset.left) * 1000;
  setInterval(drainLeft, 1000);
  // The failures regrouped under their root causes, from the page as the server draws it now.
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      try {
        const response = await fetch(location.href, { headers: { accept: "text/html" } });
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("failing");
        if (fresh) document.getElementById("failing").replaceWith(fresh);
        const table = page.querySelector("main table");
        if (table && page.querySelectorAll("tr[data-check]").length !== rows.size) {
          document.querySelector("main table").replaceWith(table);
          rows = rowsOf();
        }
      } catch (_) { /* the next event tries again */ }
    }, 250);
  };
  const source = new EventSource("events?last_event_id=" + encodeURIComponent(main.dataset.lastEventId));
  source.addEventListener("status", (event) => status(JSON.parse(event.data)));
  source.addEventListener("flapping", (event) => {
    const data = JSON.parse(event.data);
    const row = rows.get(data.checker);
    if (row) flapping(row, data.flapping, data.state_change_percent);
  });
  source.addEventListener("phase", (event) => phase(JSON.parse(event.data)));
  source.addEventListener("reset", () => location.reload());
  source.addEventListener("end", (event) => {
    source.close();
    if (JSON.parse(event.data).reason === "behind") { location.reload(); return; }
    note.textContent += " The server is shutting down: this page no longer updates.";
  });
  source.addEventListener("open", () => { document.documentElement.dataset.live = "on"; });
})();
