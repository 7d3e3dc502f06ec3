// The self-contained HTML report: inline CSS, the report's tables, and inline SVG charts of TTFT
// p50/p90, output throughput and cache hit rate versus QPS. No scripts, fonts or other downloads.
import type { ComparisonResult } from "../compare.ts";
import type { StageSummary } from "../types.ts";
import { escapeHtml } from "./escape.ts";
import { describeSetup } from "./setup-text.ts";
import { goodputTable, predictorByStageTable, predictorTable } from "./slo-tables.ts";
import { type ChartSeries, lineChart } from "./svg-chart.ts";
import { headlineTable, policyDetailTable, type Table, ttftByQpsTable } from "./tables.ts";

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts svg{max-width:100%;height:auto;border:1px solid #eee}`;

function renderTable(table: Table): string {
  const head = `<tr>${table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = table.rows
    .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function seriesOf(comparison: ComparisonResult, value: (s: StageSummary) => number): ChartSeries[] {
  return comparison.results.map((r) => ({
    name: r.policy,
    points: r.stages.map((s) => [s.qps, value(s)] as const),
  }));
}

export function renderCharts(comparison: ComparisonResult): string[] {
  const slo = { y: comparison.slo.ttftMs / 1000, label: `SLO ${comparison.slo.ttftMs / 1000} s` };
  return [
    lineChart({
      title: "TTFT p50 vs QPS",
      xLabel: "offered QPS",
      yLabel: "TTFT p50 (s, log)",
      yScale: "log",
      series: seriesOf(comparison, (s) => s.ttftMs.p50 / 1000),
      reference: slo,
    }),
    lineChart({
      title: "TTFT p90 vs QPS",
      xLabel: "offered QPS",
      yLabel: "TTFT p90 (s, log)",
      yScale: "log",
      series: seriesOf(comparison, (s) => s.ttftMs.p90 / 1000),
      reference: slo,
    }),
    lineChart({
      title: "Output throughput vs QPS",
      xLabel: "offered QPS",
      yLabel: "output tokens/s",
      yScale: "linear",
      series: seriesOf(comparison, (s) => s.outputTokensPerS),
    }),
    lineChart({
      title: "Prefix-cache hit rate vs QPS",
      xLabel: "offered QPS",
      yLabel: "cached / prompt tokens (%)",
      yScale: "linear",
      series: seriesOf(comparison, (s) => s.cacheHitRate * 100),
    }),
  ];
}

export function renderHtmlReport(comparison: ComparisonResult, title: string): string {
  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<ul>${describeSetup(comparison)
      .map((line) => `<li>${escapeHtml(line)}</li>`)
      .join("")}</ul>`,
    `<h2>${escapeHtml(headlineTable(comparison).title)}</h2>`,
    renderTable(headlineTable(comparison)),
    ...[goodputTable(comparison), predictorTable(comparison), predictorByStageTable(comparison)].flatMap(
      (table) => (table === null ? [] : [`<h2>${escapeHtml(table.title)}</h2>`, renderTable(table)]),
    ),
    "<h2>Charts</h2>",
    `<div class="charts">${renderCharts(comparison).join("\n")}</div>`,
  ];
  for (const table of [ttftByQpsTable(comparison, "p50"), ttftByQpsTable(comparison, "p90")]) {
    parts.push(`<h2>${escapeHtml(table.title)}</h2>`, renderTable(table));
  }
  if (comparison.skipped.length > 0) {
    parts.push(
      "<h2>Skipped policies</h2>",
      `<ul>${comparison.skipped.map((s) => `<li>${escapeHtml(`${s.name}: ${s.reason}`)}</li>`).join("")}</ul>`,
    );
  }
  parts.push("<h2>Per policy</h2>");
  for (const result of comparison.results) {
    const table = policyDetailTable(result);
    parts.push(`<h3>${escapeHtml(table.title)}</h3>`, renderTable(table));
  }
  parts.push("</body>", "</html>", "");
  return parts.join("\n");
}
