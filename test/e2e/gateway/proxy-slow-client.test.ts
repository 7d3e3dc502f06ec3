// A client reading at ~10 KB/s from an engine that could send 256 MiB as fast as it likes: the proxy
// (its own process) reads upstream only as the client drains, so what the engine manages to send
// plateaus at the relay buffer plus socket buffers, and the proxy's memory stays flat.
import { afterAll, describe, expect, test } from "bun:test";
import { startFakeUpstream } from "../../gateway/proxy/fake-upstream.ts";
import { type ProxyProcess, startProxyProcess } from "../harness/proxy-process.ts";

const MAX_BUFFERED_BYTES = 256 * 1024;
const UPSTREAM_TOTAL_BYTES = 256 * 1024 * 1024;
const CLIENT_BYTES_PER_S = 10 * 1024;
const EVENT = new TextEncoder().encode(
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "x".repeat(1000) } }] })}\n\n`,
);

let producedBytes = 0;
let isUpstreamCancelled = false;
const upstream = startFakeUpstream(
  () =>
    new Response(
      new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (producedBytes >= UPSTREAM_TOTAL_BYTES) {
              controller.close();
              return;
            }
            producedBytes += EVENT.byteLength;
            controller.enqueue(EVENT);
          },
          cancel() {
            isUpstreamCancelled = true;
          },
        },
        { highWaterMark: 0 },
      ),
      { headers: { "content-type": "text/event-stream" } },
    ),
);
let proxy: ProxyProcess | null = null;
afterAll(async () => {
  await proxy?.stop();
  await upstream.stop();
});

/** A raw-socket client that pauses the socket (real TCP backpressure) to hold ~bytesPerS on average. */
async function slowClient(port: number, bytesPerS: number) {
  let consumedBytes = 0;
  const started = performance.now();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(connection, data) {
        consumedBytes += data.byteLength;
        connection.pause();
      },
    },
  });
  const body = JSON.stringify({ model: "m", stream: true });
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: proxy\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
  const pacer = setInterval(function readWithinBudget() {
    if (consumedBytes < ((performance.now() - started) / 1000) * bytesPerS) socket.resume();
  }, 50);
  return {
    consumedBytes: () => consumedBytes,
    close() {
      clearInterval(pacer);
      socket.terminate();
    },
  };
}

describe("proxy with a slow client", () => {
  test("upstream reading stops at the buffer bound and proxy memory stays flat", async () => {
    proxy = await startProxyProcess([upstream.target("fast")], { maxBufferedBytes: MAX_BUFFERED_BYTES });
    const rssBeforeBytes = (await proxy.stats()).rssBytes;
    const client = await slowClient(Number(new URL(proxy.url).port), CLIENT_BYTES_PER_S);
    await Bun.sleep(2000);
    const producedAt2sBytes = producedBytes;
    const rssAt2sBytes = (await proxy.stats()).rssBytes;
    await Bun.sleep(2000);
    const producedAt4sBytes = producedBytes;
    const rssAfterBytes = (await proxy.stats()).rssBytes;
    const consumedBytes = client.consumedBytes();
    client.close();
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
    process.stderr.write(
      `slow client: upstream produced ${mib(producedAt2sBytes)} MiB at 2 s, ${mib(producedAt4sBytes)} MiB at 4 s of ${mib(UPSTREAM_TOTAL_BYTES)} MiB; client read ${(consumedBytes / 1024).toFixed(0)} KiB; proxy RSS ${mib(rssBeforeBytes)} idle → ${mib(rssAt2sBytes)} at 2 s → ${mib(rssAfterBytes)} MiB at 4 s\n`,
    );
    // Loopback socket buffers (tcp_rmem/tcp_wmem autotuning) hold most of what was produced;
    // the proxy itself holds at most maxBufferedBytes plus fetch's read buffer.
    expect(producedAt4sBytes).toBeLessThan(48 * 2 ** 20);
    expect(producedAt4sBytes - producedAt2sBytes).toBeLessThan(2 * 2 ** 20);
    expect(consumedBytes).toBeLessThan(1024 * 1024);
    expect(rssAfterBytes - rssBeforeBytes).toBeLessThan(32 * 2 ** 20);
    expect(rssAfterBytes - rssAt2sBytes).toBeLessThan(4 * 2 ** 20);
    const deadline = performance.now() + 2000;
    while (!isUpstreamCancelled && performance.now() < deadline) await Bun.sleep(10);
    expect(isUpstreamCancelled).toBe(true);
  }, 20_000);
});
