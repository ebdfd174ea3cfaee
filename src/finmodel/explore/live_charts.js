// finmodel explorer charts: SVG drawn from the numbers the kernel sends (see live.py).
// One drawing per animation frame, always from the newest numbers: a burst of changes
// while a slider moves never queues stale drawings.

const W = 680, PLOT_H = 210, LEFT = 84, RIGHT = 14, TOP = 34, ROW = 18;
const MINUS = "\u2212";

function esc(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

let SEPARATOR = ",";  // thousands separator of the panel's language (payload "thousands")

function thousands(v) {
  const s = Math.round(Math.abs(v)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, SEPARATOR);
  return (v < -0.5 ? MINUS : "") + s;
}

function niceStep(span, count) {
  const raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function stackBars(bars, n) {
  const bottom = new Array(n).fill(0), out = [];
  for (const bar of bars) {
    const base = bottom.slice();
    bar.values.forEach((v, i) => { bottom[i] += v || 0; });
    out.push({ bar, base });
  }
  return { stacked: out, top: bottom };
}

function range(chart, stacks, band) {
  const all = [...stacks.top, ...chart.hlines.map((h) => h.value)];
  for (const s of stacks.stacked) all.push(...s.base);
  for (const l of chart.lines) all.push(...l.values);
  if (band) all.push(...band.p10, ...band.p90);
  if (chart.bars.length || chart.zero) all.push(0);
  const shown = all.filter((v) => v !== null && Number.isFinite(v));
  let lo = Math.min(...shown), hi = Math.max(...shown);
  const pad = 0.05 * (hi - lo) || 1;
  lo = chart.floor !== undefined ? Math.min(chart.floor, lo) : lo - pad;
  return [lo, hi + pad];
}

function legendItems(chart, band) {
  const items = chart.bars.map((b) => ({ kind: "box", ...b }));
  if (band) items.push({ kind: "box", name: band.name, color: band.color, opacity: 0.3 });
  for (const l of chart.lines) items.push({ kind: "line", ...l });
  for (const h of chart.hlines) items.push({ kind: "line", ...h, width: 1.2 });
  if (chart.below) items.push({ kind: "dot", ...chart.below });
  return items;
}

function legend(items, y0) {
  const parts = [];
  let x = LEFT, y = y0;
  for (const it of items) {
    const width = 30 + 6.1 * it.name.length;
    if (x + width > W - RIGHT && x > LEFT) { x = LEFT; y += ROW; }
    if (it.kind === "box") {
      parts.push(`<rect x="${x}" y="${y - 9}" width="16" height="10" fill="${it.color}"` +
                 ` fill-opacity="${it.opacity || 1}"/>`);
    } else if (it.kind === "dot") {
      parts.push(`<circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${it.color}"/>`);
    } else {
      parts.push(`<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${it.color}"` +
                 ` stroke-width="${it.width || 2}" stroke-dasharray="${it.dash || ""}"/>`);
    }
    parts.push(`<text x="${x + 22}" y="${y}" class="fm-legend">${esc(it.name)}</text>`);
    x += width;
  }
  return { svg: parts.join(""), bottom: y + 8 };
}

function path(years, values, sx, sy) {
  let d = "", pen = "M";
  values.forEach((v, i) => {
    if (v === null) { pen = "M"; return; }
    d += `${pen}${sx(years[i]).toFixed(1)},${sy(v).toFixed(1)}`;
    pen = "L";
  });
  return d;
}

function drawChart(chart, years, band) {
  const n = years.length, stacks = stackBars(chart.bars, n);
  const [lo, hi] = range(chart, stacks, band);
  const plotW = W - LEFT - RIGHT, slot = plotW / n;
  const sx = (year) => LEFT + (year - years[0] + 0.5) * slot;
  const sy = (v) => TOP + PLOT_H * (1 - (v - lo) / (hi - lo));
  const out = [`<text x="${LEFT - 70}" y="20" class="fm-title">${esc(chart.title)}</text>`];
  const step = niceStep(hi - lo, 5);
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${sy(t).toFixed(1)}" ` +
             `y2="${sy(t).toFixed(1)}" class="fm-grid"/>` +
             `<text x="${LEFT - 6}" y="${(sy(t) + 3.5).toFixed(1)}" class="fm-tick" ` +
             `text-anchor="end">${thousands(t)}</text>`);
  }
  out.push(`<text transform="translate(14,${TOP + PLOT_H / 2}) rotate(-90)" ` +
           `text-anchor="middle" class="fm-axis">${esc(chart.ylabel)}</text>`);
  const every = Math.ceil(n / 16);
  years.forEach((y, i) => {
    if (i % every === 0) {
      out.push(`<text x="${sx(y).toFixed(1)}" y="${TOP + PLOT_H + 15}" text-anchor="middle" ` +
               `class="fm-tick">${y}</text>`);
    }
  });
  if (band) {
    const upper = band.p90.map((v, i) => `${sx(years[i]).toFixed(1)},${sy(v).toFixed(1)}`);
    const lower = band.p10.map((v, i) => `${sx(years[i]).toFixed(1)},${sy(v).toFixed(1)}`);
    out.push(`<polygon points="${[...upper, ...lower.reverse()].join(" ")}" ` +
             `fill="${band.color}" fill-opacity="0.3" class="fm-band"/>`);
  }
  const barW = slot * 0.7;
  for (const { bar, base } of stacks.stacked) {
    const rects = bar.values.map((v, i) => {
      const a = sy(base[i]), b = sy(base[i] + (v || 0));
      return `<rect x="${(sx(years[i]) - barW / 2).toFixed(1)}" y="${Math.min(a, b).toFixed(1)}"` +
             ` width="${barW.toFixed(1)}" height="${Math.abs(a - b).toFixed(1)}"/>`;
    });
    out.push(`<g fill="${bar.color}"><title>${esc(bar.name)}</title>${rects.join("")}</g>`);
  }
  if (chart.zero) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${sy(0)}" y2="${sy(0)}" ` +
             `stroke="#7a8794" stroke-width="0.8"/>`);
  }
  for (const h of chart.hlines) {
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${sy(h.value).toFixed(1)}" ` +
             `y2="${sy(h.value).toFixed(1)}" stroke="${h.color}" stroke-width="1.2" ` +
             `stroke-dasharray="${h.dash}" class="fm-hline"/>`);
  }
  for (const l of chart.lines) {
    out.push(`<path d="${path(years, l.values, sx, sy)}" fill="none" stroke="${l.color}" ` +
             `stroke-width="${l.width || 2}" stroke-dasharray="${l.dash || ""}" class="fm-line">` +
             `<title>${esc(l.name)}</title></path>`);
    if (l.marker) {
      out.push(`<g fill="${l.color}">` + l.values.map((v, i) => v === null ? "" :
        `<circle cx="${sx(years[i]).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="3">` +
        `<title>${years[i]}: ${thousands(v)} EUR</title></circle>`).join("") + "</g>");
    }
  }
  if (chart.below) {
    out.push(`<g fill="${chart.below.color}" class="fm-below">` + chart.below.values.map(
      (v, i) => v === null ? "" : `<circle cx="${sx(years[i]).toFixed(1)}" ` +
        `cy="${sy(v).toFixed(1)}" r="5"/>`).join("") + "</g>");
  }
  const { svg, bottom } = legend(legendItems(chart, band), TOP + PLOT_H + 40);
  out.push(svg);
  return `<svg viewBox="0 0 ${W} ${bottom}" width="100%" class="finmodel-chart" ` +
         `data-chart="${chart.id}" role="img" aria-label="${esc(chart.title)}">` +
         out.join("") + "</svg>";
}

