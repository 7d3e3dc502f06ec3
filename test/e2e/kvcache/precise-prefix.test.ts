// End to end: three sim engines (real Qwen3 tokenizer, sha256_cbor, PYTHONHASHSEED=0) publish KV events
// to the subscriptions, which feed the prefix index; a multi-turn chat workload is routed by the index,
// and its predicted cached tokens for the chosen engine must match the engine's cached_tokens.
import { afterAll, expect, test } from "bun:test";
import { createBlockHasher } from "../../../src/kvcache/index.ts";
import { PrefixIndex } from "../../../src/kvcache/prefix-index.ts";
import { computeRequestKeys } from "../../../src/kvcache/request-keys.ts";
import { startKvEventSubscriptions } from "../../../src/kvcache/subscriber/index.ts";
import { EndpointPool } from "../../../src/pool/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";
import { fixtureModelDir, loadFixtureTokenizer } from "../../fixtures/models/index.ts";
import { freePort } from "../../helpers/cli-process.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const BLOCK = 16;
const ENGINES = 3;
const CONVERSATIONS = 12;
const TURNS = 6;
const CONCURRENCY = 4;
const WORDS = "cache engine router prefix token block event replay gateway latency model prompt answer".split(
  " ",
);

const sims: SimProcess[] = [];
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop("SIGKILL")));
});

async function startEngine(index: number): Promise<{ sim: SimProcess; pub: number; replay: number }> {
  const pub = freePort();
  const replay = freePort();
  const config = {
    enable_kv_cache_events: true,
    endpoint: `tcp://*:${pub}`,
    replay_endpoint: `tcp://*:${replay}`,
    topic: `kv@e${index}@e2e-model`,
  };
  const sim = await startSim(
    [
      ...["--sim-profile", "tiny-cpu", "--block-size", String(BLOCK), "--sim-kv-blocks", "256"],
      ...["--tokenizer", fixtureModelDir("qwen3"), "--prefix-caching-hash-algo", "sha256_cbor"],
      ...[
        "--kv-events-config",
        JSON.stringify(config),
        "--enable-prompt-tokens-details",
        "--sim-seed",
        String(index),
      ],
    ],
    { env: { PYTHONHASHSEED: "0" } },
  );
  sims.push(sim);
  return { sim, pub, replay };
}

function sentence(seed: number, words: number): string {
  let text = "";
  let x = seed;
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    text += `${WORDS[x % WORDS.length]} `;
  }
  return text.trim();
}

interface Observation {
  readonly predictedTokens: number;
  readonly cachedTokens: number;
  readonly promptTokens: number;
  readonly enginePromptTokens: number;
}

test("predicted cached tokens match the engines' cached_tokens for >= 95% of multi-turn chat requests", async () => {
  const engines = await Promise.all(Array.from({ length: ENGINES }, (_, i) => startEngine(i)));
  const tokenizer = await loadFixtureTokenizer("qwen3");
  const hasher = await createBlockHasher("sha256_cbor", "0");
  const pool = new EndpointPool({ now: () => Date.now() });
  const index = new PrefixIndex({ hasher, now: () => Date.now() });
  const subscriptions = startKvEventSubscriptions({
    pool,
    index,
    logger: createLogger({ level: "silent", format: "json" }),
    now: () => Date.now(),
  });
  for (const [i, engine] of engines.entries()) {
    pool.upsert({
      id: `e${i}`,
      baseUrl: engine.sim.url,
      models: ["e2e-model"],
      loraAdapters: [],
      role: "both",
      labels: {},
      kvEvents: {
        endpoint: `tcp://127.0.0.1:${engine.pub}`,
        replayEndpoint: `tcp://127.0.0.1:${engine.replay}`,
        topic: `kv@e${i}@e2e-model`,
      },
      source: "static",
    });
  }
  const ids = engines.map((_, i) => `e${i}`);
  const inFlight = new Map(ids.map((id) => [id, 0]));
  const observations: Observation[] = [];
  let roundRobin = 0;

  async function turn(messages: { role: string; content: string }[]): Promise<string> {
    const keys = await computeRequestKeys(
      { kind: "chat", body: { messages }, loraName: null },
      { hasher, blockSize: BLOCK, tokenizer, timeoutMs: 5000 },
    );
    if (!keys.isOk) throw new Error(keys.detail);
    const matches = index.matchLengths(keys.value.keys, ids);
    // Longest match wins; ties go to the engine with fewer requests in flight, then round robin.
    const order = ids.map((id, i) => ({ id, i: (i + roundRobin++) % ids.length }));
    order.sort(
      (a, b) =>
        (matches.get(b.id)?.matchedBlocks ?? 0) - (matches.get(a.id)?.matchedBlocks ?? 0) ||
        (inFlight.get(a.id) ?? 0) - (inFlight.get(b.id) ?? 0) ||
        a.i - b.i,
    );
    const chosen = order[0]!.id;
    const predictedTokens = (matches.get(chosen)?.matchedBlocks ?? 0) * BLOCK;
    index.insertSpeculative(chosen, keys.value.keys);
    inFlight.set(chosen, (inFlight.get(chosen) ?? 0) + 1);
    const sim = engines[ids.indexOf(chosen)]!.sim;
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "e2e-model", messages, max_tokens: 24, ignore_eos: true }),
    });
    inFlight.set(chosen, (inFlight.get(chosen) ?? 1) - 1);
    const reply = (await response.json()) as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; prompt_tokens_details?: { cached_tokens?: number } | null };
    };
    observations.push({
      predictedTokens,
      cachedTokens: reply.usage.prompt_tokens_details?.cached_tokens ?? 0,
      promptTokens: keys.value.promptTokens,
      enginePromptTokens: reply.usage.prompt_tokens,
    });
    return reply.choices[0]!.message.content;
  }

  async function conversation(c: number): Promise<void> {
    const system = `You are assistant number ${c % 3}. ${sentence(c % 3, 220)}`;
    const messages = [{ role: "system", content: system }];
    for (let t = 0; t < TURNS; t++) {
      messages.push({ role: "user", content: `Question ${t}: ${sentence(c * 100 + t, 40)}` });
      messages.push({ role: "assistant", content: await turn(messages) });
      await Bun.sleep(30);
    }
  }

  await Bun.sleep(200);
  const queue = Array.from({ length: CONVERSATIONS }, (_, c) => c);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) await conversation(c);
    }),
  );
  await subscriptions.stop();

  expect(observations.length).toBe(CONVERSATIONS * TURNS);
  for (const o of observations) expect(o.promptTokens).toBe(o.enginePromptTokens);
  const withinOneBlock = observations.filter((o) => Math.abs(o.predictedTokens - o.cachedTokens) <= BLOCK);
  const hits = observations.filter((o) => o.cachedTokens > 0).length;
  const ratio = withinOneBlock.length / observations.length;
  if (ratio < 0.95) {
    const misses = observations.filter((o) => !withinOneBlock.includes(o));
    throw new Error(`only ${(ratio * 100).toFixed(1)}% within one block; misses: ${JSON.stringify(misses)}`);
  }
  // The workload reuses prefixes: most requests must actually hit the cache for this to mean anything.
  expect(hits).toBeGreaterThan(observations.length / 2);
}, 120_000);
