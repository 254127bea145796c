// Events: the live feed (GET /v1/stream through the browser's EventSource) with its filters;
// a click shows the whole event.

import { api, chip, clearError, guarded, h, pretty, showError, token } from "./api.js";

export function events(root) {
  const form = h("form", { class: "filters", id: "stream-filters" },
    h("label", {}, "type (or prefix.*)", h("input", { name: "type", placeholder: "agent.execution.*" })),
    h("label", {}, "subject", h("input", { name: "subject" })),
    h("label", {}, "partition key", h("input", { name: "partitionkey" })),
    h("label", {}, "source", h("input", { name: "source" })),
    h("label", {}, "from", h("select", { name: "from" }, h("option", { value: "now" }, "now"), h("option", { value: "beginning" }, "beginning"))),
    h("button", { type: "submit", id: "stream-start" }, "Follow"));
  const state = h("span", { id: "stream-state" }, chip("closed"));
  const rate = h("span", { class: "muted", id: "stream-rate" });
  const rows = h("tbody", { id: "stream-rows" });
  const detail = h("div", { id: "event-detail" }, h("p", { class: "muted" }, "Click an event to see it whole."));
  root.append(form, h("p", {}, "Stream ", state, " ", rate),
    h("div", { class: "split" },
      h("table", {}, h("thead", {}, h("tr", {}, ["Time", "Type", "Subject", "Position"].map((t) => h("th", {}, t)))), rows),
      detail));

  let source = null, received = 0, lastCount = 0;
  const rateTimer = setInterval(() => { rate.textContent = `${received - lastCount} events/s, ${received} received`; lastCount = received; }, 1000);

  function show(message) {
    received += 1;
    const event = JSON.parse(message.data);
    rows.prepend(h("tr", { class: "clickable", "data-event-id": event.id, onclick: () => detail.replaceChildren(h("h3", {}, event.type), pretty(event)) },
      h("td", {}, new Date(event.time).toLocaleTimeString()), h("td", {}, event.type), h("td", {}, event.subject), h("td", {}, event.position)));
    while (rows.children.length > 300) rows.lastChild.remove();
  }

  async function follow() {
    if (source) source.close();
    rows.replaceChildren();
    received = 0; lastCount = 0;
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (value) query.append(name, value);
    if (token()) query.set("access_token", token());
    // The stream names each message by its event type, and EventSource hands a named message
    // only to listeners of that name: listen to every type the server knows.
    const types = (await guarded(() => api("/v1/schemas"))) || [];
    source = new EventSource(`/v1/stream?${query}`);
    for (const { type } of types) source.addEventListener(type, show);
    source.onmessage = show;
    state.replaceChildren(chip("reconnecting"));
    source.onopen = () => { state.replaceChildren(chip("live")); clearError(); };
    source.onerror = () => {
      const closed = source.readyState === EventSource.CLOSED;
      state.replaceChildren(chip(closed ? "failed" : "reconnecting"));
      // EventSource hides the answer of a refused stream; ask once more for the API's message.
      if (closed) explainRefusal(`/v1/stream?${query}`);
    };
    source.addEventListener("overflow", (message) => {
      showError(`the stream fell too far behind and was cut off: ${JSON.parse(message.data).reason}`);
    });
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); follow(); });
  follow();
  return () => { clearInterval(rateTimer); if (source) source.close(); };
}

// Shows why the API refused a stream (EventSource does not tell): its error message.
async function explainRefusal(path) {
  try {
    const response = await fetch(path, { signal: AbortSignal.timeout(3000) });
    if (response.ok) { response.body && response.body.cancel(); return; }
    const json = await response.json().catch(() => null);
    showError(json && json.error ? `${response.status} ${json.error.code}: ${json.error.message}` : `the stream was refused: ${response.status}`);
  } catch (error) {
    showError(`the stream could not be opened: ${error.message}`);
  }
}
