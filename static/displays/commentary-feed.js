// What every commentary view shares: applying the socket's messages to a small model
// (lines by id, the current shot, the leaderboard), so the page and the overlay agree.

export const FEED_LIMIT = 30;

export function newModel(state) {
  return {
    lines: [...(state.lines || [])],
    shot: state.shot || null,
    leaderboard: state.leaderboard || [],
    replay: state.replay || null,
  };
}

// Returns what changed: "state", "shot", "line", "removed" or "replay" (or null for other
// messages).
export function apply(model, message) {
  switch (message.type) {
    case "state":
      Object.assign(model, newModel(message));
      return "state";
    case "shot":
      model.shot = message.shot;
      model.leaderboard = message.leaderboard;
      return "shot";
    case "line": {
      const at = model.lines.findIndex((line) => line.id === message.line.id);
      if (at >= 0) model.lines[at] = message.line;
      else model.lines.push(message.line);
      // A line shown again after being hidden goes back to its place in the feed.
      model.lines.sort((a, b) => a.id - b.id);
      model.lines = model.lines.slice(-FEED_LIMIT);
      return "line";
    }
    case "replay":
      model.replay = message.replay;
      return "replay";
    case "line_removed":
      model.lines = model.lines.filter((line) => line.id !== message.id);
      return "removed";
    default:
      return null;
  }
}

// A replay plays for this long: its own length twice over, at least 8 s, at most 40 s.
export function replayShowMs(replay) {
  return Math.min(40000, Math.max(8000, 2000 * (replay.seconds || 0)));
}

// Play `replay` in `box` (a container with a <video> and an <img> for the QR code) for a
// while, then hide it. Returns a function that hides it at once.
export function playReplay(box, replay, previousHide) {
  previousHide?.();
  const video = box.querySelector("video");
  const qr = box.querySelector("img");
  box.dataset.replay = String(replay.id);
  video.src = replay.video;
  if (qr) qr.src = replay.qr;
  const name = box.querySelector("[data-replay=name]");
  if (name) name.textContent = replay.nickname;
  box.hidden = false;
  video.play().catch(() => {}); // muted autoplay; a refusal just leaves the first frame
  const timer = setTimeout(hide, replayShowMs(replay));
  function hide() {
    clearTimeout(timer);
    box.hidden = true;
    video.pause();
    video.removeAttribute("src");
    video.load();
  }
  return hide;
}
