// The Markdown report: the setup, the headline, goodput and predictor accuracy, TTFT by QPS across
// policies, skipped policies with their reasons, and each policy's per-stage table.
import type { ComparisonResult } from "../compare.ts";
import { describeSetup } from "./setup-text.ts";
import { goodputTable, predictorByStageTable, predictorTable } from "./slo-tables.ts";
import { headlineTable, policyDetailTable, type Table, ttftByQpsTable } from "./tables.ts";

export function renderMarkdownTable(table: Table): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const lines = [
    `| ${table.header.map(cell).join(" | ")} |`,
    `|${table.header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

export function renderMarkdownReport(comparison: ComparisonResult, title: string): string {
  const sections = [`# ${title}`, "", ...describeSetup(comparison).map((line) => `- ${line}`), ""];
  const add = (table: Table) => sections.push(`## ${table.title}`, "", renderMarkdownTable(table), "");
  add(headlineTable(comparison));
  add(goodputTable(comparison));
  for (const table of [predictorTable(comparison), predictorByStageTable(comparison)]) {
    if (table !== null) add(table);
  }
  add(ttftByQpsTable(comparison, "p50"));
  add(ttftByQpsTable(comparison, "p90"));
  if (comparison.skipped.length > 0) {
    sections.push(
      "## Skipped policies",
      "",
      ...comparison.skipped.map((s) => `- ${s.name}: ${s.reason}`),
      "",
    );
  }
  sections.push("## Per policy", "");
  for (const result of comparison.results) {
    const table = policyDetailTable(result);
    sections.push(`### ${table.title}`, "", renderMarkdownTable(table), "");
  }
  return sections.join("\n");
}
