// All displays at once: one screen (see screen.js) per tile, each on its own socket.
import { mountScreen } from "./screen.js";

// The grid's shape comes as data attributes: the Content Security Policy allows no inline
// style attribute, but a script may set CSS custom properties.
const grid = document.querySelector(".wall-grid");
grid.style.setProperty("--columns", grid.dataset.columns);
grid.style.setProperty("--rows", grid.dataset.rows);

for (const root of document.querySelectorAll("[data-screen-root]")) {
  const state = JSON.parse(document.getElementById(`display-state-${root.dataset.display}`).textContent);
  mountScreen(root, state);
}
