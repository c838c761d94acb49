// The live commentary wall: the current shot's speed in big digits, the scrolling feed of
// commentary lines and the top-10 leaderboard, all kept current over one websocket.
import { keepConnected } from "../booth/socket.js";
import { apply, newModel, playReplay } from "./commentary-feed.js";

const root = document.getElementById("commentary");
const el = (id) => document.getElementById(id);
const labels = el("labels").dataset;
const model = newModel(JSON.parse(el("commentary-state").textContent));

function renderShot() {
  const shot = model.shot;
  if (!shot) return;
  el("now-name").textContent = shot.nickname;
  el("speed").textContent = shot.speed_kmh.toFixed(1);
  el("now-outcome").textContent = shot.goal ? labels.goal : labels.miss;
  root.dataset.goal = String(shot.goal);
  root.dataset.shot = String(shot.id);
}

function renderFeed() {
  const feed = el("feed");
  feed.replaceChildren(
    ...model.lines.map((line) => {
      const item = document.createElement("li");
      item.dataset.line = String(line.id);
      item.textContent = line.text;
      return item;
    }),
  );
  feed.lastElementChild?.scrollIntoView({ block: "end", behavior: "smooth" });
}

function renderBoard() {
  el("leaderboard").replaceChildren(
    ...model.leaderboard.map((row) => {
      const item = document.createElement("li");
      item.dataset.player = String(row.player);
      if (model.shot && row.player === model.shot.player) item.classList.add("current");
      const rank = Object.assign(document.createElement("span"), { className: "rank", textContent: row.rank });
      const name = Object.assign(document.createElement("span"), { className: "name", textContent: row.nickname });
      const best = Object.assign(document.createElement("span"), {
        className: "best",
        textContent: `${row.best_kmh.toFixed(1)} km/h`,
      });
      item.append(rank, name, best);
      return item;
    }),
  );
}

let hideReplay = null;
let shownReplay = null;

function renderReplay() {
  const replay = model.replay;
  if (!replay || replay.id === shownReplay) return;
  shownReplay = replay.id;
  hideReplay = playReplay(el("replay"), replay, hideReplay);
}

function render(changed) {
  // A replay finished while the page was offline arrives in the resync "state".
  if (changed === "replay" || changed === "state") renderReplay();
  if (changed === "state" || changed === "shot") {
    renderShot();
    renderBoard();
  }
  if (changed === "state" || changed === "line" || changed === "removed") renderFeed();
}

shownReplay = model.replay?.id ?? null; // what was already on the wall before this load
render("state");
keepConnected(`/ws/commentary/${root.dataset.experience}/`, {
  onStatus({ connected }) {
    el("connection").dataset.connected = String(connected);
  },
  onMessage(message) {
    render(apply(model, message));
  },
});
