// Runs test/fixtures/zmq/vllm_publisher.py (real libzmq PUB + replay ROUTER, vLLM payloads) and drives it
// over stdin, one JSON command per line, waiting for each acknowledgement.
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { findPython } from "../../fixtures/hash/python.ts";
import { REPO_ROOT } from "../../helpers/cli-process.ts";
import { BLOCK, type Chain } from "../prefix-index/events.ts";

const SCRIPT = resolve(REPO_ROOT, "test/fixtures/zmq/vllm_publisher.py");

export interface PublisherOptions {
  readonly layout?: "array" | "map";
  readonly replayLayout?: "v0.26" | "legacy";
  readonly topic?: string;
  readonly pubPort?: number;
  readonly replayPort?: number;
  readonly dpRank?: number;
}

export interface EventJson {
  readonly type: "BlockStored" | "BlockRemoved" | "AllBlocksCleared";
  readonly [field: string]: unknown;
}

export interface PythonPublisher {
  /** Rank-0 style endpoints as a descriptor would name them (ports already offset for --dp-rank). */
  readonly pubEndpoint: string;
  readonly replayEndpoint: string;
  publish(events: EventJson[], drop?: boolean): Promise<number>;
  garbage(): Promise<number>;
  /** Closes and rebinds the sockets with seq and buffer back at 0, as a restarted engine. */
  restart(): Promise<number>;
  /** seq and buffer back at 0 on the same connections. */
  reseq(): Promise<number>;
  stop(): Promise<void>;
}

/** BlockStored JSON of blocks [from, to) of `chain`. */
export function storedJson(chain: Chain, from = 0, to = chain.keys.length): EventJson {
  return {
    type: "BlockStored",
    block_hashes: chain.keys.slice(from, to).map(String),
    parent: from === 0 ? null : String(chain.keys[from - 1]),
    token_ids: chain.tokens.slice(from * BLOCK, to * BLOCK),
    block_size: BLOCK,
    extra_keys: Array.from({ length: to - from }, () => null),
  };
}

export async function startPublisher(options: PublisherOptions = {}): Promise<PythonPublisher> {
  const python = findPython(["zmq", "msgpack"]);
  const args = [
    SCRIPT,
    "--layout",
    options.layout ?? "map",
    "--replay-layout",
    options.replayLayout ?? "v0.26",
  ];
  if (options.topic !== undefined) args.push("--topic", options.topic);
  if (options.pubPort !== undefined) args.push("--pub-port", String(options.pubPort));
  if (options.replayPort !== undefined) args.push("--replay-port", String(options.replayPort));
  if (options.dpRank !== undefined) args.push("--dp-rank", String(options.dpRank));
  const child: Subprocess<"pipe", "pipe", "pipe"> = Bun.spawn([python, ...args], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const replies = lineReader(child.stdout);
  const first = JSON.parse(await replies.next()) as { ports: [number, number] };
  const [pub, replay] = first.ports;
  async function command(body: Record<string, unknown>): Promise<number> {
    child.stdin.write(`${JSON.stringify(body)}\n`);
    await child.stdin.flush();
    const ack = JSON.parse(await replies.next()) as { ok: string; seq: number };
    return ack.seq;
  }
  return {
    pubEndpoint: `tcp://127.0.0.1:${pub}`,
    replayEndpoint: `tcp://127.0.0.1:${replay}`,
    publish: (events, drop = false) => command({ cmd: "publish", events, drop }),
    garbage: () => command({ cmd: "garbage" }),
    restart: () => command({ cmd: "restart" }),
    reseq: () => command({ cmd: "reseq" }),
    async stop() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

function lineReader(stream: ReadableStream<Uint8Array>): { next(): Promise<string> } {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    async next() {
      for (;;) {
        const newline = buffered.indexOf("\n");
        if (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          return line;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`publisher exited; pending output: ${buffered}`);
        buffered += decoder.decode(value, { stream: true });
      }
    },
  };
}

/** Polls `predicate` every 10 ms until true; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met: ${describe()}`);
    await Bun.sleep(10);
  }
}
