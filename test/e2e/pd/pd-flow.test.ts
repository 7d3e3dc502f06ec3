// P/D end to end through `llmux up` with 2 prefill + 2 decode simulated engines and the always decider:
// streamed chat, completions and responses run prefill then decode, and the decode engines compute none
// of the prompt themselves (vLLM's prompt_tokens_by_source{source="local_compute"} stays 0).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import {
  engineCounter,
  gatewayCounter,
  type Instance,
  localComputeTokens,
  PD_MODEL,
  pdNode,
  prompt,
  streamChat,
  waitAllReady,
} from "./pd-config.ts";

let llmux: LlmuxProcess;
let engines: Instance[];
beforeAll(async () => {
  llmux = await startLlmux(pdNode({ type: "always-disagg-pd-decider" }));
  engines = await waitAllReady(llmux.url);
}, 90_000);
afterAll(async () => {
  await llmux.stop();
});

const ports = (role: string) => engines.filter((e) => e.role === role).map((e) => e.port);

async function sum(values: Promise<number>[]): Promise<number> {
  return (await Promise.all(values)).reduce((a, b) => a + b, 0);
}

describe("P/D through llmux up", () => {
  test("streamed chats run on decode engines that compute zero prompt tokens", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        streamChat(llmux.url, prompt(`flow${i}`, 600), { includeUsage: true }),
      ),
    );
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.isComplete).toBe(true);
      expect(result.hasError).toBe(false);
      expect(result.endpoint).toContain("decode");
      // The prefill engines had nothing cached: the merged usage says so, not "all transferred".
      expect(result.text).not.toMatch(/"cached_tokens":[1-9]/);
    }
    expect(await sum(ports("decode").map(localComputeTokens))).toBe(0);
    const transferred = await sum(
      ports("decode").map((p) =>
        engineCounter(p, "vllm:prompt_tokens_by_source_total", 'source="external_kv_transfer"'),
      ),
    );
    expect(transferred).toBeGreaterThan(6 * 500);
    expect(await sum(ports("prefill").map(localComputeTokens))).toBeGreaterThanOrEqual(transferred);
    expect(await gatewayCounter(llmux.url, "llmux_pd_decisions_total", 'decision="prefill-decode"')).toBe(6);
    expect(await gatewayCounter(llmux.url, "llmux_pd_transfer_wait_seconds_count")).toBe(6);
  }, 60_000);

  test("completions and responses take the same two legs", async () => {
    const before = await sum(ports("prefill").map(localComputeTokens));
    const completion = await fetch(`${llmux.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: PD_MODEL, prompt: prompt("cmpl", 500), max_tokens: 5, min_tokens: 5 }),
      signal: AbortSignal.timeout(20_000),
    });
    expect(completion.status).toBe(200);
    const body = (await completion.json()) as {
      choices: { text: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.usage.completion_tokens).toBe(5);
    const responses = await fetch(`${llmux.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: PD_MODEL, input: prompt("resp", 500), max_output_tokens: 6 }),
      signal: AbortSignal.timeout(20_000),
    });
    expect(responses.status).toBe(200);
    const output = (await responses.json()) as { usage: { output_tokens: number } };
    expect(output.usage.output_tokens).toBe(6);
    expect(await sum(ports("prefill").map(localComputeTokens))).toBeGreaterThan(before + 900);
    expect(await sum(ports("decode").map(localComputeTokens))).toBe(0);
  }, 60_000);
});
