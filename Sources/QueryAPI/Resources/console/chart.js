// Live line charts in SVG, no library: a window of samples per series, redrawn on each sample.

import { h } from "./api.js";

const palette = ["#4f46e5", "#dc2626", "#059669", "#d97706", "#0891b2", "#7c3aed", "#db2777", "#65a30d"];
const svgNS = "http://www.w3.org/2000/svg";

export class LineChart {
  constructor(title, unit, windowSize = 90) {
    this.unit = unit;
    this.windowSize = windowSize;
    this.series = new Map();
    this.svg = document.createElementNS(svgNS, "svg");
    this.svg.setAttribute("class", "chart");
    this.svg.setAttribute("viewBox", "0 0 600 160");
    this.svg.setAttribute("preserveAspectRatio", "none");
    this.legend = h("div", { class: "legend" });
    this.element = h("div", { class: "card", "data-chart": title }, h("h3", {}, title), this.svg, this.legend);
  }

  // Adds one sample per series ({name: value}); series missing from a sample get no point.
  sample(values) {
    for (const [name, value] of Object.entries(values)) {
      if (!this.series.has(name)) this.series.set(name, []);
    }
    for (const [name, points] of this.series) {
      points.push(name in values ? values[name] : null);
      if (points.length > this.windowSize) points.shift();
    }
    this.draw();
  }

  draw() {
    const width = 600, height = 160, top = 12, bottom = 148;
    const all = [...this.series.values()].flat().filter((v) => v !== null);
    const max = Math.max(1, ...all);
    this.svg.replaceChildren();
    const axis = document.createElementNS(svgNS, "text");
    axis.setAttribute("x", "4"); axis.setAttribute("y", "10");
    axis.textContent = `${max.toLocaleString()} ${this.unit}`;
    this.svg.append(axis);
    [...this.series.entries()].forEach(([name, points], index) => {
      const coordinates = points.map((value, i) => value === null ? null
        : `${(i * width) / (this.windowSize - 1)},${bottom - ((bottom - top) * value) / max}`).filter(Boolean);
      const line = document.createElementNS(svgNS, "polyline");
      line.setAttribute("points", coordinates.join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", palette[index % palette.length]);
      line.setAttribute("stroke-width", "2");
      line.setAttribute("data-series", name);
      this.svg.append(line);
    });
    this.legend.replaceChildren(...[...this.series.entries()].map(([name, points], index) =>
      h("span", {}, h("i", { style: `background:${palette[index % palette.length]}` }), `${name}: ${(points.at(-1) ?? 0).toLocaleString()}`)));
  }
}
