// Overview: readiness, the partitions, the publish rate, worker and projection lag as live charts.

import { api, chip, guarded, h, number, clearError } from "./api.js";
import { LineChart } from "./chart.js";

export function overview(root) {
  const readiness = h("div", { id: "readiness" }, "…");
  const partitions = h("tbody", { id: "partitions" });
  const memory = h("span", { class: "big", id: "redis-memory" }, "…");
  const publishRate = new LineChart("Publish rate", "events/s");
  const workerLag = new LineChart("Worker lag (events)", "events");
  const workerSeconds = new LineChart("Worker lag (seconds)", "seconds");
  const projectionLag = new LineChart("Projection lag (events)", "events");
  const projectionSeconds = new LineChart("Projection lag (seconds)", "seconds");
  root.append(
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h3", {}, "Readiness"), readiness),
      h("div", { class: "card" }, h("h3", {}, "Redis memory in use"), memory, h("div", { class: "muted", id: "retention" }))),
    h("h2", {}, "Partitions"),
    h("table", {}, h("thead", {}, h("tr", {}, ["Partition", "Entries in Redis", "Newest id", "Entries ever added", "Trimmed below"].map((t) => h("th", {}, t)))), partitions),
    h("h2", {}, "Live"),
    h("div", { class: "grid" }, publishRate.element, workerLag.element, workerSeconds.element, projectionLag.element, projectionSeconds.element));

  let previous = null;
  async function tick() {
    await guarded(async () => {
      const ready = await api("/health/readiness", { accept: [503] });
      readiness.replaceChildren(chip(ready.status), " ",
        ...Object.entries(ready.checks || {}).map(([name, check]) => h("span", { title: check.error || "" }, " ", name, " ", chip(check.ok ? "ok" : "failed"))));
      const log = await api("/v1/log");
      memory.textContent = `${(log.redis_used_memory_bytes / 1048576).toFixed(1)} MiB`;
      document.getElementById("retention").textContent = `retention: ${log.retention}`;
      partitions.replaceChildren(...log.partitions.map((p) => h("tr", {}, h("td", {}, p.partition), h("td", {}, number(p.length)),
        h("td", {}, p.last_id), h("td", {}, number(p.entries_added)), h("td", {}, p.trimmed_below ?? "—"))));
      const added = log.partitions.reduce((sum, p) => sum + p.entries_added, 0);
      const now = performance.now();
      if (previous) publishRate.sample({ published: Math.max(0, Math.round((added - previous.added) / ((now - previous.at) / 1000))) });
      previous = { added, at: now };
      const workers = await api("/v1/workers");
      workerLag.sample(Object.fromEntries(workers.map((w) => [w.name, w.lag_entries + w.pending])));
      workerSeconds.sample(Object.fromEntries(workers.map((w) => [w.name, Math.round(w.lag_seconds * 10) / 10])));
      const projections = (await api("/v1/projections")).filter((p) => p.state !== "retired");
      projectionLag.sample(Object.fromEntries(projections.map((p) => [`${p.name} v${p.version}`, p.lag_events])));
      projectionSeconds.sample(Object.fromEntries(projections.map((p) => [`${p.name} v${p.version}`, Math.round(p.lag_seconds * 10) / 10])));
      clearError();
    });
  }
  tick();
  const timer = setInterval(tick, 2000);
  return () => clearInterval(timer);
}
