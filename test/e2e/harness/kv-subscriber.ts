// E2E harness: runs test/fixtures/zmq/vllm_stream_subscriber.py (real libzmq, Debian python3-zmq)
// against a publisher and collects the batches it prints.
import { resolve } from "node:path";
import { findPython } from "../../fixtures/hash/python.ts";
import { REPO_ROOT } from "../../helpers/cli-process.ts";

const SCRIPT = resolve(REPO_ROOT, "test/fixtures/zmq/vllm_stream_subscriber.py");

export interface SubscribedEvent {
  readonly type: string;
  readonly block_hashes?: string[];
  readonly parent_block_hash?: string | null;
  readonly token_ids?: number[];
  readonly block_size?: number;
  readonly medium?: string | null;
  readonly lora_name?: string | null;
  readonly extra_keys?: (unknown[] | null)[] | null;
}

export interface SubscriberLine {
  readonly kind: "ready" | "batch" | "gap" | "replay_end" | "error";
  readonly via?: "pub" | "replay";
  readonly seq?: number;
  readonly dp_rank?: number | null;
  readonly events?: SubscribedEvent[];
}

export interface KvSubscriber {
  lines(): SubscriberLine[];
  /** BlockStored events from every batch (PUB and replay), de-duplicated by seq. */
  storedEvents(): SubscribedEvent[];
  waitFor(predicate: (lines: SubscriberLine[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startKvSubscriber(
  pubPort: number,
  replayPort: number,
  topic: string,
): Promise<KvSubscriber> {
  const python = findPython(["zmq", "msgpack"]);
  const child = Bun.spawn(
    [
      python,
      SCRIPT,
      "--endpoint",
      `tcp://127.0.0.1:${pubPort}`,
      "--replay",
      `tcp://127.0.0.1:${replayPort}`,
      "--topic",
      topic,
      "--duration-s",
      "60",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const parsed: SubscriberLine[] = [];
  let stderr = "";
  void (async () => {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) if (part.trim() !== "") parsed.push(JSON.parse(part) as SubscriberLine);
    }
  })();
  void (async () => {
    stderr = await new Response(child.stderr).text();
  })();
  const subscriber: KvSubscriber = {
    lines: () => parsed,
    storedEvents() {
      const bySeq = new Map<number, SubscribedEvent[]>();
      for (const line of parsed) {
        if (line.kind === "batch" && line.seq !== undefined) bySeq.set(line.seq, line.events ?? []);
      }
      return [...bySeq.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([, events]) => events.filter((e) => e.type === "BlockStored"));
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(parsed)) {
        if (Date.now() > deadline) {
          throw new Error(
            `subscriber condition not met; lines: ${JSON.stringify(parsed)}; stderr: ${stderr}`,
          );
        }
        if (child.exitCode !== null) throw new Error(`subscriber exited ${child.exitCode}: ${stderr}`);
        await Bun.sleep(20);
      }
    },
    async stop() {
      child.kill("SIGKILL");
      await child.exited;
    },
  };
  await subscriber.waitFor((lines) => lines.some((l) => l.kind === "ready"));
  return subscriber;
}
