// One LED screen: renders its display's state, pushed over a websocket. Used by the
// per-display page (display.js) and by the wall of all displays (wall.js) alike.
//
// Images are decoded before they are swapped in. After a configurable number of
// consecutive connection failures, or a disconnect longer than a configurable time, the
// default image is shown until the connection is back; the server then sends the full
// state again. With no new result for a while, a live screen cycles through the event's
// recent approved results (the attract loop), asking the server for a fresh list each
// round so a result taken down meanwhile is never shown.
import { keepConnected } from "../booth/socket.js";
import { startOverlay } from "./commentary-overlay.js";
import { clearLetter, renderLetter } from "../booth/letter.js";

export const CLIENT_VERSION = "2026.11-walls";
const PROCESSING_TIMEOUT_MS = 60000;

function settingsOf(root) {
  const number = (name, fallback) => {
    const value = Number(root.dataset[name]);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    failuresBeforeDefault: number("failuresBeforeDefault", 5),
    offlineDefaultMs: number("offlineDefaultMs", 30000),
    heartbeatMs: number("heartbeatMs", 15000),
    attractAfterMs: number("attractAfterMs", 120000),
    attractIntervalMs: number("attractIntervalMs", 8000),
  };
}

async function decoded(url, srcset = "", sizes = "") {
  const image = new Image();
  // The same candidates as the element it is for, so the browser decodes (and caches) the
  // WebP size it will show there, not the full JPEG.
  if (srcset) Object.assign(image, { sizes, srcset });
  image.src = url;
  await image.decode();
  return image;
}

