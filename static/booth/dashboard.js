// The admin index's event dashboard stays live: every few seconds its figures are fetched
// again from staff/dashboard/ (the same template the index renders) and swapped in, so staff
// watching the booth never need to reload. Paused while the tab is hidden; a failed fetch
// keeps the last figures and says so, and the next one tries again.
const REFRESH_MS = 5000;

const live = () => document.getElementById("dashboard-live");
const paused = document.getElementById("dashboard-paused");
let timer = null;
let busy = false; // one fetch at a time (a tab shown again while one is on its way)

function pause(message) {
  paused.textContent = message;
  paused.hidden = false;
}

// A link focused inside the old figures is focused again in the new ones, so a keyboard
// user is not thrown back to the top of the page every five seconds.
function swap(fresh) {
  const old = live();
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  const href = focused?.getAttribute("href");
  old.replaceWith(fresh);
  if (href) fresh.querySelector(`a[href="${CSS.escape(href)}"]`)?.focus({ preventScroll: true });
}

async function refresh() {
  try {
    const response = await fetch(live().dataset.liveUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.redirected || response.status === 403) {
      // Signed out (or the permission was withdrawn): the index itself would say so.
      pause("Live updates stopped: you were signed out. Reload the page to sign in again.");
      return false;
    }
    if (!response.ok) throw new Error(`dashboard: ${response.status}`);
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("dashboard-live");
    if (!fresh) throw new Error("dashboard: no figures in the answer");
    swap(document.adoptNode(fresh));
    paused.hidden = true;
  } catch {
    const at = new Date().toLocaleTimeString([], { hour12: false });
    pause(`Could not reach the booth at ${at}: the figures above may be out of date. Retrying…`);
  }
  return true;
}

async function tick() {
  clearTimeout(timer);
  if (busy || document.hidden) return; // hidden: resumed on visibilitychange
  busy = true;
  const goOn = await refresh();
  busy = false;
  if (goOn) timer = setTimeout(tick, REFRESH_MS);
}

if (live()) {
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) tick();
  });
  timer = setTimeout(tick, REFRESH_MS);
}
