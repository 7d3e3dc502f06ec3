import { afterAll, describe, expect, test } from "bun:test";
import { closedLoopThroughput, sequentialLatencies } from "../../../src/bench/overhead/probe.ts";

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    if (new URL(request.url).pathname === "/fail") return new Response("no", { status: 503 });
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode("data: first\n\n"));
        await Bun.sleep(20);
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  },
});
afterAll(() => server.stop(true));
const base = `http://127.0.0.1:${server.port}`;

describe("overhead probes", () => {
  test("time the first body chunk and the end of the response separately", async () => {
    const samples = await sequentialLatencies(`${base}/ok`, "{}", 3);
    expect(samples.firstByteMs).toHaveLength(3);
    expect(samples.completeMs).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      // The server waits 20 ms between chunks; a busy client may read the first chunk late, which
      // shrinks the measured gap, so only a clear separation is asserted.
      expect(samples.completeMs[i]! - samples.firstByteMs[i]!).toBeGreaterThanOrEqual(5);
    }
  });

  test("a non-200 answer fails the measurement with its status", async () => {
    await expect(sequentialLatencies(`${base}/fail`, "{}", 1)).rejects.toThrow("HTTP 503");
    await expect(closedLoopThroughput(`${base}/fail`, "{}", 2, 100)).rejects.toThrow("HTTP 503");
  });

  test("the closed-loop rate is bounded by concurrency over the response time", async () => {
    // 4 clients, ≥ 20 ms per response: at most 200 requests/s, and well above zero.
    const rate = await closedLoopThroughput(`${base}/ok`, "{}", 4, 300);
    expect(rate).toBeGreaterThan(20);
    expect(rate).toBeLessThanOrEqual(200);
  });
});
