// Projections: each version's state (colour and word), lag in events (a bar against the largest
// lag seen here: a rebuild's progress) and seconds, and its error.

import { api, bar, chip, clearError, guarded, h, number } from "./api.js";

export function projections(root) {
  const rows = h("tbody", { id: "projection-rows" });
  root.append(h("table", {}, h("thead", {}, h("tr", {}, ["Projection", "Version", "State", "Behind the log", "Lag", "Error"].map((t) => h("th", {}, t)))), rows));
  const largest = new Map();
  async function load() {
    const statuses = await guarded(() => api("/v1/projections"));
    if (!statuses) return;
    clearError();
    rows.replaceChildren(...statuses.map((p) => {
      const key = `${p.name}/${p.version}`;
      largest.set(key, Math.max(largest.get(key) || 0, p.lag_events));
      const most = largest.get(key);
      const progress = most > 0 ? Math.round((100 * (most - p.lag_events)) / most) : 100;
      return h("tr", { "data-projection": p.name, "data-state": p.state },
        h("td", {}, p.name), h("td", {}, p.version), h("td", {}, chip(p.state)),
        h("td", {}, bar(most, [{ value: most - p.lag_events, kind: "done" }, { value: p.lag_events, kind: "lag" }],
          `${progress}% of the ${number(most)} events it was behind`), " ", h("span", { class: "muted" }, `${number(p.lag_events)}${p.lag_events_capped ? "+" : ""} events`)),
        h("td", {}, `${p.lag_seconds.toFixed(1)} s`), h("td", {}, p.error || ""));
    }));
  }
  load();
  const timer = setInterval(load, 2000);
  return () => clearInterval(timer);
}
