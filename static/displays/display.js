// LED display page: shows its display's state, pushed over a websocket.
// Images are decoded before they are swapped in; after repeated connection failures
// the default image is shown until the connection (and the current state) is back.
import { keepConnected } from "../booth/socket.js";
import { startOverlay } from "./commentary-overlay.js";

const FAILURES_BEFORE_DEFAULT = 5;
const OFFLINE_DEFAULT_MS = 30000;
const PROCESSING_TIMEOUT_MS = 60000;

const wall = document.getElementById("wall");
const number = wall.dataset.display;
const el = (id) => document.getElementById(id);
let latestRender = 0;
let lastState = JSON.parse(el("display-state").textContent);
let offlineSince = null;
let processingTimer = null;
let overlay = null;

async function decoded(url) {
  const image = new Image();
  image.src = url;
  await image.decode();
  return image;
}

async function showDefault(url) {
  const ticket = ++latestRender;
  const target = el("default-image");
  if (url && target.getAttribute("src") !== url) {
    try {
      await decoded(url);
    } catch {
      /* show whatever loads */
    }
    if (ticket !== latestRender) return;
    target.src = url;
  }
  wall.dataset.view = "default";
  delete wall.dataset.token;
}

async function showResult(result) {
  const ticket = ++latestRender;
  try {
    await Promise.all([decoded(result.image), decoded(result.qr)]);
  } catch {
    return; // keep what is on screen rather than a broken image
  }
  if (ticket !== latestRender) return; // a newer state arrived while this one loaded
  el("portrait").src = result.image;
  el("qr").src = result.qr;
  el("nickname").textContent = result.nickname;
  el("story").textContent = result.story;
  wall.dataset.view = "result";
  wall.dataset.token = result.token;
}

function setProcessing(nickname) {
  clearTimeout(processingTimer);
  el("processing").hidden = !nickname;
  el("processing-name").textContent = nickname || "";
  if (nickname) processingTimer = setTimeout(() => setProcessing(null), PROCESSING_TIMEOUT_MS);
}

// The commentary overlay follows the display's setting (staff toggle it in admin).
function followCommentary(experience) {
  if (overlay && overlay.experience === experience) return;
  overlay?.stop();
  overlay = experience ? startOverlay(experience, el("commentary-overlay"), el("replay-overlay")) : null;
}

function render(state) {
  lastState = state;
  followCommentary(state.commentary ?? null);
  setProcessing(null);
  wall.dataset.mode = state.mode;
  if (state.mode === "paused") {
    // Keeps what it shows, unless that result was taken down or erased meanwhile.
    const shown = wall.dataset.token;
    if (shown && shown !== state.result?.token) return showDefault(state.default_image);
    return;
  }
  if (state.mode === "default" || !state.result) return showDefault(state.default_image);
  return showResult(state.result);
}

function onStatus({ connected, failures }) {
  el("connection").dataset.connected = String(connected);
  if (connected) {
    offlineSince = null;
    return;
  }
  offlineSince ??= Date.now();
  if (failures >= FAILURES_BEFORE_DEFAULT || Date.now() - offlineSince > OFFLINE_DEFAULT_MS) {
    setProcessing(null);
    showDefault(lastState.default_image);
  }
}

render(lastState);
keepConnected(`/ws/displays/${number}/`, {
  onStatus,
  onMessage(message) {
    if (message.type === "state") render(message);
    else if (message.type === "processing" && lastState.mode === "live") setProcessing(message.nickname);
  },
});
