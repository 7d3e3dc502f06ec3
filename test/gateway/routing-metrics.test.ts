// Routing metrics: decisions by profile and deciding scorer, decision latency, and the scheduler's
// cached-token estimate against the engine's report, unit by unit and through the real app.
import { afterAll, describe, expect, test } from "bun:test";
import { createGatewayApp, type GatewayContext } from "../../src/gateway/index.ts";
import { createRoutingMetrics } from "../../src/gateway/routing-metrics.ts";
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import type { DecisionExplanation, Scheduler, SchedulingRequest } from "../../src/scheduler/index.ts";
import { createMetricsRegistry } from "../../src/telemetry/index.ts";
import { samplesOf } from "../helpers/exposition.ts";
import { createTestGateway, descriptor, post } from "./app-fixture.ts";

const EXPLANATION: DecisionExplanation = {
  profile: "decode",
  picker: "max-score-picker",
  winner: "e0",
  scores: {},
  filteredOut: {},
  decidedBy: "prefix-cache-scorer",
  durationUs: 40,
};

describe("createRoutingMetrics", () => {
  test("counts decisions by profile and deciding scorer, the prefill decision too, and times them once", async () => {
    const registry = createMetricsRegistry();
    const routing = createRoutingMetrics([registry]);
    routing.decided(EXPLANATION);
    routing.decided({ ...EXPLANATION, decidedBy: "", prefill: { ...EXPLANATION, profile: "prefill" } });
    routing.decided({ ...EXPLANATION, profile: "round-robin", decidedBy: undefined, durationUs: undefined });
    const text = await registry.metrics();
    expect(samplesOf(text, "llmux_scheduler_decisions_total")).toEqual([
      '{profile="decode",plugin="prefix-cache-scorer"} 1',
      '{profile="decode",plugin="none"} 1',
      '{profile="prefill",plugin="prefix-cache-scorer"} 1',
      '{profile="round-robin",plugin="none"} 1',
    ]);
    expect(samplesOf(text, "llmux_scheduler_decision_duration_seconds_count")).toEqual([
      '{profile="decode"} 2',
    ]);
    // 40 µs lands in the 50 µs bucket, not the 25 µs one.
    expect(samplesOf(text, "llmux_scheduler_decision_duration_seconds_bucket")).toContain(
      '{le="0.00005",profile="decode"} 2',
    );
    expect(samplesOf(text, "llmux_scheduler_decision_duration_seconds_bucket")).toContain(
      '{le="0.000025",profile="decode"} 0',
    );
  });
});

/** An engine whose usage reports 8 prompt tokens, 3 of them cached. */
const engine = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () =>
    Response.json({
      id: "c1",
      object: "text_completion",
      created: 1,
      model: "llama",
      choices: [{ index: 0, text: "hi", finish_reason: "stop" }],
      usage: {
        prompt_tokens: 8,
        completion_tokens: 1,
        total_tokens: 9,
        prompt_tokens_details: { cached_tokens: 3 },
      },
    }),
});
afterAll(() => engine.stop(true));

/** Always picks the only candidate and says it holds 4 of the prompt's tokens. */
const scheduler: Scheduler = {
  schedule(request: SchedulingRequest, candidates: readonly EndpointSnapshot[]) {
    const endpoint = candidates[0] as EndpointSnapshot;
    const explanation = { ...EXPLANATION, winner: endpoint.descriptor.id, requestId: request.requestId };
    return { ok: true, endpoint, explanation, cachedTokensEstimate: 4 };
  },
};

describe("routing metrics through the gateway", () => {
  test("each request adds a decision and compares the estimated with the reported cached tokens", async () => {
    const gateway = createTestGateway();
    gateway.pool.upsert(descriptor("e0", `http://127.0.0.1:${engine.port}`, ["llama"]));
    const ctx: GatewayContext = { ...gateway.ctx, scheduler };
    const app = createGatewayApp(ctx);
    for (let i = 0; i < 2; i++) {
      const response = await app.request(post("/v1/completions", { model: "llama", prompt: "hello" }));
      expect(response.status).toBe(200);
      await response.text();
    }
    const text = await (await app.request("/metrics")).text();
    expect(samplesOf(text, "llmux_scheduler_decisions_total")).toEqual([
      '{profile="decode",plugin="prefix-cache-scorer"} 2',
    ]);
    expect(samplesOf(text, "llmux_scheduler_estimated_cached_tokens_total")).toEqual(['{model="llama"} 8']);
    expect(samplesOf(text, "llmux_scheduler_reported_cached_tokens_total")).toEqual(['{model="llama"} 6']);
    // (4 - 3) / 8 = 0.125: above the 0.1 bound, within 0.25.
    const buckets = samplesOf(text, "llmux_scheduler_cached_tokens_error_ratio_bucket");
    expect(buckets).toContain('{le="0.1",model="llama"} 0');
    expect(buckets).toContain('{le="0.25",model="llama"} 2');
  });
});
