// A prefill engine for pd tests (Bun.serve on port 0): answers like vLLM's NixlConnector prefill side,
// or with a scripted status, delay or body, and records what it was sent.
import { freePort } from "../helpers/cli-process.ts";

export interface FakePrefillEngine {
  readonly url: string;
  readonly bodies: Record<string, unknown>[];
  readonly requestIds: (string | null)[];
  /** Requests whose connection the client closed before the answer. */
  readonly aborted: number;
  stop(): void;
}

export interface FakePrefillOptions {
  readonly status?: number;
  readonly delayMs?: number;
  /** The whole JSON answer; default: a chat completion with usage and kv_transfer_params. */
  readonly answer?: unknown;
}

export const HELD_PARAMS = {
  do_remote_prefill: true,
  do_remote_decode: false,
  remote_block_ids: [[4, 5, 6]],
  remote_engine_id: "engine-p",
  remote_request_id: "req-p",
  remote_host: "127.0.0.1",
  remote_port: 5600,
  tp_size: 1,
  remote_num_tokens: 40,
};

export const PREFILL_USAGE = {
  prompt_tokens: 40,
  completion_tokens: 1,
  prompt_tokens_details: { cached_tokens: 16 },
};

export function startFakePrefill(options: FakePrefillOptions = {}): FakePrefillEngine {
  const bodies: Record<string, unknown>[] = [];
  const requestIds: (string | null)[] = [];
  let aborted = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      bodies.push((await request.json()) as Record<string, unknown>);
      requestIds.push(request.headers.get("x-request-id"));
      if (options.delayMs !== undefined) {
        const isAborted = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), options.delayMs);
          request.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (isAborted) {
          aborted++;
          return new Response(null, { status: 499 });
        }
      }
      const status = options.status ?? 200;
      if (status !== 200) return Response.json({ error: { message: `status ${status}` } }, { status });
      return Response.json(
        options.answer ?? {
          id: "chatcmpl-1",
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: "x" }, finish_reason: "length" }],
          usage: PREFILL_USAGE,
          kv_transfer_params: HELD_PARAMS,
        },
      );
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    bodies,
    requestIds,
    get aborted() {
      return aborted;
    },
    stop: () => server.stop(true),
  };
}

/** A URL nothing listens on (connect refused). */
export function deadUrl(): string {
  return `http://127.0.0.1:${freePort()}`;
}
