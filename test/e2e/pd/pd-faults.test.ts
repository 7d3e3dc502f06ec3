// P/D fault tolerance through `llmux up`: engines killed (SIGKILL by pid from /admin/instances) while
// requests are in their prefill legs. The prefill engines run 500 times slower than real time, so each
// prefill leg lasts long enough for the kill to land inside it. Every request is bounded by a timeout.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import {
  gatewayCounter,
  type Instance,
  instances,
  pdNode,
  prompt,
  type StreamResult,
  streamChat,
  waitAllReady,
} from "./pd-config.ts";

const SLOW_PREFILL = ["--sim-time-scale", "0.002"];
const REQUEST_TIMEOUT_MS = 30_000;
/** Into the prefill legs (each takes ≥ 0.5 s at this time scale), before any KV transfer starts. */
const KILL_AFTER_MS = 250;

let llmux: LlmuxProcess;
beforeAll(async () => {
  llmux = await startLlmux(pdNode({ type: "always-disagg-pd-decider" }, SLOW_PREFILL));
  await waitAllReady(llmux.url);
}, 90_000);
afterAll(async () => {
  await llmux.stop();
});

/** Sends `count` distinct requests at once; after KILL_AFTER_MS kills the engines `pick` selects. */
async function runWithKill(
  tag: string,
  count: number,
  pick: (engines: readonly Instance[]) => Instance[],
): Promise<StreamResult[]> {
  const engines = await waitAllReady(llmux.url);
  const requests = Array.from({ length: count }, (_, i) =>
    streamChat(llmux.url, prompt(`${tag}${i}`, 1000), { timeoutMs: REQUEST_TIMEOUT_MS }),
  );
  await Bun.sleep(KILL_AFTER_MS);
  for (const engine of pick(engines)) {
    if (engine.pid === null) throw new Error(`${engine.id} has no pid`);
    process.kill(engine.pid, "SIGKILL");
  }
  return Promise.all(requests);
}

function expectAllServed(results: readonly StreamResult[]): void {
  for (const result of results) {
    expect(result.status).toBe(200);
    expect(result.isComplete).toBe(true);
    expect(result.hasError).toBe(false);
  }
}

const byId = (id: string) => (engines: readonly Instance[]) => engines.filter((e) => e.id === id);

describe("P/D faults", () => {
  test("a prefill engine killed mid-run: its prefill legs are retried on the other prefill engine", async () => {
    const results = await runWithKill("pkill", 6, byId("e2e-model-prefill-0"));
    expectAllServed(results);
    expect(
      await gatewayCounter(llmux.url, "llmux_gateway_upstream_retries_total", "prefill_"),
    ).toBeGreaterThan(0);
  }, 60_000);

  test("both prefill engines killed mid-run: requests fall back to their decode engines", async () => {
    const fallbacksBefore = await gatewayCounter(llmux.url, "llmux_pd_fallbacks_total");
    const results = await runWithKill("pboth", 4, (engines) => engines.filter((e) => e.role === "prefill"));
    expectAllServed(results);
    expect(await gatewayCounter(llmux.url, "llmux_pd_fallbacks_total")).toBeGreaterThan(fallbacksBefore);
  }, 60_000);

  test("a decode engine killed while prefills run: the decode leg retries on the other decode engine", async () => {
    const killedPid = (await waitAllReady(llmux.url)).find((e) => e.id === "e2e-model-decode-0")?.pid;
    const results = await runWithKill("dkill", 8, byId("e2e-model-decode-0"));
    expectAllServed(results);
    // The supervisor relaunches the killed engine (1 s backoff, 2 s startup); on a loaded machine the
    // prefills can outlast that, and a later decode leg may then go to the new process, never the old.
    const relaunched = (await instances(llmux.url)).find((e) => e.id === "e2e-model-decode-0");
    const isRelaunched = relaunched !== undefined && relaunched.pid !== null && relaunched.pid !== killedPid;
    const servedElsewhere = results.filter(
      (r) => r.endpoint !== "e2e-model-decode-1" && !(r.endpoint === "e2e-model-decode-0" && isRelaunched),
    );
    expect(servedElsewhere).toEqual([]);
    const retried = await gatewayCounter(
      llmux.url,
      "llmux_gateway_upstream_retries_total",
      'endpoint="e2e-model-decode-0"',
    );
    expect(retried).toBeGreaterThan(0);
  }, 60_000);
});
