// 300 concurrent streams through one proxy to two sims: every stream completes with the right
// token count, and all 300 are in flight at the engines at once (no hidden fetch queue).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startProxyProcess } from "../harness/proxy-process.ts";
import { simLoad } from "../harness/sim-metrics.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";
import { runStreamClients } from "../harness/stream-clients.ts";

const STREAMS = 300;
const MAX_TOKENS = 60;

let sims: SimProcess[] = [];
beforeAll(async () => {
  // 1/20 real time: ~30 ms per decode step, so each 60-token stream stays open for seconds.
  const flags = ["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0", "--sim-time-scale", "0.05"];
  sims = await Promise.all([startSim(flags), startSim(flags)]);
});
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
});

describe("proxy under 300 concurrent streams", () => {
  test("all complete with correct token counts and are concurrently in flight", async () => {
    const targets = sims.map((sim, i) => ({ endpointId: `sim-${i}`, baseUrl: sim.url }));
    const proxy = await startProxyProcess(targets);
    let peakInFlight = 0;
    let isRunning = true;
    const watching = (async function watchEngines() {
      while (isRunning) {
        const loads = await Promise.all(sims.map((sim) => simLoad(sim)));
        const inFlight = loads.reduce((sum, load) => sum + load.running + load.waiting, 0);
        peakInFlight = Math.max(peakInFlight, inFlight);
        await Bun.sleep(20);
      }
    })();
    try {
      const summary = await runStreamClients({
        url: proxy.url,
        path: "/v1/completions",
        count: STREAMS,
        body: { model: "e2e-model", prompt: "count with me", max_tokens: MAX_TOKENS, ignore_eos: true },
        usageEvery: 2,
      });
      isRunning = false;
      await watching;
      expect(summary.results).toHaveLength(STREAMS);
      for (const result of summary.results) {
        expect(result).toMatchObject({
          status: 200,
          contentChunks: MAX_TOKENS,
          isDoneSeen: true,
          isEveryLineJson: true,
        });
        expect(result.completionTokens).toBe(result.isUsageWanted ? MAX_TOKENS : null);
      }
      expect(peakInFlight).toBe(STREAMS);
      const stats = await proxy.stats();
      expect(stats.outcomes).toHaveLength(STREAMS);
      for (const outcome of stats.outcomes)
        expect(outcome).toMatchObject({ status: 200, errorCode: null, contentChunks: MAX_TOKENS });
      for (const usage of stats.usages) expect(usage?.completionTokens).toBe(MAX_TOKENS);
      process.stderr.write(
        `300 streams: ${Math.round(summary.elapsedMs)} ms, peak in flight ${peakInFlight}, max headers ${Math.round(Math.max(...summary.results.map((r) => r.headersMs)))} ms, proxy RSS ${Math.round(stats.rssBytes / 2 ** 20)} MiB\n`,
      );
    } finally {
      isRunning = false;
      await proxy.stop();
    }
  }, 60_000);
});
