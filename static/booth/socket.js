// A websocket that keeps itself connected: heartbeat, exponential backoff with jitter.
// Callers get every JSON message and a status callback ("open" | "closed", failures).
// `report()` (optional) is merged into the hello sent on open and into every heartbeat,
// so the server knows what the page shows and which client version it runs.

const HEARTBEAT_MS = 15000;
const PONG_TIMEOUT_MS = 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
// Closes where the server says why and that coming back helps (1001 going away: it is
// restarting; 1012 service restart; 1013 try again later): reconnect at once, the first
// time, without counting a failure (which would put the offline picture up sooner).
const SERVER_SAID_WHY = new Set([1001, 1012, 1013]);
const QUICK_RECONNECT_MS = 250;

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export function backoffDelay(failures) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** failures);
  return ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter"
}

export function keepConnected(
  path,
  { onMessage, onStatus = () => {}, heartbeatMs = HEARTBEAT_MS, report = null },
) {
  let socket = null;
  let failures = 0;
  let heartbeat = null;
  let pongTimer = null;
  let stopped = false;
  let quickRetryUsed = false;

  function clearTimers() {
    clearInterval(heartbeat);
    clearTimeout(pongTimer);
  }

  function open() {
    socket = new WebSocket(socketUrl(path));
    socket.addEventListener("open", () => {
      failures = 0;
      quickRetryUsed = false;
      onStatus({ connected: true, failures });
      if (report) send({ type: "hello", ...report() });
      heartbeat = setInterval(() => {
        send({ type: "ping", ...(report ? report() : {}) });
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => socket.close(), PONG_TIMEOUT_MS);
      }, heartbeatMs);
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "pong") {
        clearTimeout(pongTimer);
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      clearTimers();
      if (stopped) return;
      if (SERVER_SAID_WHY.has(event.code) && !quickRetryUsed) {
        quickRetryUsed = true;
        setTimeout(open, QUICK_RECONNECT_MS * (0.5 + Math.random())); // spread a wall fleet
        return;
      }
      failures += 1;
      onStatus({ connected: false, failures, code: event.code });
      if (event.code === 4403 || event.code === 4404) return; // retrying cannot help
      setTimeout(open, backoffDelay(failures));
    });
  }

  function send(message) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  open();
  return {
    send,
    close() {
      stopped = true;
      clearTimers();
      socket?.close();
    },
  };
}
