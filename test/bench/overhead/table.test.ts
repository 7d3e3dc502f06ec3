import { describe, expect, test } from "bun:test";
import { type OverheadResult, overheadTable, renderMarkdownTable } from "../../../src/bench/index.ts";

const stats = (firstByteP50Ms: number, requestsPerS: number) => ({
  firstByteP50Ms,
  firstByteP99Ms: firstByteP50Ms * 4,
  completeP50Ms: firstByteP50Ms * 10,
  completeP99Ms: firstByteP50Ms * 20,
  requestsPerS,
});

const RESULT: OverheadResult = {
  requests: 100,
  concurrency: 8,
  durationMs: 2000,
  streamTokens: 16,
  kinds: [
    { kind: "short", direct: stats(1, 4000), gateway: stats(1.25, 3000) },
    { kind: "streaming", direct: stats(2, 500), gateway: stats(1.5, 450) },
  ],
};

describe("overheadTable", () => {
  test("has a direct, a gateway and an added row per response kind", () => {
    const table = overheadTable(RESULT);
    expect(table.header).toEqual([
      "response",
      "path",
      "first byte p50",
      "first byte p99",
      "complete p50",
      "complete p99",
      "requests/s (8 clients)",
    ]);
    expect(table.rows.map((row) => [row[0], row[1]])).toEqual([
      ["short (1 token)", "direct to the sim"],
      ["short (1 token)", "through llmux gateway"],
      ["short (1 token)", "added by the gateway"],
      ["streaming (16 tokens)", "direct to the sim"],
      ["streaming (16 tokens)", "through llmux gateway"],
      ["streaming (16 tokens)", "added by the gateway"],
    ]);
  });

  test("added rows are gateway minus direct, and the gateway's rate as a share of direct", () => {
    const rows = overheadTable(RESULT).rows;
    // short: 1.25 − 1 = 0.25; p99 5 − 4 = 1; complete 12.5 − 10 = 2.5, 25 − 20 = 5; 3000/4000 = 75 %.
    expect(rows[2]).toEqual([
      "short (1 token)",
      "added by the gateway",
      "+0.25 ms",
      "+1.00 ms",
      "+2.50 ms",
      "+5.00 ms",
      "75 % of direct",
    ]);
    // streaming: 1.5 − 2 = −0.5 (noise shows as a negative difference); 450/500 = 90 %.
    expect(rows[5]?.slice(2)).toEqual(["−0.50 ms", "−2.00 ms", "−5.00 ms", "−10.00 ms", "90 % of direct"]);
    expect(rows[1]?.slice(2)).toEqual(["1.25 ms", "5.00 ms", "12.50 ms", "25.00 ms", "3000"]);
  });

  test("renders as a Markdown table with one line per row", () => {
    const lines = renderMarkdownTable(overheadTable(RESULT)).split("\n");
    expect(lines).toHaveLength(2 + 6);
    expect(lines[1]).toBe("|---|---:|---:|---:|---:|---:|---:|");
  });
});
