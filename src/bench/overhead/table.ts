// The gateway-overhead result as one table: per response kind, the direct path, the path through the
// gateway, and what the gateway adds (latency differences; its rate as a share of the direct rate).
import type { Table } from "../report/tables.ts";
import type { OverheadResult, PathStats } from "./run.ts";

export function overheadTable(result: OverheadResult): Table {
  const rows: string[][] = [];
  for (const { kind, direct, gateway } of result.kinds) {
    const label = kind === "short" ? "short (1 token)" : `streaming (${result.streamTokens} tokens)`;
    rows.push([label, "direct to the sim", ...measured(direct)]);
    rows.push([label, "through llmux gateway", ...measured(gateway)]);
    rows.push([
      label,
      "added by the gateway",
      added(gateway.firstByteP50Ms - direct.firstByteP50Ms),
      added(gateway.firstByteP99Ms - direct.firstByteP99Ms),
      added(gateway.completeP50Ms - direct.completeP50Ms),
      added(gateway.completeP99Ms - direct.completeP99Ms),
      `${Math.round((100 * gateway.requestsPerS) / direct.requestsPerS)} % of direct`,
    ]);
  }
  return {
    title: `Gateway overhead (${result.requests} sequential requests per row; requests/s with ${result.concurrency} clients for ${result.durationMs / 1000} s)`,
    header: [
      "response",
      "path",
      "first byte p50",
      "first byte p99",
      "complete p50",
      "complete p99",
      `requests/s (${result.concurrency} clients)`,
    ],
    rows,
  };
}

function measured(stats: PathStats): string[] {
  return [
    ms(stats.firstByteP50Ms),
    ms(stats.firstByteP99Ms),
    ms(stats.completeP50Ms),
    ms(stats.completeP99Ms),
    String(Math.round(stats.requestsPerS)),
  ];
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function added(value: number): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)} ms`;
}
