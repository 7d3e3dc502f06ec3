// Stopping llmux: SIGTERM under load lets every in-flight stream finish, then no engine is left;
// SIGKILL (no chance to clean up) still takes the engines down within seconds (setpriv pdeathsig).
import { describe, expect, test } from "bun:test";
import { isProcessAlive, waitUntilGone } from "../../supervisor/os-processes.ts";
import { startLlmux } from "../harness/llmux-process.ts";
import { runStreamClients } from "../harness/stream-clients.ts";
import { waitForAllReady, waitForInstances } from "./node-process.ts";

const STREAMS = 40;
const MAX_TOKENS = 50;

describe("stopping llmux", () => {
  test("SIGTERM under load: in-flight streams complete, then every engine process is gone", async () => {
    // tiny-cpu at 1/20 real time: ~30 ms per token, so each 50-token stream lasts about 1.5 s.
    const llmux = await startLlmux({
      engines: [{ model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "tiny-cpu"] }],
      config: { supervisor: { sim_args: ["--sim-startup-delay", "0", "--sim-time-scale", "0.05"] } },
    });
    try {
      const pids = (await waitForAllReady(llmux.url, 2)).map((i) => i.pid ?? -1);
      expect(pids.every(isProcessAlive)).toBe(true);
      const streams = runStreamClients({
        url: llmux.url,
        path: "/v1/completions",
        count: STREAMS,
        body: { model: "e2e-model", prompt: "count with me", max_tokens: MAX_TOKENS, ignore_eos: true },
        usageEvery: 1,
      });
      await waitForInstances(
        llmux.url,
        (list) => list.reduce((sum, i) => sum + i.inFlight, 0) === STREAMS,
        10_000,
        "every stream in flight",
      );
      const signalledAtMs = performance.now();
      process.kill(llmux.pid, "SIGTERM");
      const summary = await streams;
      expect(await llmux.exited).toBe(0);
      expect(performance.now() - signalledAtMs).toBeGreaterThan(500);
      for (const result of summary.results) {
        expect(result).toMatchObject({
          status: 200,
          contentChunks: MAX_TOKENS,
          completionTokens: MAX_TOKENS,
          isDoneSeen: true,
          isEveryLineJson: true,
        });
      }
      expect(pids.filter(isProcessAlive)).toEqual([]);
      const logs = llmux.logs();
      expect(logs.indexOf("stopping: draining requests")).toBeLessThan(logs.indexOf("all engines stopped"));
    } finally {
      await llmux.stop("SIGKILL");
    }
  });

  test("SIGKILL: no engine outlives llmux by more than a few seconds", async () => {
    const llmux = await startLlmux({
      engines: [{ model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "tiny-cpu"] }],
      config: { supervisor: { sim_args: ["--sim-startup-delay", "0"] } },
    });
    try {
      const pids = (await waitForAllReady(llmux.url, 2)).map((i) => i.pid ?? -1);
      expect(pids.every(isProcessAlive)).toBe(true);
      process.kill(llmux.pid, "SIGKILL");
      await llmux.exited;
      expect(await waitUntilGone(pids, 3_000)).toBeLessThan(3_000);
    } finally {
      await llmux.stop("SIGKILL");
    }
  });
});
