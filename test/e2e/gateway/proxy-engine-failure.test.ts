// An engine dying or stalling mid-stream: the client's stream through the proxy ends with a
// well-formed SSE error event and [DONE], and every data line parses as JSON.
import { afterEach, describe, expect, test } from "bun:test";
import { type ProxyServer, post, readUntil, sseData, startProxy } from "../../gateway/proxy/proxy-fixture.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

// 1/100 real time on tiny-cpu: ~150 ms per token.
const SLOW = ["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0", "--sim-time-scale", "0.01"];
const BODY = {
  model: "e2e-model",
  prompt: "tell me a long story",
  max_tokens: 400,
  ignore_eos: true,
  stream: true,
};

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function simBehindProxy(
  flags: string[],
  settings = {},
): Promise<{ sim: SimProcess; proxy: ProxyServer }> {
  const sim = await startSim(flags);
  cleanups.push(() => sim.stop("SIGKILL"));
  const proxy = startProxy({ targets: [{ endpointId: "sim", baseUrl: sim.url }], settings });
  cleanups.push(() => proxy.stop());
  return { sim, proxy };
}

function expectWellFormedFailure(text: string, code: string): unknown[] {
  const data = sseData(text);
  expect(data.at(-1)).toBe("[DONE]");
  expect(data.at(-2)).toMatchObject({ error: { code, type: "server_error", param: null } });
  expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  return data;
}

describe("engine failure mid-stream", () => {
  test("a sim killed with SIGKILL mid-stream: error event, then [DONE]", async () => {
    const { sim, proxy } = await simBehindProxy(SLOW);
    const response = await post(`${proxy.url}/v1/completions`, BODY);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const head = await readUntil(reader, (text) => (text.match(/"text":"[^"]/g) ?? []).length >= 2);
    await sim.stop("SIGKILL");
    const rest = await readUntil(reader, () => false, 5000);
    const data = expectWellFormedFailure(head + rest, "gateway_upstream_failed_midstream");
    expect(data.length).toBeGreaterThanOrEqual(4);
    expect(await proxy.requests[0]?.finished).toMatchObject({
      status: 200,
      isClientAbort: false,
      errorCode: "gateway_upstream_failed_midstream",
    });
  });

  test("a sim that crashes on its own (--sim-crash-after): error event, then [DONE]", async () => {
    const { proxy } = await simBehindProxy([...SLOW, "--sim-crash-after", "2.5"]);
    const text = await (await post(`${proxy.url}/v1/completions`, BODY)).text();
    const data = expectWellFormedFailure(text, "gateway_upstream_failed_midstream");
    expect(data.some((value) => typeof value === "object" && value !== null && "choices" in value)).toBe(
      true,
    );
  });

  test("a sim that stalls (--sim-stall) past idleTimeoutMs: timeout error event, then [DONE]", async () => {
    const { proxy } = await simBehindProxy([...SLOW, "--sim-stall", "3"], { idleTimeoutMs: 600 });
    const text = await (await post(`${proxy.url}/v1/completions`, BODY)).text();
    const data = expectWellFormedFailure(text, "gateway_upstream_timeout");
    expect(
      data.filter((value) => typeof value === "object" && value !== null && "choices" in value),
    ).toHaveLength(3);
    expect(await proxy.requests[0]?.finished).toMatchObject({
      errorCode: "gateway_upstream_timeout",
      contentChunks: 3,
    });
  });
});
