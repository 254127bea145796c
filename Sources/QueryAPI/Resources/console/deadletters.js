// Dead letters: list, show, retry, drop (drop asks first). Retry and drop need an admin token
// when tokens are on.

import { api, clearError, guarded, h, pretty, time } from "./api.js";

export function deadLetters(root) {
  const notice = h("div", { id: "dlq-notice" });
  const rows = h("tbody", { id: "dlq-rows" });
  const detail = h("div", { id: "dlq-detail" });
  root.append(notice, h("div", { class: "split" },
    h("table", {}, h("thead", {}, h("tr", {}, ["Parked", "Worker", "Type", "Subject", "Reason", "Attempts", ""].map((t) => h("th", {}, t)))), rows),
    detail));

  async function act(letter, action) {
    if (action === "drop" && !confirm(`Drop the dead letter ${letter.event_id} (${letter.type}) of ${letter.worker}? It is not delivered again.`)) return;
    const result = await guarded(() => api(`/v1/dlq/${encodeURIComponent(letter.ref)}/${action}`, { method: "POST" }));
    if (!result) return;
    notice.replaceChildren(h("div", { class: "notice" }, action === "retry"
      ? `Re-delivered ${result.retried} event(s) of ${letter.worker}.` : `Dropped; ${result.released} event(s) behind it re-delivered.`));
    load();
  }

  async function show(letter) {
    const full = await guarded(() => api(`/v1/dlq/${encodeURIComponent(letter.ref)}`));
    if (full) detail.replaceChildren(h("h3", {}, `${full.type} — ${full.reason}`), h("p", {}, full.error), pretty(full));
  }

  async function load() {
    const letters = await guarded(() => api("/v1/dlq"));
    if (!letters) return;
    clearError();
    rows.replaceChildren(...letters.map((letter) => h("tr", { "data-ref": letter.ref, "data-event-id": letter.event_id },
      h("td", {}, time(letter.parked_at)), h("td", {}, letter.worker), h("td", {}, letter.type), h("td", {}, letter.subject),
      h("td", { title: letter.error }, letter.reason), h("td", {}, letter.attempts),
      h("td", {}, h("button", { onclick: () => show(letter), "data-action": "show" }, "Show"), " ",
        h("button", { onclick: () => act(letter, "retry"), "data-action": "retry" }, "Retry"), " ",
        h("button", { class: "danger", onclick: () => act(letter, "drop"), "data-action": "drop" }, "Drop")))));
    if (!letters.length) rows.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No dead letters.")));
  }
  load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
