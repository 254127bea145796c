// The console's pages, chosen by the URL's hash (#/overview, #/events, …): the engine's, and
// the ones the domain adds (listed in pages.json, each a module's exported function).

import { clearError, h, setToken, token } from "./api.js";
import { overview } from "./overview.js";
import { events } from "./events.js";
import { subject } from "./subject.js";
import { deadLetters } from "./deadletters.js";
import { projections } from "./projections.js";
import { schemas } from "./schemas.js";

const pages = { overview, events, subject, dlq: deadLetters, projections, schemas };
for (const page of await (await fetch("pages.json")).json()) {
  pages[page.name] = (await import(`./${page.module}`))[page.function];
  const link = document.createElement("a");
  Object.assign(link, { href: `#/${page.name}`, textContent: page.title });
  link.dataset.page = page.name;
  document.querySelector('nav a[data-page="dlq"]').before(link);
}
let stop = () => {};

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const name = pages[path] ? path : "overview";
  stop();
  clearError();
  const root = document.getElementById("page");
  root.replaceChildren(h("h2", { id: "page-title" }, document.querySelector(`nav a[data-page="${name}"]`).textContent));
  root.dataset.page = name;
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.page === name);
  stop = pages[name](root, new URLSearchParams(query || "")) || (() => {});
}

document.getElementById("token").value = token();
document.getElementById("token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  setToken(document.getElementById("token").value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
