// The API as the console uses it: requests with the token, errors as messages, DOM helpers.

const tokenKey = "berrys.token";

export function token() { return localStorage.getItem(tokenKey) || ""; }
export function setToken(value) { value ? localStorage.setItem(tokenKey, value) : localStorage.removeItem(tokenKey); }

// An error the API answered (its JSON error message), or why it could not be reached.
export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

// GET (or another method) of an API path; the parsed JSON, or an ApiError with the API's message
// (statuses in `accept` answer their JSON too, as readiness's 503 does).
export async function api(path, { method = "GET", body, accept = [] } = {}) {
  const headers = { "Accept": "application/json" };
  if (token()) headers["Authorization"] = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "unreachable", `the API did not answer ${method} ${path}: ${error.message}`);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: the text is the message */ }
  if (!response.ok && !accept.includes(response.status)) {
    const error = json && json.error;
    const message = error ? `${response.status} ${error.code}: ${error.message}` : `${response.status}: ${text || response.statusText}`;
    throw new ApiError(response.status, error ? error.code : "http", message);
  }
  return json;
}

// The list of a response that is a page ({items, next_cursor}) or an array.
export function items(json) { return Array.isArray(json) ? json : (json && json.items) || []; }

// The message bar: every error the console meets is shown there, never a blank page.
export function showError(error) {
  const bar = document.getElementById("error");
  bar.textContent = error instanceof Error ? error.message : String(error);
  bar.hidden = false;
  if (error && error.status === 401) bar.textContent += "  (enter a token at the top right)";
}
export function clearError() { document.getElementById("error").hidden = true; }

// Runs an async step, showing its error in the message bar.
export async function guarded(step) {
  try { const result = await step(); return result; } catch (error) { showError(error); return undefined; }
}

// A DOM element: h("td", {class: "x", onclick: f}, "text", child…).
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A state as a colour with its word.
const tones = {
  live: "ok", up: "ok", ready: "ok", active: "ok", completed: "ok", idle: "ok", ok: "ok", closed: "ok",
  building: "info", catching_up: "info", running: "info", in_progress: "info", planning: "info", busy: "info", queued: "info",
  paused: "warn", maintenance: "warn", degraded: "warn", waiting: "warn", draft: "warn", review: "warn", reconnecting: "warn", open: "bad",
  compatible: "ok", faulted: "bad", breaking: "bad", failed: "bad", down: "bad", error: "bad", cancelled: "bad", not_ready: "bad", terminated: "bad",
};
export function chip(state) {
  const word = String(state ?? "unknown");
  return h("span", { class: `chip ${tones[word.toLowerCase()] || ""}`, "data-state": word }, word.toLowerCase().replaceAll("_", " "));
}

// A bar of parts ([{value, kind}]) out of total.
export function bar(total, parts, title) {
  const element = h("div", { class: "bar", title });
  for (const part of parts) {
    const width = total > 0 ? Math.min(100, (100 * part.value) / total) : 0;
    element.append(h("span", { class: part.kind, style: `width:${width}%` }));
  }
  return element;
}

export function pretty(json) { return h("pre", { class: "json" }, JSON.stringify(json, null, 2)); }
export function time(text) { return text ? new Date(text).toLocaleString() : ""; }
export function number(value) { return typeof value === "number" ? value.toLocaleString() : String(value ?? ""); }
