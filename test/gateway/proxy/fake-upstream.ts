// Test fixture: tiny fake engines on port 0 — an HTTP one whose handler the test writes, and a raw
// TCP one that can cut a chunked SSE response mid-event the way a dying engine does.
import type { Socket, TCPSocketListener } from "bun";
import type { UpstreamTarget } from "../../../src/gateway/proxy/types.ts";

export interface FakeUpstream {
  readonly url: string;
  target(endpointId: string): UpstreamTarget;
  /** Requests received so far, with their parsed bodies and headers. */
  readonly received: { readonly body: Record<string, unknown>; readonly headers: Headers }[];
  stop(): Promise<void>;
}

export type FakeHandler = (request: Request, body: Record<string, unknown>) => Response | Promise<Response>;

export function startFakeUpstream(handler: FakeHandler): FakeUpstream {
  const received: { body: Record<string, unknown>; headers: Headers }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(request) {
      const body = (await request.json()) as Record<string, unknown>;
      received.push({ body, headers: request.headers });
      return handler(request, body);
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    target: (endpointId) => ({ endpointId, baseUrl: url }),
    received,
    async stop() {
      await server.stop(true);
    },
  };
}

export const chatRole = () => sse({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] });
export const chatToken = (text: string) => sse({ choices: [{ index: 0, delta: { content: text } }] });
export const chatFinish = () => sse({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] });
export const usageChunk = (prompt: number, completion: number) =>
  sse({
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
export const DONE = "data: [DONE]\n\n";

export function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

export interface SseStreamOptions {
  /** Awaited before each event is written (delays, gates). */
  readonly beforeEvent?: (index: number) => Promise<void>;
  /** Called when the consumer (the proxy) cancels the body. */
  readonly onCancel?: () => void;
}

/** An SSE response writing `events` one per pull. */
export function sseResponse(events: readonly string[], options: SseStreamOptions = {}): Response {
  const encoder = new TextEncoder();
  let index = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (index >= events.length) {
          controller.close();
          return;
        }
        await options.beforeEvent?.(index);
        controller.enqueue(encoder.encode(events[index] as string));
        index++;
      },
      cancel() {
        options.onCancel?.();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

export interface RawUpstream {
  readonly url: string;
  target(endpointId: string): UpstreamTarget;
  stop(): void;
}

/** Raw HTTP/1.1 over TCP: once a request arrives, `script` writes whatever it wants, then the socket closes. */
export function startRawUpstream(script: (write: (text: string) => void) => Promise<void>): RawUpstream {
  const answered = new WeakSet<Socket<undefined>>();
  const listener: TCPSocketListener<undefined> = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket: Socket<undefined>) {
        // One response per connection; later data (the rest of the body) is ignored.
        if (answered.has(socket)) return;
        answered.add(socket);
        void script((text) => socket.write(text)).then(function closeAbruptly() {
          socket.terminate();
        });
      },
    },
  });
  const url = `http://127.0.0.1:${listener.port}`;
  return { url, target: (endpointId) => ({ endpointId, baseUrl: url }), stop: () => listener.stop(true) };
}

/** Headers of a chunked SSE response, then each event as one HTTP chunk. */
export const RAW_SSE_HEADERS =
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";

export function httpChunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}
