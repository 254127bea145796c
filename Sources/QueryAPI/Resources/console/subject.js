// Subject: one entity's history as a timeline (GET /v1/subjects/{subject}/events).

import { api, clearError, guarded, h, pretty, time } from "./api.js";

export function subject(root, parameters) {
  const form = h("form", { class: "filters", id: "subject-form" },
    h("label", {}, "subject", h("input", { name: "subject", size: 40, value: parameters.get("s") || "" })),
    h("label", {}, "partition key (when its events carry one)", h("input", { name: "partitionkey", value: parameters.get("k") || "" })),
    h("button", { type: "submit" }, "Show"));
  const timeline = h("ol", { class: "timeline", id: "timeline" });
  const summary = h("p", { class: "muted", id: "subject-summary" });
  root.append(form, summary, timeline);

  async function load() {
    const data = new FormData(form);
    const name = data.get("subject").trim();
    if (!name) return;
    const query = data.get("partitionkey") ? `?partitionkey=${encodeURIComponent(data.get("partitionkey"))}` : "";
    const events = await guarded(() => api(`/v1/subjects/${encodeURIComponent(name)}/events${query}`));
    if (!events) { timeline.replaceChildren(); summary.textContent = ""; return; }
    clearError();
    summary.textContent = `${events.length} events of ${name}`;
    timeline.replaceChildren(...events.map((event) => {
      const item = h("li", { "data-sequence": event.sequence },
        h("strong", {}, `#${event.sequence} ${event.type}`), " ", h("span", { class: "muted" }, time(event.time)), h("div", {}, describe(event)));
      item.addEventListener("click", () => item.append(pretty(event)), { once: true });
      return item;
    }));
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
  return () => {};
}

// A status change reads as "from → to"; other events show their payload's first fields.
function describe(event) {
  const data = event.data || {};
  const from = data.previous_status ?? data.from_status ?? data.previous_state;
  const to = data.new_status ?? data.to_status ?? data.new_state ?? data.status;
  if (to) return `${from ?? "·"} → ${to}${data.reason ? ` (${data.reason})` : ""}`;
  return Object.entries(data).slice(0, 3).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
}
