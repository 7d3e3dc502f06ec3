// Traces over OTLP/HTTP into an in-process receiver: `llmux up` with sims exports request → scheduling
// → upstream spans with their attributes, and an upstream call carries the request span's traceparent
// (seen by a tiny fake engine, since the sim does not log headers).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { forwardRequest } from "../../../src/gateway/proxy/forward.ts";
import { createRequestObserver } from "../../../src/gateway/request-observer.ts";
import { createLogger, createMetricsRegistry, createTracing } from "../../../src/telemetry/index.ts";
import { createTestGateway } from "../../gateway/app-fixture.ts";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver.ts";

const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

let receiver: OtlpReceiver;
let llmux: LlmuxProcess;
beforeAll(async () => {
  receiver = startOtlpReceiver();
  llmux = await startLlmux({
    config: { telemetry: { tracing: { enabled: true, endpoint: receiver.url, service_name: "llmux-e2e" } } },
  });
  // /ready needs one engine per model; the decision's candidates should be both.
  for (let tries = 0; ; tries++) {
    const body = (await (await fetch(`${llmux.url}/admin/instances`)).json()) as {
      instances: { state: string }[];
    };
    if (body.instances.every((i) => i.state === "ready")) break;
    if (tries > 300) throw new Error("engines did not all become ready");
    await Bun.sleep(100);
  }
}, 90_000);
afterAll(async () => {
  await llmux?.stop();
  receiver?.stop();
});

function requestSpan(spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan | undefined {
  return spans.find((s) => s.name === "llmux.request" && s.attributes["llmux.request_id"] === requestId);
}

describe("tracing through llmux up with sims", () => {
  test("each request is a server span with its scheduling and upstream spans beneath", async () => {
    const ids = ["trace-e2e-stream", "trace-e2e-whole"];
    for (const [i, requestId] of ids.entries()) {
      const response = await fetch(`${llmux.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": requestId },
        body: JSON.stringify({
          model: "e2e-model",
          stream: i === 0,
          max_tokens: 6,
          ignore_eos: true,
          messages: [{ role: "user", content: "trace this request" }],
        }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }
    // The batch processor exports every 5 s.
    await receiver.waitFor((spans) => ids.every((id) => requestSpan(spans, id) !== undefined), 20_000);

    for (const requestId of ids) {
      const root = requestSpan(receiver.spans, requestId) as ReceivedSpan;
      expect(root.serviceName).toBe("llmux-e2e");
      expect(root.kind).toBe(SERVER);
      expect(root.parentSpanId).toBe("");
      expect(root.attributes).toMatchObject({
        "gen_ai.request.model": "e2e-model",
        "llmux.route": "chat",
        "http.response.status_code": 200,
        "llmux.attempts": 1,
        "gen_ai.usage.output_tokens": 6,
      });
      expect(typeof root.attributes["llmux.usage.cached_tokens"]).toBe("number");
      const endpoint = String(root.attributes["llmux.endpoint.id"]);
      expect(endpoint).toStartWith("e2e-model-");

      const children = receiver.spans.filter((s) => s.parentSpanId === root.spanId);
      expect(children.map((s) => s.name).sort()).toEqual([
        "llmux.admission",
        "llmux.schedule",
        "llmux.upstream",
      ]);
      for (const child of children) expect(child.traceId).toBe(root.traceId);
      const schedule = children.find((s) => s.name === "llmux.schedule") as ReceivedSpan;
      expect(schedule.kind).toBe(INTERNAL);
      expect(schedule.attributes["llmux.decision.winner"]).toBe(endpoint);
      expect(schedule.attributes["llmux.decision.candidates"]).toBe(2);
      expect(String(schedule.attributes["llmux.decision.scores"])).toMatch(
        /^e2e-model-\d=\d+\.\d{3} e2e-model-\d=\d+\.\d{3}$/,
      );
      const upstream = children.find((s) => s.name === "llmux.upstream") as ReceivedSpan;
      expect(upstream.kind).toBe(CLIENT);
      expect(upstream.attributes).toMatchObject({
        "llmux.endpoint.id": endpoint,
        "http.response.status_code": 200,
      });
      expect(upstream.events).toEqual(["first_token"]);
      const admission = children.find((s) => s.name === "llmux.admission") as ReceivedSpan;
      expect(admission.kind).toBe(INTERNAL);
      expect(Number(admission.attributes["llmux.flow.queued_ms"])).toBeLessThan(50);
      expect(admission.startNs).toBeGreaterThanOrEqual(root.startNs);
      expect(schedule.startNs).toBeGreaterThanOrEqual(admission.endNs);
      expect(upstream.startNs).toBeGreaterThanOrEqual(schedule.endNs);
      expect(upstream.endNs).toBeLessThanOrEqual(root.endNs);
    }
  }, 60_000);
});

describe("trace context toward the engine", () => {
  test("the upstream request carries the traceparent of the exported request span", async () => {
    const seen: Headers[] = [];
    const engine = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        seen.push(request.headers);
        const usage = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 };
        return Response.json({ id: "c", object: "chat.completion", choices: [], usage });
      },
    });
    const base = createTestGateway();
    const settings = { isEnabled: true, url: receiver.url, serviceName: "llmux-fake", sampleRatio: 1 };
    const logger = createLogger({ level: "silent", format: "json" });
    const tracing = createTracing(settings, { logger, registry: createMetricsRegistry(), version: "test" });
    const ctx = { ...base.ctx, tracing };
    const requestId = "trace-fake-upstream";
    const observer = createRequestObserver(ctx, {
      requestId,
      model: "m",
      keyName: "none",
      route: "chat",
      promptTokenEstimate: 3,
      maxTokensEstimate: 1,
      startedAtMs: ctx.now(),
      routeReason: "",
    });
    const clientRequest = new Request("http://gateway/v1/chat/completions", { method: "POST" });
    const response = await forwardRequest(
      {
        clientRequest,
        path: "/v1/chat/completions",
        body: { model: "m", messages: [] },
        isStreaming: false,
        clientWantsUsage: true,
        requestId,
        // What generation.ts sends: its own headers plus the observer's trace headers.
        upstreamHeaders: { "x-request-id": requestId, ...observer.traceHeaders },
        pick: () => ({
          ok: true,
          target: { endpointId: "fake-0", baseUrl: `http://127.0.0.1:${engine.port}` },
        }),
        observer,
      },
      {
        maxAttempts: 1,
        initialBackoffMs: 1,
        maxBackoffMs: 1,
        totalTimeoutMs: 5000,
        idleTimeoutMs: 0,
        maxBufferedBytes: 1 << 16,
      },
      ctx.now,
    );
    expect(response.status).toBe(200);
    await tracing.forceFlush();
    engine.stop(true);

    const [traceId, spanId] = TRACEPARENT.exec(seen[0]?.get("traceparent") ?? "")?.slice(1) ?? [];
    const root = requestSpan(receiver.spans, requestId) as ReceivedSpan;
    expect(root.serviceName).toBe("llmux-fake");
    expect([traceId, spanId]).toEqual([root.traceId, root.spanId]);
    expect(seen[0]?.get("x-request-id")).toBe(requestId);
    await tracing.shutdown();
  }, 30_000);
});
