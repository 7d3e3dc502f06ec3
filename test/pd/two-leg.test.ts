// The two-leg flow against fake prefill engines and a recording decode forwarder.
import { afterEach, describe, expect, test } from "bun:test";
import { runTwoLeg } from "../../src/pd/two-leg.ts";
import type { PdSettings, PdTarget, PrefillHandoff, TwoLegRequest } from "../../src/pd/types.ts";
import {
  deadUrl,
  type FakePrefillEngine,
  type FakePrefillOptions,
  HELD_PARAMS,
  startFakePrefill,
} from "./fake-prefill-engine.ts";

const BODY = {
  model: "m",
  messages: [{ role: "user", content: "a long question" }],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 20,
  min_tokens: 3,
};
const SETTINGS: PdSettings = {
  prefillTimeoutMs: 2000,
  prefillMaxRetries: 1,
  isFallbackToDecodeOnly: true,
  maxPrefillResponseBytes: 1024 * 1024,
};

const engines: FakePrefillEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function engine(options: FakePrefillOptions = {}): FakePrefillEngine {
  const started = startFakePrefill(options);
  engines.push(started);
  return started;
}

interface Recorded {
  readonly decodes: { body: Record<string, unknown>; handoff: PrefillHandoff | null }[];
  readonly events: string[];
  readonly excludedSeen: string[][];
}

/** A request whose prefill targets are `targets` in order (the first is the scheduler's pick). */
function twoLeg(
  targets: readonly PdTarget[],
  overrides: Partial<TwoLegRequest> = {},
): { request: TwoLegRequest; recorded: Recorded } {
  const recorded: Recorded = { decodes: [], events: [], excludedSeen: [] };
  let next = 1;
  const request: TwoLegRequest = {
    path: "/v1/chat/completions",
    body: BODY,
    upstreamHeaders: { "x-request-id": "req-42" },
    clientSignal: new AbortController().signal,
    prefill: targets[0] as PdTarget,
    nextPrefill(excluded) {
      recorded.excludedSeen.push([...excluded]);
      return targets[next++] ?? null;
    },
    async forwardDecode(body, handoff) {
      recorded.decodes.push({ body, handoff });
      const usage = {
        prompt_tokens: 40,
        completion_tokens: 20,
        prompt_tokens_details: { cached_tokens: 40 },
      };
      return new Response(`data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`, {
        headers: { "content-type": "text/event-stream" },
      });
    },
    hooks: {
      start(target) {
        recorded.events.push(`start ${target.endpointId}`);
        return () => recorded.events.push(`release ${target.endpointId}`);
      },
      succeeded: (id) => recorded.events.push(`ok ${id}`),
      failed: (id, reason) => recorded.events.push(`failed ${id} ${reason}`),
    },
    reporter: {
      prefillAttempt: (outcome) => recorded.events.push(`attempt ${outcome}`),
      fallback: (reason) => recorded.events.push(`fallback ${reason}`),
    },
    settings: SETTINGS,
    now: () => performance.now(),
    ...overrides,
  };
  return { request, recorded };
}

function target(id: string, url: string): PdTarget {
  return { endpointId: id, baseUrl: url };
}

