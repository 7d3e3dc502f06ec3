// A sim process publishes KV events that a real libzmq subscriber decodes to exactly the blocks the
// sim stored, with vLLM's hashes (§2.7 vectors, cache_salt, LoRA), in both layouts, with gap replay.
import { afterAll, describe, expect, test } from "bun:test";
import {
  type BlockHashContext,
  createBlockHasher,
  hashBlockChain,
  toWireInt,
} from "../../../src/kvcache/index.ts";
import { freePort } from "../../helpers/cli-process.ts";
import { type SubscribedEvent, startKvSubscriber } from "../harness/kv-subscriber.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const TOPIC = "kv@e2e-0@e2e-model";
const PROMPT = Array.from({ length: 40 }, (_, i) => i + 1); // 2 full blocks of 16 + 8 tokens

const running: SimProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((sim) => sim.stop("SIGKILL")));
});

async function startPublishingSim(
  extra: readonly string[],
): Promise<{ sim: SimProcess; pub: number; replay: number }> {
  const pub = freePort();
  const replay = freePort();
  const config = {
    enable_kv_cache_events: true,
    publisher: "zmq",
    endpoint: `tcp://*:${pub}`,
    replay_endpoint: `tcp://*:${replay}`,
    topic: TOPIC,
  };
  const sim = await startSim(
    [
      "--sim-profile",
      "tiny-cpu",
      "--block-size",
      "16",
      "--prefix-caching-hash-algo",
      "sha256_cbor",
      "--kv-events-config",
      JSON.stringify(config),
      "--enable-lora",
      "--lora-modules",
      "sql-lora=/models/sql-lora",
      ...extra,
    ],
    { env: { PYTHONHASHSEED: "0" } },
  );
  running.push(sim);
  return { sim, pub, replay };
}

async function complete(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "e2e-model", max_tokens: 1, ignore_eos: true, ...body }),
  });
  expect(response.status).toBe(200);
  await response.json();
}

async function expectedHashes(context: BlockHashContext): Promise<string[]> {
  const hasher = await createBlockHasher("sha256_cbor", "0");
  return hashBlockChain(hasher, PROMPT, 16, context).map((digest) => toWireInt(digest).toString());
}

/** Flattens BlockStored events into (hash, tokens of that block, extra keys, lora name) records. */
function storedBlocks(events: SubscribedEvent[]) {
  return events.flatMap((event) =>
    (event.block_hashes ?? []).map((hash, i) => ({
      hash,
      tokens: (event.token_ids ?? []).slice(i * 16, (i + 1) * 16),
      extraKeys: event.extra_keys?.[i] ?? null,
      loraName: event.lora_name ?? null,
      medium: event.medium,
    })),
  );
}

describe.each(["map", "array"] as const)("KV events from a sim process (%s layout)", (layout) => {
  test("a real libzmq subscriber decodes exactly the blocks the sim stored, with vLLM's hashes", async () => {
    const { sim, pub, replay } = await startPublishingSim(["--sim-kv-events-layout", layout]);
    const subscriber = await startKvSubscriber(pub, replay, "kv@e2e");
    try {
      await complete(sim.url, { prompt: PROMPT });
      await complete(sim.url, { prompt: PROMPT, cache_salt: "tenant-a" });
      await complete(sim.url, { prompt: PROMPT, model: "sql-lora" });
      const plain = await expectedHashes({});
      const salted = await expectedHashes({ cacheSalt: "tenant-a" });
      const lora = await expectedHashes({ loraName: "sql-lora" });
      // vllm-interfaces.md §2.7: tokens 1..16 and 17..32 under sha256_cbor with PYTHONHASHSEED=0.
      expect(plain).toEqual(["3236607068019569386", "2758186210834249151"]);
      expect(new Set([...plain, ...salted, ...lora]).size).toBe(6);
      await subscriber.waitFor(() => storedBlocks(subscriber.storedEvents()).length >= 6);

      const blocks = storedBlocks(subscriber.storedEvents());
      expect(blocks.map((b) => b.hash)).toEqual([...plain, ...salted, ...lora]);
      const firstBlock = PROMPT.slice(0, 16);
      const secondBlock = PROMPT.slice(16, 32);
      expect(blocks.map((b) => b.tokens)).toEqual([
        firstBlock,
        secondBlock,
        firstBlock,
        secondBlock,
        firstBlock,
        secondBlock,
      ]);
      expect(blocks.map((b) => b.extraKeys)).toEqual([
        null,
        null,
        ["tenant-a"],
        null,
        ["sql-lora"],
        ["sql-lora"],
      ]);
      expect(blocks.map((b) => b.loraName)).toEqual([null, null, null, null, "sql-lora", "sql-lora"]);
      expect(new Set(blocks.map((b) => b.medium))).toEqual(new Set(["GPU"]));
      const batches = subscriber.lines().filter((l) => l.kind === "batch");
      expect(batches.every((b) => b.dp_rank === 0)).toBe(true);
    } finally {
      await subscriber.stop();
    }
  });
});

describe("KV event gaps", () => {
  test("a subscriber that misses batches recovers them from the replay socket", async () => {
    const { sim, pub, replay } = await startPublishingSim(["--sim-kv-events-gap-every", "2"]);
    const subscriber = await startKvSubscriber(pub, replay, "kv@e2e");
    try {
      const prompts = Array.from({ length: 5 }, (_, r) =>
        Array.from({ length: 16 }, (_, i) => 1000 * (r + 1) + i),
      );
      for (const prompt of prompts) await complete(sim.url, { prompt: [...prompt, 7] });
      const hasher = await createBlockHasher("sha256_cbor", "0");
      const expected = prompts.map((p) =>
        toWireInt(hashBlockChain(hasher, p, 16, {})[0] as Uint8Array).toString(),
      );
      await subscriber.waitFor(() => {
        const got = new Set(storedBlocks(subscriber.storedEvents()).map((b) => b.hash));
        return expected.slice(0, 4).every((h) => got.has(h));
      });
      const lines = subscriber.lines();
      expect(lines.filter((l) => l.kind === "gap").length).toBeGreaterThan(0);
      expect(lines.some((l) => l.kind === "batch" && l.via === "replay")).toBe(true);
      expect(lines.some((l) => l.kind === "replay_end")).toBe(true);
      const seqs = new Set(lines.filter((l) => l.kind === "batch").map((l) => l.seq));
      const maxSeq = Math.max(...[...seqs].map((s) => s ?? 0));
      for (let seq = 0; seq < maxSeq; seq++) expect(seqs.has(seq)).toBe(true);
    } finally {
      await subscriber.stop();
    }
  });
});
