// Through `llmux up` with three sim engines: a prompt sent straight to one engine (bypassing the
// gateway, so only its KV events can tell) makes the gateway route the same prefix to that engine;
// the KV-event metrics move, and an engine that clears its prefix cache drops its index entries.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seriesValue } from "../../helpers/exposition.ts";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";

interface Instance {
  readonly id: string;
  readonly port: number;
}

interface Explanation {
  readonly winner: string;
  readonly scores: Record<string, Record<string, number>>;
}

let llmux: LlmuxProcess;
let instances: Instance[];
beforeAll(async () => {
  llmux = await startLlmux({
    engines: [
      {
        model: "e2e-model",
        replicas: 3,
        extra_args: ["--sim-profile", "tiny-cpu"],
        // Mounts /reset_prefix_cache on the sims.
        env: { VLLM_SERVER_DEV_MODE: "1" },
      },
    ],
    config: { scheduler: { seed: 7 } },
  });
  const body = (await (await fetch(`${llmux.url}/admin/instances`)).json()) as { instances: Instance[] };
  instances = body.instances;
}, 60_000);
afterAll(async () => {
  await llmux.stop();
});

/** ~2.8 KB of text: about 60 blocks of the builtin tokenizer (3 bytes a token, 16 tokens a block). */
function systemPrompt(topic: number): string {
  return Array.from({ length: 400 }, (_, i) => `t${topic}w${(i * 7919) % 997}`).join(" ");
}

function messages(topic: number, followUp: boolean) {
  const first = [
    { role: "system", content: systemPrompt(topic) },
    { role: "user", content: `Summarise topic ${topic}.` },
  ];
  if (!followUp) return first;
  return [
    ...first,
    { role: "assistant", content: "It is a list of words." },
    { role: "user", content: "More?" },
  ];
}

async function chat(base: string, topic: number, followUp: boolean, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "e2e-model", max_tokens: 2, messages: messages(topic, followUp) }),
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return response;
}

async function metrics(): Promise<string> {
  return (await fetch(`${llmux.url}/metrics`)).text();
}

function sample(text: string, series: string): number {
  return seriesValue(text, series) ?? 0;
}

async function waitFor(what: string, check: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await metrics();
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${text}`);
    await Bun.sleep(50);
  }
}

describe("precise prefix routing through llmux up", () => {
  test("a prefix warmed directly on one engine routes there, seen only through its KV events", async () => {
    expect(instances.map((i) => i.id)).toHaveLength(3);
    // Warm each engine with its own topic, in an order unlike the instance order.
    for (const [topic, warmed] of [instances[2]!, instances[0]!, instances[1]!].entries()) {
      const before = sample(await metrics(), `llmux_kvcache_events_total{engine="${warmed.id}"}`);
      await chat(`http://127.0.0.1:${warmed.port}`, topic, false);
      await waitFor(`KV events of ${warmed.id}`, (text) => {
        return sample(text, `llmux_kvcache_events_total{engine="${warmed.id}"}`) > before;
      });
      const routed = await chat(llmux.url, topic, true, { "x-llmux-debug": "1" });
      const explanation = JSON.parse(routed.headers.get("x-llmux-route") ?? "{}") as Explanation;
      expect(routed.headers.get("x-llmux-endpoint")).toBe(warmed.id);
      expect(explanation.winner).toBe(warmed.id);
      for (const instance of instances) {
        const prefixScore = explanation.scores[instance.id]?.["prefix-cache-scorer"] ?? -1;
        if (instance.id === warmed.id) expect(prefixScore).toBeGreaterThan(0.8);
        else expect(prefixScore).toBe(0);
      }
    }
    const text = await metrics();
    for (const instance of instances) {
      expect(sample(text, `llmux_kvcache_event_batches_total{engine="${instance.id}"}`)).toBeGreaterThan(0);
      expect(sample(text, `llmux_kvcache_event_gaps_total{engine="${instance.id}"}`)).toBe(0);
    }
    expect(sample(text, "llmux_kvcache_index_entries")).toBeGreaterThan(100);
    expect(sample(text, "llmux_kvcache_index_bytes")).toBeGreaterThan(0);
    expect(sample(text, 'llmux_kvcache_request_keys_total{outcome="tokenizer"}')).toBeGreaterThanOrEqual(3);
  }, 60_000);

  test("an engine that clears its prefix cache drops its entries from the index", async () => {
    for (const instance of instances) {
      const reset = await fetch(`http://127.0.0.1:${instance.port}/reset_prefix_cache`, { method: "POST" });
      expect(reset.status).toBe(200);
    }
    // AllBlocksCleared drops confirmed and speculative entries alike; nothing is routed meanwhile.
    await waitFor("an empty index", (text) => sample(text, "llmux_kvcache_index_entries") === 0);
    const routed = await chat(llmux.url, 0, true, { "x-llmux-debug": "1" });
    const explanation = JSON.parse(routed.headers.get("x-llmux-route") ?? "{}") as Explanation;
    for (const instance of instances) {
      expect(explanation.scores[instance.id]?.["prefix-cache-scorer"]).toBe(0);
    }
  }, 30_000);
});