describe("runTwoLeg", () => {
  test("prefill with the rewritten body and the shared request id, then decode with its params", async () => {
    const p1 = engine();
    const { request, recorded } = twoLeg([target("p1", p1.url)]);
    const result = await runTwoLeg(request);
    expect(p1.bodies).toEqual([
      {
        model: "m",
        messages: BODY.messages,
        stream: false,
        max_tokens: 1,
        max_completion_tokens: 1,
        kv_transfer_params: {
          do_remote_decode: true,
          do_remote_prefill: false,
          remote_engine_id: null,
          remote_block_ids: null,
          remote_host: null,
          remote_port: null,
        },
      },
    ]);
    expect(p1.requestIds).toEqual(["req-42"]);
    expect(recorded.decodes.map((d) => d.body)).toEqual([{ ...BODY, kv_transfer_params: HELD_PARAMS }]);
    expect(recorded.decodes[0]?.handoff?.usage).toEqual({
      promptTokens: 40,
      completionTokens: 1,
      cachedTokens: 16,
    });
    expect(recorded.events).toEqual(["start p1", "release p1", "attempt ok", "ok p1"]);
    if (result.kind !== "forwarded") throw new Error(result.kind);
    // The client sees the prefill engine's cached count, not the transferred tokens (llm-d's sidecar).
    expect(await result.response.text()).toContain('"prompt_tokens_details":{"cached_tokens":16}');
  });

  test("a 5xx prefill is retried once on another prefill engine", async () => {
    const [p1, p2] = [engine({ status: 503 }), engine()];
    const { request, recorded } = twoLeg([target("p1", p1.url), target("p2", p2.url)]);
    const result = await runTwoLeg(request);
    expect(result.kind).toBe("forwarded");
    expect(recorded.excludedSeen).toEqual([["p1"]]);
    expect(recorded.events).toEqual([
      "start p1",
      "release p1",
      "attempt failed",
      "failed p1 http_503",
      "start p2",
      "release p2",
      "attempt ok",
      "ok p2",
    ]);
    expect(recorded.decodes[0]?.body.kv_transfer_params).toEqual(HELD_PARAMS);
  });

  test("after every try fails, the decode engine serves the original body alone", async () => {
    const { request, recorded } = twoLeg([
      target("p1", deadUrl()),
      target("p2", engine({ status: 500 }).url),
    ]);
    const result = await runTwoLeg(request);
    expect(result.kind).toBe("forwarded");
    expect(recorded.events.filter((e) => e.startsWith("failed") || e.startsWith("fallback"))).toEqual([
      "failed p1 connect_refused",
      "failed p2 http_500",
      "fallback prefill_failed",
    ]);
    expect(recorded.decodes).toEqual([{ body: BODY, handoff: null }]);
  });

  test("with fallback off, prefill failure is the request's failure", async () => {
    const { request, recorded } = twoLeg([target("p1", engine({ status: 502 }).url)], {
      settings: { ...SETTINGS, prefillMaxRetries: 0, isFallbackToDecodeOnly: false },
    });
    const result = await runTwoLeg(request);
    expect(result).toEqual({ kind: "prefill-failed", endpointId: "p1", detail: "http_502", attempts: 1 });
    expect(recorded.decodes).toEqual([]);
    expect(recorded.excludedSeen).toEqual([]);
  });

  test("a 4xx from prefill goes to the client as the engine sent it; no retry, no decode", async () => {
    const { request, recorded } = twoLeg([target("p1", engine({ status: 400 }).url)]);
    const result = await runTwoLeg(request);
    if (result.kind !== "prefill-rejected") throw new Error(result.kind);
    expect(result.response.status).toBe(400);
    expect(await result.response.json()).toEqual({ error: { message: "status 400" } });
    expect(recorded.decodes).toEqual([]);
    expect(recorded.events).toEqual(["start p1", "release p1", "attempt client_error", "ok p1"]);
  });

  test("a prefill slower than prefill_timeout_ms is abandoned and retried elsewhere", async () => {
    const slow = engine({ delayMs: 5000 });
    const { request, recorded } = twoLeg([target("slow", slow.url), target("p2", engine().url)], {
      settings: { ...SETTINGS, prefillTimeoutMs: 150 },
    });
    const startedAt = performance.now();
    expect((await runTwoLeg(request)).kind).toBe("forwarded");
    expect(performance.now() - startedAt).toBeLessThan(2000);
    expect(recorded.events).toContain("failed slow timeout");
    expect(recorded.events).toContain("attempt timeout");
  });

  test("a client that leaves during prefill cancels it: the engine sees the connection close", async () => {
    const slow = engine({ delayMs: 5000 });
    const client = new AbortController();
    const { request, recorded } = twoLeg([target("slow", slow.url)], { clientSignal: client.signal });
    setTimeout(() => client.abort(), 100);
    const result = await runTwoLeg(request);
    expect(result).toEqual({ kind: "client-abort", endpointId: "slow", attempts: 1 });
    expect(recorded.decodes).toEqual([]);
    expect(recorded.events).toContain("attempt aborted");
    for (let i = 0; i < 50 && slow.aborted === 0; i++) await Bun.sleep(10);
    expect(slow.aborted).toBe(1);
  });

  test("an answer without kv_transfer_params (an abnormal prefill end) falls back to decode alone", async () => {
    const p1 = engine({ answer: { usage: { prompt_tokens: 40, completion_tokens: 0 } } });
    const { request, recorded } = twoLeg([target("p1", p1.url)]);
    await runTwoLeg(request);
    expect(recorded.decodes).toEqual([{ body: BODY, handoff: null }]);
    expect(recorded.events).toContain("fallback no_kv_transfer_params");
  });

  test("an answer that is not JSON counts as a failed attempt", async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("<html>") });
    try {
      const { request, recorded } = twoLeg([target("p1", `http://127.0.0.1:${server.port}`)], {
        settings: { ...SETTINGS, prefillMaxRetries: 0 },
      });
      await runTwoLeg(request);
      expect(recorded.events).toContain("failed p1 invalid_response");
      expect(recorded.events).toContain("fallback prefill_failed");
    } finally {
      server.stop(true);
    }
  });
});
