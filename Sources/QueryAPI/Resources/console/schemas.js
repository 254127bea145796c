// Schemas: every event type with its versions, consumers and live rate (counted from the live
// stream over the last minute, a bar against the busiest type); a click shows the type: the
// changes between two versions (breaking ones marked), an example, who consumes and produces it.

import { api, bar, chip, clearError, guarded, h, pretty, token } from "./api.js";

export function schemas(root) {
  const rows = h("tbody", { id: "schema-rows" });
  const detail = h("div", { id: "schema-detail" }, h("p", { class: "muted" }, "Click a type to see its versions."));
  const live = h("span", { id: "schema-stream" }, chip("closed"));
  root.append(h("p", {}, "Rates from the live stream ", live, h("span", { class: "muted" }, " (events in the last minute)")),
    h("div", { class: "split" },
      h("table", {}, h("thead", {}, h("tr", {}, ["Type", "Versions", "Consumed by", "Rate"].map((t) => h("th", {}, t)))), rows),
      detail));

  const seen = new Map(); // type → times (ms) of events in the last minute
  const rates = new Map(); // type → its row's rate cell (rows are drawn once; rates update in place)
  let types = [];
  function count(message) {
    const type = JSON.parse(message.data).type;
    if (!seen.has(type)) seen.set(type, []);
    seen.get(type).push(Date.now());
  }
  function draw() {
    rows.replaceChildren(...types.map((t) => {
      const rate = h("td", {});
      rates.set(t.type, rate);
      return h("tr", { class: "clickable", "data-type": t.type, "data-rate": 0, onclick: () => show(t.type) },
        h("td", {}, t.type), h("td", {}, t.versions.map((v) => `v${v}`).join(", ")),
        h("td", {}, t.consumers.map((c) => `${c.kind} ${c.name}`).join(", ")), rate);
    }));
    update();
  }
  function update() {
    const since = Date.now() - 60000;
    for (const [type, times] of seen) seen.set(type, times.filter((t) => t >= since));
    const busiest = Math.max(1, ...[...seen.values()].map((t) => t.length));
    for (const [type, cell] of rates) {
      const recent = (seen.get(type) || []).length;
      cell.parentElement.dataset.rate = recent;
      cell.replaceChildren(bar(busiest, [{ value: recent, kind: "done" }], `${recent} in the last minute`), " ", h("span", { class: "muted" }, `${recent}/min`));
    }
  }

  async function show(type) {
    const schema = await guarded(() => api(`/v1/schemas/${encodeURIComponent(type)}`));
    if (!schema) return;
    clearError();
    const versions = schema.versions.map((v) => v.version);
    const from = h("select", { id: "diff-from" }, ...versions.map((v) => h("option", { value: v }, `v${v}`)));
    const to = h("select", { id: "diff-to" }, ...versions.map((v) => h("option", { value: v }, `v${v}`)));
    from.value = String(Math.max(1, schema.newest_version - 1));
    to.value = String(schema.newest_version);
    const changes = h("ul", { id: "diff-changes" });
    async function diff() {
      const list = await guarded(() => api(`/v1/schemas/${encodeURIComponent(type)}/diff?from=${from.value}&to=${to.value}`));
      if (!list) return;
      changes.replaceChildren(...(list.length ? list.map((c) => h("li", { "data-rule": c.rule, "data-breaking": String(c.breaking) },
        chip(c.breaking ? "breaking" : "compatible"), " ", h("code", {}, c.pointer), ` ${c.rule}: ${c.detail}`, c.fix ? h("div", { class: "muted" }, `fix: ${c.fix}`) : null))
        : [h("li", { class: "muted" }, "no changes")]));
    }
    from.addEventListener("change", diff);
    to.addEventListener("change", diff);
    const newest = schema.versions[schema.versions.length - 1];
    const steps = schema.steps.map((s) => h("li", {}, `v${s.from} → v${s.to}: ${s.mode}, read ${s.reader === "as is" ? "as is" : s.reader === "defaults" ? "with defaults" : `through ${s.reader}`}`));
    detail.replaceChildren(h("h3", {}, type),
      h("p", {}, "Consumed by: ", schema.consumers.map((c) => `${c.kind} ${c.name}`).join(", ") || "nobody",
        h("br"), "Produced by: ", schema.producers.map((c) => `${c.kind} ${c.name}`).join(", ") || "publishers"),
      steps.length ? h("ul", { id: "schema-steps" }, ...steps) : null,
      h("p", {}, "Diff ", from, " → ", to), changes,
      h("h4", {}, `Example (v${newest.version})`), newest.examples.length ? pretty(newest.examples[0].data) : h("p", { class: "muted" }, "none"),
      h("h4", {}, `Schema v${newest.version}`), pretty(newest.schema));
    diff();
  }

  let source = null;
  async function start() {
    types = (await guarded(() => api("/v1/schemas"))) || [];
    draw();
    const query = new URLSearchParams();
    if (token()) query.set("access_token", token());
    source = new EventSource(`/v1/stream?${query}`);
    for (const { type } of types) source.addEventListener(type, count);
    source.onmessage = count;
    source.onopen = () => live.replaceChildren(chip("live"));
    source.onerror = () => live.replaceChildren(chip(source.readyState === EventSource.CLOSED ? "failed" : "reconnecting"));
  }
  start();
  const timer = setInterval(update, 2000);
  return () => { clearInterval(timer); if (source) source.close(); };
}
