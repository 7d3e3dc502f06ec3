import { afterAll, describe, expect, test } from "bun:test";
import {
  buildWorkload,
  DEFAULT_SLO,
  firstServedModel,
  runLoad,
  summarizeStages,
} from "../../../src/bench/index.ts";
import { startFakeServer } from "./fake-openai-server.ts";

const fast = startFakeServer({ firstTokenMs: 40, gapMs: 10, cachedTokens: 64 });
const other = startFakeServer({ firstTokenMs: 40, gapMs: 10 });
const failing = startFakeServer({ firstTokenMs: 0, gapMs: 0, status: 503 });
afterAll(async () => {
  await Promise.all([fast.stop(), other.stop(), failing.stop()]);
});

const params = { groups: 2, promptsPerGroup: 2, systemPromptTokens: 64, questionTokens: 16, outputTokens: 5 };

describe("real-time load generator", () => {
  test("measures TTFT, ITL, TPOT and usage per request, rotating over the URLs", async () => {
    const workload = buildWorkload({
      name: "shared-prefix",
      params,
      stages: [{ qps: 40, durationS: 0.25 }],
      arrival: "constant",
      seed: 1,
    });
    const result = await runLoad({
      workload,
      urls: [fast.url, other.url],
      model: "fake-model",
      api: "completions",
    });
    expect(result.records).toHaveLength(10);
    for (const r of result.records) {
      expect(r.error).toBeNull();
      expect(r.firstTokenMs! - r.sentMs).toBeGreaterThanOrEqual(38);
      expect(r.firstTokenMs! - r.sentMs).toBeLessThan(400);
      expect(r.completionTokens).toBe(5);
      expect(r.promptTokens).toBe(80);
      expect(r.itlCount).toBe(4);
      expect(r.itlSumMs / r.itlCount).toBeGreaterThanOrEqual(8);
    }
    expect(result.records.filter((r) => r.endpoint === fast.url).every((r) => r.cachedTokens === 64)).toBe(
      true,
    );
    expect(result.records.filter((r) => r.endpoint === other.url)).toHaveLength(5);
    const body = fast.bodies[0]!;
    expect(body).toMatchObject({
      model: "fake-model",
      max_tokens: 5,
      stream: true,
      ignore_eos: true,
      stream_options: { include_usage: true },
    });
    expect((body.prompt as number[]).length).toBe(80);
    const [summary] = summarizeStages(workload.stages, result.records, {
      slo: DEFAULT_SLO,
      itlByStage: result.itlByStage,
      stageStartMs: result.stageStartMs,
    });
    expect(summary!.completed).toBe(10);
    expect(summary!.itlMs.p50).toBeGreaterThanOrEqual(8);
    expect(summary!.cacheHitRate).toBeCloseTo((5 * 64) / (10 * 80), 6);
  });

  test("a concurrency cap bounds requests in flight; chat mode sends messages", async () => {
    const capped = startFakeServer({ firstTokenMs: 30, gapMs: 5 });
    try {
      const workload = buildWorkload({
        name: "mixed-tenants",
        params: { tenants: 2, systemPromptTokens: 20, questionTokens: 10, outputTokens: 3, spread: 0 },
        stages: [{ qps: 200, durationS: 0.1 }],
        arrival: "constant",
        seed: 1,
      });
      const result = await runLoad({
        workload,
        urls: [capped.url],
        model: "m",
        api: "chat",
        maxConcurrency: 2,
      });
      expect(result.records.every((r) => r.error === null)).toBe(true);
      expect(capped.peakInFlight()).toBeLessThanOrEqual(2);
      expect(result.records.some((r) => r.sentMs - r.arrivalMs > 20)).toBe(true);
      expect(Array.isArray(capped.bodies[0]!.messages)).toBe(true);
      expect(capped.headers[0]!.get("x-llmux-fairness-id")).toMatch(/^tenant-\d$/);
      expect(capped.headers[0]!.get("x-llmux-priority")).toMatch(/^\d$/);
    } finally {
      await capped.stop();
    }
  });

  test("server errors become failed records with the status", async () => {
    const workload = buildWorkload({
      name: "decode-heavy",
      params: { inputTokens: 8, outputTokens: 2 },
      stages: [{ qps: 50, durationS: 0.06 }],
      arrival: "constant",
      seed: 1,
    });
    const result = await runLoad({ workload, urls: [failing.url], model: "m", api: "completions" });
    expect(result.records.length).toBeGreaterThan(0);
    for (const r of result.records) expect(r.error).toBe("HTTP 503: engine on fire");
  });

  test("reports progress and finds the served model", async () => {
    const workload = buildWorkload({
      name: "decode-heavy",
      params: { inputTokens: 8, outputTokens: 2 },
      stages: [{ qps: 50, durationS: 0.06 }],
      arrival: "constant",
      seed: 1,
    });
    const seen: number[] = [];
    await runLoad({
      workload,
      urls: [fast.url],
      model: "m",
      api: "completions",
      onProgress: (p) => seen.push(p.completed),
      progressIntervalMs: 10,
    });
    expect(seen.at(-1)).toBe(workload.requests.length);
    expect(await firstServedModel(fast.url, null)).toBe("fake-model");
  });
});
