// The prefix-based decider through `llmux up`: short prompts and prompts the chosen decode engine already
// holds skip the prefill leg; long uncached prompts take it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import {
  gatewayCounter,
  type Instance,
  localComputeTokens,
  pdNode,
  prompt,
  streamChat,
  waitAllReady,
} from "./pd-config.ts";

const THRESHOLD_TOKENS = 256;

let llmux: LlmuxProcess;
let engines: Instance[];
beforeAll(async () => {
  llmux = await startLlmux(
    pdNode({ type: "prefix-based-pd-decider", parameters: { nonCachedTokens: THRESHOLD_TOKENS } }),
  );
  engines = await waitAllReady(llmux.url);
}, 90_000);
afterAll(async () => {
  await llmux.stop();
});

async function prefillComputed(): Promise<number> {
  const counts = await Promise.all(
    engines.filter((e) => e.role === "prefill").map((e) => localComputeTokens(e.port)),
  );
  return counts.reduce((a, b) => a + b, 0);
}

function decodePort(id: string | null): number {
  const engine = engines.find((e) => e.id === id);
  if (engine === undefined) throw new Error(`no engine ${id}`);
  return engine.port;
}

const decisions = (decision: string) =>
  gatewayCounter(llmux.url, "llmux_pd_decisions_total", `decision="${decision}"`);

describe("prefix-based-pd-decider through llmux up", () => {
  test("a prompt under the threshold is served by a decode engine alone", async () => {
    const result = await streamChat(llmux.url, prompt("short", 60));
    expect(result.status).toBe(200);
    expect(result.isComplete).toBe(true);
    expect(await prefillComputed()).toBe(0);
    expect(await decisions("decode-only")).toBe(1);
    expect(await localComputeTokens(decodePort(result.endpoint))).toBeGreaterThan(0);
  }, 30_000);

  test("a long prompt is disaggregated; sent again, the decode engine holding it serves it alone", async () => {
    const text = prompt("long", 1200);
    const first = await streamChat(llmux.url, text);
    expect(first.status).toBe(200);
    expect(await decisions("prefill-decode")).toBe(1);
    const prefillAfterFirst = await prefillComputed();
    expect(prefillAfterFirst).toBeGreaterThan(1000);
    const decode = decodePort(first.endpoint);
    const decodeComputed = await localComputeTokens(decode);

    const again = await streamChat(llmux.url, text);
    expect(again.status).toBe(200);
    expect(again.endpoint).toBe(first.endpoint);
    expect(await decisions("prefill-decode")).toBe(1);
    expect(await decisions("decode-only")).toBe(2);
    expect(await prefillComputed()).toBe(prefillAfterFirst);
    // The pulled KV stayed in the decode engine's prefix cache: it computes at most the last partial block.
    expect((await localComputeTokens(decode)) - decodeComputed).toBeLessThan(32);
  }, 30_000);
});
