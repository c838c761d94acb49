// LED display page: one screen (see screen.js) filling the window.
import { mountScreen } from "./screen.js";

const root = document.getElementById("wall");
mountScreen(root, JSON.parse(document.getElementById("display-state").textContent));
