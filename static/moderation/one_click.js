// One-click approve and pull in the results list, and keyboard shortcuts for a busy queue:
// "a" approves, "p" pulls the focused row's result (or the first row's). Each click sends
// the POST the actions menu would (same permissions, same audit); a pull gets a standard
// reason the other staff see.
const PULL_REASON = "Pulled from the review list";

function send(action, pk) {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  const form = document.createElement("form");
  form.method = "post";
  form.action = window.location.pathname + window.location.search;
  const fields = { csrfmiddlewaretoken: token ? token.value : "", action, _selected_action: pk, index: "0" };
  if (action === "reject") Object.assign(fields, { confirm: "yes", reason: PULL_REASON });
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.one-click");
  if (!button) return;
  event.preventDefault();
  button.disabled = true;
  send(button.dataset.action, button.dataset.pk);
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select")) return;
  const action = { a: "approve", p: "reject" }[event.key];
  if (!action) return;
  const row = document.activeElement?.closest("#result_list tbody tr")
    || document.querySelector("#result_list tbody tr");
  const button = row?.querySelector(`button.one-click[data-action=${action}]`);
  if (button) button.click();
});
