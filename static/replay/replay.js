// While the replay is being made: move the progress bar, reload when it is ready or failed.
const page = document.querySelector("main.replay");
const bar = page.querySelector("progress");

async function poll() {
  try {
    const response = await fetch(page.dataset.statusUrl, { cache: "no-store" });
    if (response.ok) {
      const status = await response.json();
      bar.value = status.progress;
      if (status.state === "succeeded" || status.state === "failed") {
        window.location.reload();
        return;
      }
    }
  } catch {
    // Offline for a moment (hall Wi-Fi): try again on the next tick.
  }
  setTimeout(poll, 1000);
}

setTimeout(poll, 1000);
