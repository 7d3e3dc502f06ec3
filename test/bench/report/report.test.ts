import { describe, expect, test } from "bun:test";
import {
  type ComparisonResult,
  lineChart,
  type PolicyResult,
  renderHtmlReport,
  renderMarkdownReport,
  type StageSummary,
} from "../../../src/bench/index.ts";

function stage(qps: number, ttftP90Ms: number, outputTokensPerS: number, cacheHitRate: number): StageSummary {
  const latency = (v: number) => ({ mean: v, p50: v / 2, p90: v, p99: v * 1.5 });
  return {
    stage: qps,
    qps,
    durationMs: 20_000,
    requests: qps * 20,
    completed: qps * 20,
    failed: 0,
    ttftMs: latency(ttftP90Ms),
    tpotMs: latency(40),
    itlMs: latency(38),
    e2eMs: latency(40_000),
    outputTokensPerS,
    inputTokensPerS: outputTokensPerS * 7,
    requestsPerS: qps,
    goodputRequestsPerS: qps,
    goodFraction: ttftP90Ms <= 2000 ? 1 : 0.2,
    promptTokens: qps * 20 * 7200,
    cachedTokens: Math.round(qps * 20 * 7200 * cacheHitRate),
    outputTokens: qps * 20 * 1000,
    cacheHitRate,
    perEndpoint: { "engine-0": qps * 20 },
  };
}

function policy(name: string, stages: StageSummary[]): PolicyResult {
  return {
    policy: name,
    description: `${name} <desc> & co`,
    stages,
    outputTokensPerSWithinSlo: Math.max(
      0,
      ...stages.filter((s) => s.ttftMs.p90 <= 2000).map((s) => s.outputTokensPerS),
    ),
    maxQpsWithinSlo: Math.max(0, ...stages.filter((s) => s.ttftMs.p90 <= 2000).map((s) => s.qps)),
    requests: 100,
    wallMs: 1234,
    virtualMs: 100_000,
    events: 1000,
    engineSteps: 900,
  };
}

const comparison: ComparisonResult = {
  workload: { name: "shared-prefix", params: { groups: 150 }, seed: 1 },
  engines: { count: 8, profile: "h100-qwen3-32b-tp2", numGpuBlocks: 19115, blockSize: 16 },
  slo: { ttftMs: 2000, tpotMs: 100 },
  stages: [
    { qps: 15, durationS: 50, isWarmup: true },
    { qps: 10, durationS: 20, isWarmup: false },
    { qps: 30, durationS: 25, isWarmup: false },
  ],
  results: [
    policy("round-robin", [stage(10, 900, 4000, 0.2), stage(30, 90_000, 5000, 0.1)]),
    policy("llm-d-default", [stage(10, 150, 9000, 0.9), stage(30, 400, 14000, 0.95)]),
  ],
  skipped: [{ name: "precise-prefix", reason: "no index" }],
};

/** Tag balance of an XML fragment: every open tag closed in order (self-closing tags allowed). */
function isWellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const match of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing === "/") continue;
    if (closing === "/") {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

describe("policy report", () => {
  test("Markdown: headline, TTFT by QPS across policies, skipped policies and per-policy tables", () => {
    const md = renderMarkdownReport(comparison, "Shared prefix");
    expect(md.startsWith("# Shared prefix\n")).toBe(true);
    expect(md).toContain("| policy | max QPS within SLO | output tok/s within SLO | peak output tok/s |");
    expect(md).toContain("| round-robin | 10 | 4000 | 5000 | 90 s | 12.5 % |");
    expect(md).toContain("| llm-d-default | 30 | 14000 | 14000 | 0.4 s | 93.8 % |");
    expect(md).toContain(
      "## TTFT p90 by QPS\n\n| QPS | round-robin | llm-d-default |\n|---|---:|---:|\n| 10 | 0.9 s | 0.15 s |",
    );
    expect(md).toContain("- precise-prefix: no index");
    expect(md).toContain("ladder (QPS:seconds): 10:20, 30:25");
    for (const line of md.split("\n").filter((l) => l.startsWith("|"))) expect(line.endsWith("|")).toBe(true);
  });

  test("HTML: one self-contained page with four well-formed inline SVG charts and escaped text", () => {
    const html = renderHtmlReport(comparison, "Shared <prefix>");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<title>Shared &lt;prefix&gt;</title>");
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) expect(isWellFormed(svg)).toBe(true);
    expect(isWellFormed(html.replace("<!DOCTYPE html>", "").replace(/<meta[^>]*>/g, ""))).toBe(true);
    expect(html).toContain("round-robin &lt;desc&gt; &amp; co");
    expect(svgs[1]).toContain("TTFT p90 vs QPS");
    expect(svgs[1]).toContain("SLO 2 s");
  });

  test("a chart has a polyline and a legend entry per series; log scale skips zeros", () => {
    const svg = lineChart({
      title: "t",
      xLabel: "x",
      yLabel: "y",
      yScale: "log",
      series: [
        {
          name: "a",
          points: [
            [1, 0.1],
            [2, 10],
            [3, 0],
          ],
        },
        {
          name: "b",
          points: [
            [1, 1],
            [2, 100],
          ],
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain(">a</text>");
    expect(svg).toContain(">b</text>");
    expect(isWellFormed(svg)).toBe(true);
  });
});
