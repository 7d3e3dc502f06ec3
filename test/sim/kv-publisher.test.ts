// The sim's KV-event publisher against a real libzmq consumer (python3-zmq + python3-msgpack): PUB frames,
// both event layouts, seq numbering, DP offsets, and gap recovery over the replay ROUTER (both layouts).
import { afterEach, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import type { KvEvent, KvEventsLayout } from "../../src/kvcache/events/types.ts";
import { connectDealer, type ZmqDealer } from "../../src/kvcache/zmq/index.ts";
import { parseKvEventsConfig } from "../../src/sim/kv-events-config.ts";
import {
  type KvEventPublisher,
  type KvReplayLayout,
  startKvEventPublisher,
} from "../../src/sim/kv-publisher.ts";
import { freePort } from "../helpers/cli-process.ts";

const SUBSCRIBER_PY = resolve(import.meta.dir, "../fixtures/zmq/vllm_subscriber.py");
const TOPIC = "kv@sim-a@Qwen/Qwen3-0.6B";
// The kthena #1535 hash (≥ 2^63), the largest uint64 and 2^63 itself: all lose bits as JS numbers.
const HASH_A = 15760518052499183552n;
const HASH_B = 2n ** 64n - 1n;
const HASH_C = 2n ** 63n;

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

function stored(hashes: bigint[], parent: bigint | null, groupIdx: number): KvEvent {
  return {
    type: "BlockStored",
    blockHashes: hashes,
    parentBlockHash: parent,
    tokenIds: Array.from({ length: hashes.length * 4 }, (_, i) => 1000 + i),
    blockSize: 4,
    loraId: null,
    medium: "GPU",
    loraName: null,
    extraKeys: null,
    groupIdx,
    kvCacheSpecKind: "full_attention",
    kvCacheSpecSlidingWindow: null,
  };
}

/** Six steps: seq 0..5. Steps 3 and 4 are dropped on PUB in the gap scenario. */
const STEPS: KvEvent[][] = [
  [stored([HASH_A, HASH_B], null, 0)],
  [{ type: "BlockRemoved", blockHashes: [HASH_A], medium: "GPU", groupIdx: 0 }],
  [{ type: "AllBlocksCleared" }],
  [stored([HASH_C], HASH_B, 0)],
  [
    stored([HASH_C + 1n], HASH_C, 1),
    { type: "BlockRemoved", blockHashes: [HASH_B], medium: "GPU", groupIdx: 1 },
  ],
  [stored([7n], null, 0)],
];

/** What the python consumer prints for an event (hashes as decimal strings). */
function expectedJson(event: KvEvent): Record<string, unknown> {
  if (event.type === "AllBlocksCleared") return { type: event.type };
  const common = { type: event.type, block_hashes: event.blockHashes.map(String), medium: event.medium };
  if (event.type === "BlockRemoved") return { ...common, group_idx: event.groupIdx };
  return {
    ...common,
    parent_block_hash: event.parentBlockHash === null ? null : String(event.parentBlockHash),
    token_ids: [...event.tokenIds],
    block_size: event.blockSize,
    group_idx: event.groupIdx,
    kv_cache_spec_kind: event.kvCacheSpecKind,
  };
}

function findPython(): string {
  for (const candidate of [process.env.LLMUX_TEST_PYTHON, "/usr/bin/python3", "python3"]) {
    if (candidate === undefined) continue;
    const probe = Bun.spawnSync([candidate, "-c", "import zmq, msgpack"], { stderr: "pipe" });
    if (probe.exitCode === 0) return candidate;
  }
  throw new Error("no python3 with zmq and msgpack: apt-get install -y python3-zmq python3-msgpack");
}

type Line = Record<string, unknown>;

/** Runs vllm_subscriber.py and exposes its JSON lines as they arrive. */
function startSubscriber(args: string[]) {
  const child = Bun.spawn([findPython(), SUBSCRIBER_PY, ...args], { stdout: "pipe", stderr: "pipe" });
  const lines: Line[] = [];
  const reading = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) if (part !== "") lines.push(JSON.parse(part) as Line);
    }
  })();
  open.push({ close: async () => child.kill() });
  return {
    lines,
    async waitFor(kind: string, timeoutMs = 10_000): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (!lines.some((line) => line.kind === kind)) {
        if (performance.now() > deadline) throw new Error(`no "${kind}" line; got ${JSON.stringify(lines)}`);
        await Bun.sleep(10);
      }
    },
    async finish(): Promise<{ exitCode: number; stderr: string }> {
      const [exitCode, stderr] = await Promise.all([
        child.exited,
        new Response(child.stderr).text(),
        reading,
      ]);
      return { exitCode, stderr };
    },
  };
}