const STYLE = `
.finmodel-live { font-family: sans-serif; }
.finmodel-live svg { display: block; margin-bottom: 6px; }
.finmodel-live .fm-title { font-size: 14px; font-weight: bold; fill: #1d2733; }
.finmodel-live .fm-tick { font-size: 11px; fill: #333; }
.finmodel-live .fm-axis { font-size: 12px; fill: #333; }
.finmodel-live .fm-legend { font-size: 11px; fill: #333; }
.finmodel-live .fm-grid { stroke: #d6dde4; stroke-width: 0.8; }
`;

function paint(box, model) {
  const data = model.get("data");
  if (!data || !data.charts) return;
  SEPARATOR = data.thousands || ",";
  const band = model.get("band"), started = performance.now();
  box.innerHTML = data.charts.map((chart) =>
    drawChart(chart, data.years, chart.id === "cash" && band && band.p10 ? band : null)).join("");
  box.dataset.revision = String(model.get("revision"));
  box.dataset.band = band && band.p10 ? "yes" : "no";
  box.dataset.drawMs = (performance.now() - started).toFixed(1);
}

function render({ model, el }) {
  const style = document.createElement("style");
  style.textContent = STYLE;
  const box = document.createElement("div");
  box.className = "finmodel-charts";
  el.classList.add("finmodel-live");
  el.append(style, box);
  let frame = 0;
  const draw = () => { frame = 0; paint(box, model); };
  const later = () => { if (!frame) frame = requestAnimationFrame(draw); };
  model.on("change:data", later);
  model.on("change:band", later);
  draw();
  return () => {
    model.off("change:data", later);
    model.off("change:band", later);
    if (frame) cancelAnimationFrame(frame);
  };
}

export default { render };
