// All displays at once: one screen (see screen.js) per tile, each on its own socket.
import { mountScreen } from "./screen.js";

for (const root of document.querySelectorAll("[data-screen-root]")) {
  const state = JSON.parse(document.getElementById(`display-state-${root.dataset.display}`).textContent);
  mountScreen(root, state);
}
