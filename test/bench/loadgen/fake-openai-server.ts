// An in-process OpenAI-compatible streaming server for load-generator tests: each completion streams
// `max_tokens` chunks `gapMs` apart after `firstTokenMs`, then a usage chunk; it records what it got.
export interface FakeServer {
  readonly url: string;
  readonly bodies: Record<string, unknown>[];
  readonly headers: Headers[];
  /** Most requests in flight at once. */
  readonly peakInFlight: () => number;
  stop(): Promise<void>;
}

export interface FakeServerOptions {
  readonly firstTokenMs: number;
  readonly gapMs: number;
  readonly cachedTokens?: number;
  readonly status?: number;
}

export function startFakeServer(options: FakeServerOptions): FakeServer {
  const bodies: Record<string, unknown>[] = [];
  const headers: Headers[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/v1/models") return Response.json({ object: "list", data: [{ id: "fake-model" }] });
      if (options.status !== undefined) return new Response("engine on fire", { status: options.status });
      const body = (await request.json()) as Record<string, unknown>;
      bodies.push(body);
      headers.push(request.headers);
      const tokens = Number(body.max_tokens);
      const prompt = Array.isArray(body.prompt) ? body.prompt.length : 10;
      const isChat = path.endsWith("/chat/completions");
      inFlight++;
      peak = Math.max(peak, inFlight);
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (payload: unknown) =>
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(payload)}\n\n`));
          await Bun.sleep(options.firstTokenMs);
          for (let i = 0; i < tokens; i++) {
            if (i > 0) await Bun.sleep(options.gapMs);
            send({
              choices: [isChat ? { index: 0, delta: { content: `t${i}` } } : { index: 0, text: `t${i}` }],
            });
          }
          send({
            choices: [],
            usage: {
              prompt_tokens: prompt,
              completion_tokens: tokens,
              total_tokens: prompt + tokens,
              prompt_tokens_details:
                options.cachedTokens === undefined ? null : { cached_tokens: options.cachedTokens },
            },
          });
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
          inFlight--;
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    bodies,
    headers,
    peakInFlight: () => peak,
    stop: () => server.stop(true),
  };
}
