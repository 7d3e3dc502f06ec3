// Line charts as inline SVG strings for the offline HTML report: one series per policy, linear or
// log y axis, ticks, gridlines and a legend. No scripts, no external resources.
import { escapeHtml } from "./escape.ts";

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly yScale: "linear" | "log";
  /** Optional horizontal reference line (e.g. the SLO), with its label. */
  readonly reference?: { readonly y: number; readonly label: string };
}

/** Colour-blind-friendly palette (Okabe-Ito), cycled. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];
const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 160, top: 36, bottom: 48 };

export function lineChart(options: LineChartOptions): string {
  const points = options.series.flatMap((s) => s.points);
  const isLog = options.yScale === "log";
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y).filter((y) => !isLog || y > 0);
  if (options.reference !== undefined) ys.push(options.reference.y);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1e-9, ...xs);
  const [yMin, yMax] = isLog ? logDomain(ys) : [0, niceCeil(Math.max(1e-9, ...ys))];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => {
    const t = isLog
      ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
      : y / yMax;
    return MARGIN.top + plotH - t * plotH;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeHtml(options.title)}</text>`,
  ];
  for (const y of isLog ? logTicks(yMin, yMax) : linearTicks(yMax)) {
    const py = sy(y).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="11">${formatTick(y)}</text>`,
    );
  }
  for (const x of linearTicks(xMax)) {
    const px = sx(x).toFixed(1);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`,
    );
    parts.push(
      `<text x="${px}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" font-size="11">${formatTick(x)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="12">${escapeHtml(options.xLabel)}</text>`,
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})">${escapeHtml(options.yLabel)}</text>`,
  );
  if (options.reference !== undefined) {
    const py = sy(options.reference.y).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="#999" stroke-dasharray="6 4"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left + plotW - 4}" y="${Number(py) - 4}" text-anchor="end" font-size="11" fill="#666">${escapeHtml(options.reference.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const visible = series.points.filter(([, y]) => !isLog || y > 0);
    const path = visible.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
    if (visible.length > 1)
      parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of visible) {
      parts.push(
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${color}"><title>${escapeHtml(series.name)}: ${formatTick(x)}, ${formatTick(y)}</title></circle>`,
      );
    }
    const ly = MARGIN.top + 10 + i * 18;
    const lx = WIDTH - MARGIN.right + 12;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    parts.push(
      `<text x="${lx + 24}" y="${ly}" dominant-baseline="middle" font-size="12">${escapeHtml(series.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [1, 10];
  const low = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  return [low, high > low ? high : low * 10];
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let t = min; t <= max * 1.0001; t *= 10) ticks.push(t);
  return ticks;
}

/** 0 and about five round steps up to `max`. */
function linearTicks(max: number): number[] {
  const step = niceStep(max / 5);
  const ticks: number[] = [];
  for (let t = 0; t <= max * 1.0001; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function niceCeil(value: number): number {
  const step = niceStep(value / 5);
  return Math.ceil(value / step) * step;
}

function formatTick(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3).replace(/\.?0+$/, "")}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3).replace(/\.?0+$/, "")}k`;
  if (abs >= 1) return String(Number(value.toPrecision(4)));
  return String(Number(value.toPrecision(2)));
}
