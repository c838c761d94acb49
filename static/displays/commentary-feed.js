// What every commentary view shares: applying the socket's messages to a small model
// (lines by id, the current shot, the leaderboard), so the page and the overlay agree.

export const FEED_LIMIT = 30;

export function newModel(state) {
  return {
    lines: [...(state.lines || [])],
    shot: state.shot || null,
    leaderboard: state.leaderboard || [],
  };
}

// Returns what changed: "state", "shot", "line" or "removed" (or null for other messages).
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
    case "line_removed":
      model.lines = model.lines.filter((line) => line.id !== message.id);
      return "removed";
    default:
      return null;
  }
}
