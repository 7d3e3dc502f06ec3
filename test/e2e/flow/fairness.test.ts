// Fairness across tenants with real sims: two fairness ids, set by a trusted network's header, with 3:1
// demand get near-equal service while both are backlogged (round-robin fairness, the default).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { isAnsweredAsDocumented, type Outcome, streamCompletion, waitForEngines } from "./flow-clients.ts";

const ADMIN_KEY = "admin-key-fairness-e2e";
const KEY = "sk-gateway-fairness-e2e";

describe("flow control fairness", () => {
  let llmux: LlmuxProcess;
  beforeAll(async () => {
    llmux = await startLlmux({
      engines: [{ model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "h100-llama3-8b"] }],
      config: {
        auth: {
          api_keys: [{ name: "edge", key: KEY }],
          admin_key: ADMIN_KEY,
          trusted_networks: ["127.0.0.0/8"],
        },
        supervisor: { sim_args: ["--sim-startup-delay", "0"] },
        flow: {
          enabled: true,
          saturation_detectors: [
            { type: "concurrency-detector", parameters: { concurrencyMode: "requests", maxConcurrency: 2 } },
          ],
        },
      },
    });
    await waitForEngines(llmux.url, ADMIN_KEY);
  }, 60_000);
  afterAll(async () => {
    await llmux?.stop();
  });

  test("a malformed priority header from a trusted network is a 400 naming the header", async () => {
    const outcome = await streamCompletion(llmux.url, {
      key: KEY,
      promptWords: 10,
      maxTokens: 2,
      headers: { "x-llmux-priority": "urgent" },
    });
    expect(outcome).toMatchObject({ status: 400, errorCode: "gateway_invalid_request" });
  });

  test("two tenants with 3:1 demand get near-equal service while both are backlogged", async () => {
    const stop = { isStopped: false };
    const finished: { tenant: string; atMs: number; outcome: Outcome }[] = [];
    const startedMs = performance.now();
    async function tenantLoop(tenant: string): Promise<void> {
      while (!stop.isStopped) {
        const outcome = await streamCompletion(llmux.url, {
          key: KEY,
          promptWords: 50,
          maxTokens: 15,
          headers: { "x-llmux-fairness-id": tenant },
        });
        finished.push({ tenant, atMs: performance.now() - startedMs, outcome });
      }
    }
    // Four engine slots; tenant A keeps 18 requests outstanding, B 6: both always have some queued.
    const loops = [
      ...Array.from({ length: 18 }, () => tenantLoop("tenant-a")),
      ...Array.from({ length: 6 }, () => tenantLoop("tenant-b")),
    ];
    await Bun.sleep(4500);
    stop.isStopped = true;
    await Promise.all(loops);
    // The first second is ramp-up; the end is cut where the loops stop sending.
    const inWindow = finished.filter((f) => f.atMs >= 1000 && f.atMs <= 4500 && f.outcome.status === 200);
    const servedA = inWindow.filter((f) => f.tenant === "tenant-a").length;
    const servedB = inWindow.filter((f) => f.tenant === "tenant-b").length;
    console.log(JSON.stringify({ servedA, servedB, ratio: servedA / servedB }));
    expect(servedA + servedB).toBeGreaterThan(40);
    // Without fairness the split would follow demand, 3:1; round robin holds it near 1:1.
    expect(servedA / servedB).toBeGreaterThan(0.7);
    expect(servedA / servedB).toBeLessThan(1.4);
    expect(finished.filter((f) => !isAnsweredAsDocumented(f.outcome))).toEqual([]);
  }, 30_000);
});
