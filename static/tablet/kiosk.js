// A tablet left running all day as a kiosk: the screen stays on, one tap takes the page
// full screen, and the tablet checks in so its device session lasts the event, or says
// plainly that it was signed out (instead of failing at the next visitor's photo).

// The Screen Wake Lock API keeps the screen from dimming between visitors. The browser
// drops the lock whenever the page is hidden (another app, the screen switched off), so it
// is asked for again each time the page is shown. Where the API is missing or refuses
// (battery saver), nothing happens: the tablet's own display settings decide, and the
// staff-visible indicator stays hidden.
export function keepAwake(indicator) {
  if (!("wakeLock" in navigator)) return;
  let lock = null;
  async function acquire() {
    if (document.visibilityState !== "visible" || (lock && !lock.released)) return;
    try {
      lock = await navigator.wakeLock.request("screen");
      indicator.hidden = false;
      lock.addEventListener("release", () => {
        indicator.hidden = true;
      });
    } catch {
      indicator.hidden = true;
    }
  }
  document.addEventListener("visibilitychange", acquire);
  acquire();
}

// One tap to full screen (no address bar for a visitor to wander off with). The button
// shows only where the Fullscreen API works and while the page is not yet full screen;
// leaving full screen (a swipe, Escape) brings it back.
export function offerFullScreen(button) {
  const root = document.documentElement;
  if (!document.fullscreenEnabled || typeof root.requestFullscreen !== "function") return;
  const update = () => {
    button.hidden = document.fullscreenElement !== null;
  };
  button.addEventListener("click", () => root.requestFullscreen().catch(update));
  document.addEventListener("fullscreenchange", update);
  update();
}

// A response that means the device session is gone: DRF's 403 `not_authenticated` (or a
// 401), or a redirect to the login page.
export function isSignedOut(response, body, loginUrl) {
  if (!response) return false;
  if (response.status === 401) return true;
  if (response.status === 403 && body?.code === "not_authenticated") return true;
  return response.redirected && new URL(response.url).pathname === loginUrl;
}

// Checks in every `everyMs` and whenever the page is shown again (loading the page renewed
// the session already): the server renews the device session; a signed-out answer calls
// `onSignedOut`. Offline is not signed out: the next check tries again.
export function keepCheckingIn({ url, everyMs, loginUrl, csrfToken, onSignedOut }) {
  async function checkIn() {
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
      const body = await response.json().catch(() => ({}));
      if (isSignedOut(response, body, loginUrl)) onSignedOut();
    } catch {
      /* unreachable: the next check */
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") checkIn();
  });
  setInterval(checkIn, everyMs);
}
