// Two NixlConnector stand-ins in one process (prefill and decode, each with its own side channel):
// hold → pull → release once; unknown ids; lease expiry; abort; engine-id checks.
import { afterEach, describe, expect, test } from "bun:test";
import { type PdAgent, type PdAgentOptions, startPdAgent } from "../../../src/sim/pd/agent.ts";
import { parseKvTransferConfig } from "../../../src/sim/pd/kv-transfer-config.ts";

const agents: PdAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

async function agent(engineId: string, overrides: Partial<PdAgentOptions> = {}): Promise<PdAgent> {
  const json = JSON.stringify({
    kv_connector: "NixlConnector",
    kv_role: "kv_both",
    engine_id: engineId,
    kv_connector_extra_config: { kv_lease_duration: 30 },
  });
  const config = parseKvTransferConfig(json, []);
  if (config === null) throw new Error("config unexpectedly empty");
  const started = await startPdAgent({
    config,
    sideChannelHost: "127.0.0.1",
    sideChannelPort: 0,
    tpSize: 1,
    kvBytesPerToken: 131_072,
    transferSetupMs: 20,
    transferGBps: 10,
    timeScale: 1,
    ...overrides,
  });
  agents.push(started);
  return started;
}

function counter(): { release: () => void; readonly calls: number } {
  let calls = 0;
  return {
    release: () => {
      calls += 1;
    },
    get calls() {
      return calls;
    },
  };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

describe("PdAgent", () => {
  test("a decoder pulls held blocks after the transfer time; release runs once", async () => {
    const prefill = await agent("engine-p");
    const decode = await agent("engine-d");
    const held = counter();
    const params = prefill.registerHeld({
      requestId: "req-1",
      blockIds: [[3, 4, 5]],
      numTokens: 40,
      ...held,
    });
    expect(params).toEqual({
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_block_ids: [[3, 4, 5]],
      remote_engine_id: "engine-p",
      remote_request_id: "req-1",
      remote_host: "127.0.0.1",
      remote_port: prefill.sideChannelPort,
      tp_size: 1,
      remote_num_tokens: 40,
    });
    const startedMs = performance.now();
    // 20 ms setup + 40 tokens × 128 KiB at 10 GB/s ≈ 0.52 ms.
    const result = await decode.pull(params, 40, new AbortController().signal);
    expect(result).toEqual({ ok: true });
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(19);
    expect(held.calls).toBe(1);
    const again = await decode.pull(params, 40, new AbortController().signal);
    expect(again.ok).toBe(false);
    expect(again.error).toContain("holds no blocks");
    expect(held.calls).toBe(1);
  });

  test("pulling an unknown request id fails", async () => {
    const prefill = await agent("engine-p");
    const decode = await agent("engine-d");
    const params = prefill.registerHeld({
      requestId: "known",
      blockIds: [[1]],
      numTokens: 4,
      release: () => {},
    });
    const result = await decode.pull(
      { ...params, remote_request_id: "nope" },
      4,
      new AbortController().signal,
    );
    expect(result).toEqual({
      ok: false,
      error: "request nope holds no blocks on this engine (unknown or already read)",
    });
  });

  test("the lease expiry releases the blocks and a late pull says so", async () => {
    // 30 s lease at timeScale 1000 is 30 ms of wall time.
    const prefill = await agent("engine-p", { timeScale: 1000 });
    const decode = await agent("engine-d", { timeScale: 1000 });
    const held = counter();
    const params = prefill.registerHeld({ requestId: "late", blockIds: [[9]], numTokens: 4, ...held });
    await until(() => held.calls === 1);
    const result = await decode.pull(params, 4, new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("lease on request late's blocks expired");
    expect(held.calls).toBe(1);
  });

  test("an abort signal cancels a pull and frees the prefill side's blocks", async () => {
    const prefill = await agent("engine-p", { transferSetupMs: 5_000 });
    const decode = await agent("engine-d");
    const held = counter();
    const params = prefill.registerHeld({ requestId: "slow", blockIds: [[1, 2]], numTokens: 8, ...held });
    const controller = new AbortController();
    const pulling = decode.pull(params, 8, controller.signal);
    await Bun.sleep(50);
    controller.abort();
    const result = await pulling;
    expect(result.ok).toBe(false);
    expect(result.error).toContain("aborted");
    await until(() => held.calls === 1);
  });

  test("an already aborted signal fails at once", async () => {
    const prefill = await agent("engine-p");
    const decode = await agent("engine-d");
    const params = prefill.registerHeld({ requestId: "r", blockIds: [[1]], numTokens: 4, release: () => {} });
    const result = await decode.pull(params, 4, AbortSignal.abort());
    expect(result.ok).toBe(false);
    expect(result.error).toContain("aborted");
  });

  test("a pull times out when the prefill side does not answer in time", async () => {
    const prefill = await agent("engine-p", { transferSetupMs: 5_000 });
    const decode = await agent("engine-d", { pullTimeoutMs: 100 });
    const params = prefill.registerHeld({ requestId: "r", blockIds: [[1]], numTokens: 4, release: () => {} });
    const result = await decode.pull(params, 4, new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("timed out");
  });

  test("a wrong remote engine id fails the handshake", async () => {
    const prefill = await agent("engine-p");
    const decode = await agent("engine-d");
    const params = prefill.registerHeld({ requestId: "r", blockIds: [[1]], numTokens: 4, release: () => {} });
    const result = await decode.pull(
      { ...params, remote_engine_id: "other" },
      4,
      new AbortController().signal,
    );
    expect(result).toEqual({ ok: false, error: "remote engine id mismatch: expected other, got engine-p" });
  });

  test("invalid params fail without touching the network", async () => {
    const decode = await agent("engine-d");
    const result = await decode.pull({ do_remote_prefill: true }, 4, new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("needs remote_engine_id");
  });

  test("holding the same request twice is a bug", async () => {
    const prefill = await agent("engine-p");
    prefill.registerHeld({ requestId: "dup", blockIds: [[1]], numTokens: 4, release: () => {} });
    expect(() =>
      prefill.registerHeld({ requestId: "dup", blockIds: [[1]], numTokens: 4, release: () => {} }),
    ).toThrow("already held");
  });

  test("data-parallel ranks announce a _dp-suffixed engine id", async () => {
    const rank1 = await agent("engine-p", { dataParallelRank: 1, dataParallelSize: 2 });
    expect(rank1.engineId).toBe("engine-p_dp1");
    const params = rank1.registerHeld({ requestId: "r", blockIds: [[1]], numTokens: 4, release: () => {} });
    expect(params.remote_engine_id).toBe("engine-p_dp1");
  });
});