async function waitForSubscriber(publisher: KvEventPublisher): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (publisher.subscriberCount < 1) {
    if (performance.now() > deadline) throw new Error("the subscriber never connected");
    await Bun.sleep(10);
  }
  // The SUBSCRIBE message follows the handshake; give it time to reach the PUB (slow-joiner).
  await Bun.sleep(150);
}

/** A config whose base ports, offset by `rank`, land on ports that were free a moment ago. */
function configAtRank(rank: number, bufferSteps = 100) {
  const json = JSON.stringify({
    enable_kv_cache_events: true,
    endpoint: `tcp://*:${freePort() - rank}`,
    replay_endpoint: `tcp://*:${freePort() - rank}`,
    buffer_steps: bufferSteps,
    topic: TOPIC,
  });
  return parseKvEventsConfig(json, []);
}

function portOf(endpoint: string): string {
  return endpoint.slice(endpoint.lastIndexOf(":") + 1);
}

describe("KV event publisher with a libzmq subscriber", () => {
  test.each([
    ["array", "v0.26"],
    ["map", "v0.26"],
    ["array", "legacy"],
    ["map", "legacy"],
  ] as const)("%s events; a PUB gap is recovered by a %s replay", async (layout, replayLayout) => {
    const rank = 2;
    const config = configAtRank(rank);
    const publisher = await start(config, rank, layout, replayLayout);
    expect(portOf(publisher.endpoint)).toBe(String(Number(portOf(config.endpoint)) + rank));
    const subscriber = startSubscriber([
      `--endpoint=tcp://127.0.0.1:${portOf(publisher.endpoint)}`,
      `--replay=tcp://127.0.0.1:${portOf(publisher.replayEndpoint ?? "")}`,
      "--topic=kv@sim-a@",
      "--until-seq=5",
    ]);
    await subscriber.waitFor("ready");
    await waitForSubscriber(publisher);
    STEPS.forEach((events, step) => {
      if (step === 3) publisher.dropNext(2);
      publisher.publish(events, 1_789_095_808.5 + step);
    });
    const { exitCode, stderr } = await subscriber.finish();
    expect(stderr).toBe("");
    expect(exitCode).toBe(0);
    expect(publisher.nextSeq).toBe(6n);

    const batches = subscriber.lines.filter((line) => line.kind === "batch");
    const viaPub = batches.filter((line) => line.via === "pub");
    const viaReplay = batches.filter((line) => line.via === "replay");
    expect(viaPub.map((line) => line.seq)).toEqual([0, 1, 2, 5]);
    expect(subscriber.lines.find((line) => line.kind === "gap")).toEqual({
      kind: "gap",
      expected: 3,
      got: 5,
    });
    expect(viaReplay.map((line) => line.seq)).toEqual([3, 4, 5]);
    for (const batch of batches) {
      const seq = batch.seq as number;
      expect(batch.events).toMatchObject(STEPS[seq]?.map(expectedJson) ?? []);
      expect(batch.layout).toBe(layout);
      expect(batch.dp_rank).toBe(rank);
      expect(batch.ts).toBe(1_789_095_808.5 + seq);
    }
    expect(viaPub.every((line) => line.topic === TOPIC)).toBe(true);
    expect(viaReplay.every((line) => line.replay_layout === replayLayout)).toBe(true);
    expect(viaReplay.every((line) => line.topic === (replayLayout === "v0.26" ? TOPIC : null))).toBe(true);
    const end = subscriber.lines.find((line) => line.kind === "replay_end");
    expect(end).toMatchObject({ layout: replayLayout, seq_hex: "ffffffffffffffff" });
  });
});

