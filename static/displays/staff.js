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

// Times as staff read them at a glance: "2 min ago · 14:03:05", in the event's time zone
// (TIME_ZONE, on <main data-time-zone>), whatever the laptop's own zone is.
const zone = document.querySelector("[data-time-zone]")?.dataset.timeZone || undefined;
const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: zone,
});

export function ago(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

function human(iso) {
  if (!iso) return "never";
  return `${ago(iso)} · ${clock.format(new Date(iso))}`;
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
      if (!cell) continue;
      if (field === "last_heartbeat") {
        cell.textContent = human(row[field]);
        cell.title = row[field] || "";
      } else cell.textContent = text(row[field]);
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
  if (at) {
    at.textContent = clock.format(new Date(snapshot.at));
    at.dateTime = snapshot.at;
  }
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
