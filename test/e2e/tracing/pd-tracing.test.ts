// Traces of a disaggregated request: `llmux up` with 2 prefill + 2 decode sims and the always decider
// exports one span per leg under the request span: the prefill leg (CLIENT, on a prefill engine) and
// then the decode leg's upstream span (on a decode engine), after the scheduling span.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { pdNode, prompt, streamChat, waitAllReady } from "../pd/pd-config.ts";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver.ts";

const CLIENT = 3;

let receiver: OtlpReceiver;
let llmux: LlmuxProcess;
beforeAll(async () => {
  receiver = startOtlpReceiver();
  const node = pdNode({ type: "always-disagg-pd-decider" });
  const tracing = { enabled: true, endpoint: receiver.url, service_name: "llmux-pd-e2e" };
  llmux = await startLlmux({ ...node, config: { ...node.config, telemetry: { tracing } } });
  await waitAllReady(llmux.url);
}, 90_000);
afterAll(async () => {
  await llmux?.stop();
  receiver?.stop();
});

describe("P/D tracing", () => {
  test("a disaggregated request has a prefill span and a decode span under its request span", async () => {
    const requestId = "trace-pd-e2e";
    const result = await streamChat(llmux.url, prompt("trace-pd", 600), { requestId });
    expect(result.status).toBe(200);
    expect(result.isComplete).toBe(true);

    const isRoot = (s: ReceivedSpan) =>
      s.name === "llmux.request" && s.attributes["llmux.request_id"] === requestId;
    await receiver.waitFor((spans) => spans.some(isRoot), 20_000);
    const root = receiver.spans.find(isRoot) as ReceivedSpan;
    const children = receiver.spans.filter((s) => s.parentSpanId === root.spanId);
    expect(children.map((s) => s.name).sort()).toEqual([
      "llmux.admission",
      "llmux.prefill",
      "llmux.schedule",
      "llmux.upstream",
    ]);
    const prefill = children.find((s) => s.name === "llmux.prefill") as ReceivedSpan;
    const decode = children.find((s) => s.name === "llmux.upstream") as ReceivedSpan;
    expect(prefill.kind).toBe(CLIENT);
    expect(prefill.attributes).toMatchObject({
      "llmux.pd.leg": "prefill",
      "llmux.pd.prefill_outcome": "ok",
      "llmux.attempt": 1,
    });
    expect(String(prefill.attributes["llmux.endpoint.id"])).toContain("prefill");
    expect(String(decode.attributes["llmux.endpoint.id"])).toContain("decode");
    expect(decode.attributes["http.response.status_code"]).toBe(200);
    // The decode leg starts once the prefill leg answered; both lie within the request span.
    expect(decode.startNs).toBeGreaterThanOrEqual(prefill.endNs);
    expect(prefill.startNs).toBeGreaterThanOrEqual(root.startNs);
    expect(decode.endNs).toBeLessThanOrEqual(root.endNs);
    for (const child of children) expect(child.traceId).toBe(root.traceId);
  }, 60_000);
});
