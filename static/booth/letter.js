// A cover letter as it is written: pushes carry the changed sections, each with its whole
// text so far ({index, title, text}), so a missed push is made good by the next one.
// Text goes in with textContent only: it came from a model and is never markup.

export function renderLetter(container, sections) {
  for (const { index, title, text } of sections) {
    let section = container.querySelector(`[data-section="${index}"]`);
    if (!section) {
      section = document.createElement("section");
      section.dataset.section = String(index);
      section.append(document.createElement("h3"), document.createElement("p"));
      const after = [...container.querySelectorAll("[data-section]")].find(
        (other) => Number(other.dataset.section) > index,
      );
      container.insertBefore(section, after ?? null);
    }
    section.querySelector("h3").textContent = title;
    section.querySelector("p").textContent = text;
  }
  container.dataset.updates = String(Number(container.dataset.updates || 0) + 1);
  // The newest words in view, like a teleprompter: the letter is longer than a screen.
  container.scrollTop = container.scrollHeight;
}

export function clearLetter(container) {
  container.replaceChildren();
  delete container.dataset.updates;
  delete container.dataset.done;
}
