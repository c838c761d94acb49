// Staff control and status pages: live figures pushed over /ws/staff/status/.
import { keepConnected } from "../booth/socket.js";

const FIELDS = ["mode", "pages", "last_heartbeat", "size", "showing", "result", "client_versions"];

function text(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  return String(value);
}

function seconds(value) {
  return value === null || value === undefined ? "—" : value.toFixed(3);
}

function lookup(object, path) {
  return path.split(".").reduce((value, key) => (value == null ? value : value[key]), object);
}

function renderDisplays(displays) {
  for (const row of displays) {
    const tr = document.querySelector(`#display-status tr[data-display="${row.number}"]`);
    if (!tr) continue;
    tr.dataset.silent = String(row.silent);
    for (const field of FIELDS) {
      const cell = tr.querySelector(`[data-field="${field}"]`);
      if (cell) cell.textContent = field === "last_heartbeat" && !row[field] ? "never" : text(row[field]);
    }
  }
}

function renderBooth(booth) {
  for (const element of document.querySelectorAll("[data-booth]")) {
    element.textContent = text(lookup(booth, element.dataset.booth));
  }
  const body = document.querySelector("#stage-timings tbody");
  if (!body) return;
  body.replaceChildren(
    ...Object.entries(booth.stages).map(([stage, figures]) => {
      const tr = document.createElement("tr");
      tr.dataset.stage = stage;
      for (const value of [stage, seconds(figures.p50), seconds(figures.p95), String(figures.n)]) {
        const td = document.createElement(tr.children.length ? "td" : "th");
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function render(snapshot) {
  renderDisplays(snapshot.displays);
  renderBooth(snapshot.booth);
  const at = document.getElementById("status-at");
  if (at) at.textContent = snapshot.at;
  document.body.dataset.statusAt = snapshot.at;
}

render(JSON.parse(document.getElementById("status-snapshot").textContent));
keepConnected("/ws/staff/status/", {
  onMessage(message) {
    if (message.type === "status") render(message);
  },
  onStatus({ connected }) {
    const label = document.querySelector("[data-connection]");
    if (label) label.textContent = connected ? "live" : "reconnecting…";
  },
});