export function mountScreen(root, initialState) {
  const config = settingsOf(root);
  const part = (name) => root.querySelector(`[data-part="${name}"]`);
  let latestRender = 0;
  let lastState = initialState;
  let offlineSince = null;
  let offline = false;
  let processingTimer = null;
  let lastNewResultAt = Date.now();
  let attract = { list: initialState.attract || [], index: -1, timer: null, active: false };
  let connection = null;
  let overlay = null;

  function report() {
    let showing = root.dataset.view === "result" ? "result" : "default";
    if (offline) showing = "offline";
    else if (attract.active) showing = "attract";
    // The screen's size, so staff see a wall that opened in the wrong shape or resolution.
    const size = { width: root.clientWidth, height: root.clientHeight };
    return { version: CLIENT_VERSION, showing, result: root.dataset.result || "", ...size };
  }

  function reportChange() {
    connection?.send({ type: "hello", ...report() });
  }

  async function showDefault(url) {
    const ticket = ++latestRender;
    const target = part("default-image");
    if (url && target.getAttribute("src") !== url) {
      try {
        await decoded(url);
      } catch {
        /* show whatever loads */
      }
      if (ticket !== latestRender) return;
      target.src = url;
      const backdrop = part("default-backdrop");
      if (backdrop) backdrop.src = url;
    }
    root.dataset.view = "default";
    delete root.dataset.result;
    reportChange();
  }

  async function showResult(result) {
    const ticket = ++latestRender;
    try {
      // The attract loop's results come without QR code (kernel/display_links.py): no key of
      // a visitor who has left is shown on the wall.
      const portrait = part("portrait");
      await Promise.all([
        decoded(result.image, result.image_srcset, portrait.sizes),
        result.qr ? decoded(result.qr) : null,
      ]);
    } catch {
      return; // keep what is on screen rather than a broken image
    }
    if (ticket !== latestRender) return; // a newer state arrived while this one loaded
    if (result.image_srcset) part("portrait").srcset = result.image_srcset;
    else part("portrait").removeAttribute("srcset");
    part("portrait").src = result.image;
    if (result.qr) part("qr").src = result.qr;
    else part("qr").removeAttribute("src");
    part("qr").closest("figure").hidden = !result.qr;
    part("nickname").textContent = result.nickname;
    part("story").textContent = result.story;
    // The story is in the visitor's language, which may not be the wall's: mark it so a
    // screen reader or a browser's translator reads it right.
    if (result.story_language && result.story_language !== document.documentElement.lang) {
      part("story").lang = result.story_language;
    } else {
      part("story").removeAttribute("lang");
    }
    root.dataset.view = "result";
    root.dataset.result = String(result.id);
    reportChange();
  }

  // A résumé's cover letter, streamed while the job runs; gone when a new result shows.
  function showLetter(message) {
    const panel = part("letter");
    const sections = part("letter-sections");
    if (part("letter-name").textContent !== message.nickname) clearLetter(sections);
    part("letter-name").textContent = message.nickname;
    renderLetter(sections, message.sections);
    if (message.done) sections.dataset.done = "true";
    panel.hidden = false;
    setProcessing(message.nickname); // still being made: keeps "processing" up meanwhile
  }

  function hideLetter() {
    part("letter").hidden = true;
    part("letter-name").textContent = "";
    clearLetter(part("letter-sections"));
  }

  function setProcessing(nickname) {
    clearTimeout(processingTimer);
    part("processing").hidden = !nickname;
    part("processing-name").textContent = nickname || "";
    if (nickname) processingTimer = setTimeout(() => setProcessing(null), PROCESSING_TIMEOUT_MS);
  }

  // --- attract loop ---------------------------------------------------------------------
  function stopAttract() {
    clearTimeout(attract.timer);
    attract.active = false;
    attract.index = -1;
    delete root.dataset.attract;
  }

  function attractNext() {
    const list = attract.list;
    if (!list.length || lastState.mode !== "live" || offline) {
      stopAttract();
      return render(lastState, { keepAttract: true });
    }
    attract.index = (attract.index + 1) % list.length;
    if (attract.index === list.length - 1) connection?.send({ type: "attract" }); // fresh list
    attract.active = true;
    root.dataset.attract = "true";
    showResult(list[attract.index]);
    attract.timer = setTimeout(attractNext, config.attractIntervalMs);
  }

  function idleCheck() {
    if (attract.active || offline || lastState.mode !== "live" || !attract.list.length) return;
    if (config.attractAfterMs <= 0) return;
    if (Date.now() - lastNewResultAt >= config.attractAfterMs) {
      connection?.send({ type: "attract" });
      attractNext();
    }
  }

  function updateAttractList(list) {
    attract.list = list || [];
    if (!attract.active) return;
    const shown = root.dataset.result;
    if (!attract.list.some((result) => String(result.id) === shown)) {
      clearTimeout(attract.timer);
      attract.index = -1;
      attractNext(); // the shown one was taken down: move on at once
    }
  }

  // The commentary overlay (and its replays) follows the display's setting in admin.
  function followCommentary(experience) {
    if (overlay && overlay.experience === experience) return;
    overlay?.stop();
    overlay = experience
      ? startOverlay(experience, part("commentary-overlay"), part("replay-overlay"))
      : null;
  }

  // --- narration (the display's sound switch) ---------------------------------------------
  // Each current result's story is read once, when its narration arrives (it follows the
  // portrait: narration never delays the wall). A kiosk browser must allow sound without a
  // tap (docs/operators.md); a refusal is silent.
  let spoken = null;
  const voice = new Audio();
  function speak(state) {
    if (!state.sound) voice.pause(); // switched off: stop mid-sentence
    const url = state.sound && state.mode === "live" ? state.result?.narration : null;
    if (!url || spoken === state.result.id) return;
    spoken = state.result.id;
    root.dataset.spoken = String(spoken); // what the status and the tests can see
    voice.src = url;
    voice.play().then(
      () => (root.dataset.sound = "playing"),
      () => (root.dataset.sound = "refused"),
    );
  }

  // --- state ----------------------------------------------------------------------------
  function render(state, { keepAttract = false } = {}) {
    speak(state);
    followCommentary(state.commentary ?? null);
    const isNew = state.result && state.result.id !== lastState.result?.id;
    if (isNew) {
      lastNewResultAt = Date.now();
      hideLetter();
    }
    lastState = state;
    setProcessing(null);
    root.dataset.mode = state.mode;
    if (!keepAttract) {
      if (isNew || state.mode !== "live") stopAttract();
      if ("attract" in state) updateAttractList(state.attract); // else keep the list
      if (attract.active) return;
    }
    // Paused keeps what it shows: the server keeps its stored result fixed meanwhile.
    if (state.mode === "default" || !state.result) return showDefault(state.default_image);
    return showResult(state.result);
  }

  function onStatus({ connected, failures }) {
    part("connection").dataset.connected = String(connected);
    if (connected) {
      offlineSince = null;
      offline = false;
      return;
    }
    offlineSince ??= Date.now();
    const tooLong = Date.now() - offlineSince > config.offlineDefaultMs;
    if (failures >= config.failuresBeforeDefault || tooLong) {
      offline = true;
      stopAttract();
      setProcessing(null);
      showDefault(lastState.default_image);
    }
  }

  function onMessage(message) {
    if (message.type === "state") render(message);
    else if (message.type === "attract") updateAttractList(message.results);
    else if (message.type === "processing" && lastState.mode === "live") {
      stopAttract();
      lastNewResultAt = Date.now();
      render(lastState, { keepAttract: true });
      setProcessing(message.nickname);
    } else if (message.type === "letter" && lastState.mode === "live") {
      lastNewResultAt = Date.now();
      if (part("letter").hidden && attract.active) {
        stopAttract(); // back to the wall's own result under the letter, once
        render(lastState, { keepAttract: true });
      }
      showLetter(message);
    } else if (message.type === "reload") window.location.reload();
  }

  render(lastState);
  // Offline longer than the limit while the socket waits to reconnect: checked here too.
  setInterval(() => {
    if (offlineSince !== null && !offline) onStatus({ connected: false, failures: 0 });
    idleCheck();
  }, 1000);
  connection = keepConnected(`/ws/displays/${root.dataset.display}/`, {
    onStatus,
    onMessage,
    heartbeatMs: config.heartbeatMs,
    report,
  });
  return connection;
}