describe("KV event publisher", () => {
  test("is null when events are disabled or the publisher is null", async () => {
    const layout = "map" as const;
    const disabled = parseKvEventsConfig(undefined, []);
    expect(await startKvEventPublisher({ config: disabled, dataParallelRank: 0, layout })).toBeNull();
    const nullPublisher = parseKvEventsConfig('{"enable_kv_cache_events":true,"publisher":"null"}', []);
    expect(await startKvEventPublisher({ config: nullPublisher, dataParallelRank: 0, layout })).toBeNull();
  });

  test("refuses an endpoint vLLM would connect rather than bind", async () => {
    const config = parseKvEventsConfig(
      '{"enable_kv_cache_events":true,"endpoint":"tcp://127.0.0.1:5557"}',
      [],
    );
    await expect(startKvEventPublisher({ config, dataParallelRank: 0, layout: "map" })).rejects.toThrow(
      "llmux sim only binds",
    );
  });

  test("replays only what the buffer still holds and ignores malformed requests", async () => {
    const errors: Error[] = [];
    const config = configAtRank(0, 2);
    const publisher = await start(config, 0, "map", "v0.26", (error) => errors.push(error));
    for (const events of STEPS.slice(0, 3)) publisher.publish(events, 1);
    const dealer = track(connectDealer(`tcp://127.0.0.1:${portOf(publisher.replayEndpoint ?? "")}`));
    const replies: (readonly Uint8Array[])[] = [];
    dealer.onMessage((message) => replies.push(message));
    dealer.send([new Uint8Array(0), new Uint8Array(8), new Uint8Array([1])]);
    dealer.send([new Uint8Array(0), new Uint8Array(8)]);
    const deadline = performance.now() + 5000;
    while (replies.length < 3 && performance.now() < deadline) await Bun.sleep(10);
    const seqs = replies.map((frames) => Buffer.from(frames[2] ?? new Uint8Array()).toString("hex"));
    expect(seqs).toEqual(["0000000000000001", "0000000000000002", "ffffffffffffffff"]);
    expect(replies[2]?.map((frame) => frame.length)).toEqual([0, 0, 8, 0]);
    expect(errors.map((error) => error.message)).toEqual([
      "kv-events replay: ignored a request of 4 frames (expected 3)",
    ]);
  });

  test("dropNext rejects a negative count", async () => {
    const publisher = await start(configAtRank(0), 0, "array", "v0.26");
    expect(() => publisher.dropNext(-1)).toThrow(RangeError);
  });

  test("an empty step publishes nothing and consumes no seq", async () => {
    const publisher = await start(configAtRank(0), 0, "array", "v0.26");
    publisher.publish([], 1);
    expect(publisher.nextSeq).toBe(0n);
    publisher.publish(STEPS[2] ?? [], 1);
    expect(publisher.nextSeq).toBe(1n);
  });
});

function track<T extends ZmqDealer>(dealer: T): T {
  open.push(dealer);
  return dealer;
}

async function start(
  config: ReturnType<typeof parseKvEventsConfig>,
  rank: number,
  layout: KvEventsLayout,
  replayLayout: KvReplayLayout,
  onError?: (error: Error) => void,
): Promise<KvEventPublisher> {
  const options = { config, dataParallelRank: rank, layout, replayLayout, ...(onError ? { onError } : {}) };
  const publisher = await startKvEventPublisher(options);
  if (publisher === null) throw new Error("publisher unexpectedly disabled");
  open.push(publisher);
  return publisher;
}
