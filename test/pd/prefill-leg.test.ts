import { afterEach, describe, expect, test } from "bun:test";
import { sendPrefill } from "../../src/pd/prefill-leg.ts";
import { deadUrl, type FakePrefillEngine, HELD_PARAMS, startFakePrefill } from "./fake-prefill-engine.ts";

const OPTIONS = {
  path: "/v1/completions",
  bodyText: JSON.stringify({ model: "m", prompt: "p", max_tokens: 1 }),
  headers: { "x-request-id": "r1" },
  clientSignal: new AbortController().signal,
  timeoutMs: 2000,
  maxResponseBytes: 1024 * 1024,
};

let engine: FakePrefillEngine | null = null;
afterEach(() => engine?.stop());

describe("sendPrefill", () => {
  test("returns the params and usage of a 200 answer", async () => {
    engine = startFakePrefill();
    expect(await sendPrefill({ endpointId: "p", baseUrl: engine.url }, OPTIONS)).toEqual({
      kind: "ok",
      kvTransferParams: HELD_PARAMS,
      usage: { promptTokens: 40, completionTokens: 1, cachedTokens: 16 },
    });
    expect(engine.requestIds).toEqual(["r1"]);
  });

  test("labels a refused connection connect_refused", async () => {
    const outcome = await sendPrefill({ endpointId: "p", baseUrl: deadUrl() }, OPTIONS);
    expect(outcome).toMatchObject({ kind: "failed", reason: "connect_refused" });
  });

  test("an answer over the byte cap is a failed attempt, not a crash", async () => {
    engine = startFakePrefill({ answer: { padding: "x".repeat(5000), kv_transfer_params: HELD_PARAMS } });
    const outcome = await sendPrefill(
      { endpointId: "p", baseUrl: engine.url },
      { ...OPTIONS, maxResponseBytes: 1000 },
    );
    expect(outcome.kind).toBe("failed");
  });

  test("a client already gone sends nothing that completes", async () => {
    engine = startFakePrefill({ delayMs: 1000 });
    const gone = new AbortController();
    gone.abort();
    const outcome = await sendPrefill(
      { endpointId: "p", baseUrl: engine.url },
      { ...OPTIONS, clientSignal: gone.signal },
    );
    expect(outcome).toEqual({ kind: "aborted" });
  });
});
