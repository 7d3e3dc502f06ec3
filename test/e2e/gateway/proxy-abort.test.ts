// Client disconnects through the proxy free the engine's slot: the sim's running count drops back to 0
// within 1 s, whether the client left during a long prefill or after some tokens.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ProxyServer, post, readUntil, startProxy, waitFor } from "../../gateway/proxy/proxy-fixture.ts";
import { simLoad } from "../harness/sim-metrics.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

// 1/100 real time on tiny-cpu: a 13,500-token prompt prefills for ~2 s, a decode step takes ~150 ms.
const LONG_PROMPT = "lorem ipsum dolor sit amet ".repeat(1500);

let sim: SimProcess;
let proxy: ProxyServer;
beforeAll(async () => {
  sim = await startSim(["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0", "--sim-time-scale", "0.01"]);
  proxy = startProxy({ targets: [{ endpointId: "sim", baseUrl: sim.url }] });
});
afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

/** Aborts the client and returns the ms until the sim runs and queues nothing. */
async function abortAndTimeRelease(client: AbortController): Promise<number> {
  client.abort();
  return waitFor(async () => {
    const load = await simLoad(sim);
    return load.running === 0 && load.waiting === 0;
  }, 1000);
}

describe("client abort through the proxy", () => {
  test("during a long prefill (before the first token) the engine frees the slot within 1 s", async () => {
    const client = new AbortController();
    const body = { model: "e2e-model", prompt: `prefill case ${LONG_PROMPT}`, max_tokens: 100, stream: true };
    const responding = post(`${proxy.url}/v1/completions`, body, client.signal).catch(
      (error: unknown) => error,
    );
    await waitFor(async () => (await simLoad(sim)).running === 1, 5000);
    const releaseMs = await abortAndTimeRelease(client);
    await responding;
    process.stderr.write(`abort before first token: engine free after ${releaseMs.toFixed(0)} ms\n`);
    const outcome = await proxy.requests.at(-1)?.finished;
    expect(outcome).toMatchObject({ isClientAbort: true });
    expect(outcome?.contentChunks ?? 0).toBe(0);
    expect(releaseMs).toBeLessThan(1000);
  });

  test("after some tokens the engine frees the slot within 1 s", async () => {
    const client = new AbortController();
    const body = {
      model: "e2e-model",
      prompt: "tokens case",
      max_tokens: 500,
      ignore_eos: true,
      stream: true,
    };
    const response = await post(`${proxy.url}/v1/completions`, body, client.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await readUntil(reader, (text) => (text.match(/"text":"[^"]/g) ?? []).length >= 3);
    expect((await simLoad(sim)).running).toBe(1);
    const releaseMs = await abortAndTimeRelease(client);
    process.stderr.write(`abort after tokens: engine free after ${releaseMs.toFixed(0)} ms\n`);
    const outcome = await proxy.requests.at(-1)?.finished;
    expect(outcome?.isClientAbort).toBe(true);
    expect(outcome?.contentChunks).toBeGreaterThanOrEqual(3);
    expect(releaseMs).toBeLessThan(1000);
  });

  test("while waiting for a non-streaming answer the engine frees the slot within 1 s", async () => {
    const client = new AbortController();
    const body = { model: "e2e-model", prompt: "whole case", max_tokens: 500, ignore_eos: true };
    const responding = post(`${proxy.url}/v1/completions`, body, client.signal).catch(
      (error: unknown) => error,
    );
    await waitFor(async () => (await simLoad(sim)).running === 1, 5000);
    await Bun.sleep(300);
    const releaseMs = await abortAndTimeRelease(client);
    await responding;
    expect(await proxy.requests.at(-1)?.finished).toMatchObject({ isClientAbort: true, status: 499 });
    expect(releaseMs).toBeLessThan(1000);
  });
});
