// Live commentary over an LED display: the newest line and its shot's speed in a band at
// the bottom, for a while after each shot. Started and stopped by display.js.
import { keepConnected } from "../booth/socket.js";
import { apply, newModel, playReplay } from "./commentary-feed.js";

const SHOW_MS = 12000;

export function startOverlay(experience, band, replayBox) {
  const model = newModel({});
  let hideTimer = null;
  let hideReplay = null;
  let shownReplay; // undefined until the first state: replays older than this page stay off
  const text = band.querySelector("[data-overlay=text]");
  const speed = band.querySelector("[data-overlay=speed]");

  function show() {
    const line = model.lines.at(-1);
    if (!line) {
      band.hidden = true;
      return;
    }
    text.textContent = line.text;
    const shot = model.shot && model.shot.id === line.shot ? model.shot : null;
    speed.textContent = shot ? `${shot.speed_kmh.toFixed(1)} km/h` : "";
    band.dataset.line = String(line.id);
    band.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => (band.hidden = true), SHOW_MS);
  }

  const socket = keepConnected(`/ws/commentary/${experience}/`, {
    onStatus({ connected }) {
      band.dataset.connected = String(connected);
    },
    onMessage(message) {
      const changed = apply(model, message);
      if (changed === "state" && shownReplay === undefined) shownReplay = model.replay?.id ?? null;
      if ((changed === "replay" || changed === "state") && replayBox && model.replay && model.replay.id !== shownReplay) {
        shownReplay = model.replay.id;
        hideReplay = playReplay(replayBox, model.replay, hideReplay);
      }
      if (changed === "line") show();
      else if (changed === "removed" && band.dataset.line && !model.lines.some((l) => String(l.id) === band.dataset.line))
        band.hidden = true;
      else if (changed === "state" && band.dataset.line) show();
    },
  });
  return {
    experience,
    stop() {
      clearTimeout(hideTimer);
      hideReplay?.();
      band.hidden = true;
      delete band.dataset.connected;
      socket.close();
    },
  };
}
