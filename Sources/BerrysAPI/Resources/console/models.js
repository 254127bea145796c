// Read models: agents (with their filters) and plans (with progress bars).

import { api, bar, chip, clearError, guarded, h, items, time } from "./api.js";

export function agents(root) {
  const form = h("form", { class: "filters", id: "agent-filters" },
    h("label", {}, "status", h("select", { name: "status" }, h("option", { value: "" }, "any"),
      ...["INACTIVE", "ACTIVE", "BUSY", "ERROR", "MAINTENANCE"].map((s) => h("option", { value: s }, s.toLowerCase())))),
    h("label", {}, "type", h("input", { name: "agent_type", placeholder: "RESEARCHER" })),
    h("label", {}, "search", h("input", { name: "q", placeholder: "name" })),
    h("button", { type: "submit" }, "Filter"));
  const rows = h("tbody", { id: "agent-rows" });
  root.append(form, h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Type", "Status", "Specializations", "Last active", ""].map((t) => h("th", {}, t)))), rows));

  async function load() {
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) query.append(name, value);
    const page = await guarded(() => api(`/v1/agents?${query}`));
    if (!page) return;
    clearError();
    rows.replaceChildren(...items(page).map((agent) => h("tr", { "data-agent-id": agent.id },
      h("td", {}, agent.name), h("td", {}, agent.agent_type), h("td", {}, chip(agent.status)),
      h("td", {}, (agent.specializations || []).join(", ")), h("td", {}, time(agent.last_active_at || agent.updated_at)),
      h("td", {}, h("a", { href: `#/subject?s=${encodeURIComponent(agent.id)}` }, "history")))));
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}

export function plans(root) {
  const form = h("form", { class: "filters", id: "plan-filters" },
    h("label", {}, "project id", h("input", { name: "project_id", size: 38 })),
    h("button", { type: "submit" }, "Filter"));
  const rows = h("tbody", { id: "plan-rows" });
  root.append(form, h("table", {}, h("thead", {}, h("tr", {}, ["Plan", "Status", "Progress", "Tasks", ""].map((t) => h("th", {}, t)))), rows));
  async function load() {
    const query = new URLSearchParams({ limit: "100" });
    for (const [name, value] of new FormData(form)) if (value) query.append(name, value.trim());
    const page = await guarded(() => api(`/v1/plans?${query}`));
    if (!page) return;
    clearError();
    rows.replaceChildren(...items(page).map((plan) => {
      const done = plan.tasks_completed || 0, failed = plan.tasks_failed || 0, total = plan.tasks_total || 0;
      return h("tr", { "data-plan-id": plan.id },
        h("td", {}, plan.name), h("td", {}, chip(plan.status)),
        h("td", {}, bar(total, [{ value: done, kind: "done" }, { value: failed, kind: "failed" }], `${done} done, ${failed} failed of ${total}`)),
        h("td", {}, `${done} / ${total}${failed ? `, ${failed} failed` : ""}`),
        h("td", {}, h("a", { href: `#/subject?s=${encodeURIComponent(plan.id)}` }, "history")));
    }));
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
