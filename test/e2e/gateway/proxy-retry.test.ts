// Retries before the first byte against real sims: a dead engine or one answering 503 is skipped
// and excluded; an engine's 400 or 500 is its answer, relayed intact and not retried.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { post, startProxy } from "../../gateway/proxy/proxy-fixture.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const FAST = ["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0"];
const BODY = { model: "e2e-model", prompt: "hello", max_tokens: 5, ignore_eos: true };

let healthy: SimProcess;
let unavailable: SimProcess;
let failing: SimProcess;
let deadUrl: string;
beforeAll(async () => {
  const dead = await startSim(FAST);
  [healthy, unavailable, failing] = await Promise.all([
    startSim(FAST),
    startSim([...FAST, "--sim-error-rate", "1:503"]),
    startSim([...FAST, "--sim-error-rate", "1:500"]),
  ]);
  deadUrl = dead.url;
  await dead.stop("SIGKILL");
});
afterAll(async () => {
  await Promise.all([healthy.stop(), unavailable.stop(), failing.stop()]);
});

describe("proxy retries against sims", () => {
  test("a killed engine is skipped: the request succeeds on the next one and the dead one is excluded", async () => {
    const proxy = startProxy({
      targets: [
        { endpointId: "dead", baseUrl: deadUrl },
        { endpointId: "healthy", baseUrl: healthy.url },
      ],
    });
    try {
      const response = await post(`${proxy.url}/v1/completions`, { ...BODY, stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-llmux-endpoint")).toBe("healthy");
      expect((await response.text()).endsWith("data: [DONE]\n\n")).toBe(true);
      const request = proxy.requests[0];
      expect(await request?.finished).toMatchObject({
        status: 200,
        attempts: 2,
        endpointId: "healthy",
        contentChunks: 5,
      });
      expect(request?.events[1]).toEqual({
        kind: "attempt-failed",
        endpointId: "dead",
        reason: "connect_refused",
        status: null,
      });
      expect(request?.excludedSeen).toEqual([[], ["dead"]]);
    } finally {
      await proxy.stop();
    }
  });

  test("an engine answering 503 is skipped for the next one", async () => {
    const proxy = startProxy({
      targets: [
        { endpointId: "unavailable", baseUrl: unavailable.url },
        { endpointId: "healthy", baseUrl: healthy.url },
      ],
    });
    try {
      const response = await post(`${proxy.url}/v1/completions`, BODY);
      expect(response.status).toBe(200);
      expect(
        ((await response.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens,
      ).toBe(5);
      expect(proxy.requests[0]?.events[1]).toEqual({
        kind: "attempt-failed",
        endpointId: "unavailable",
        reason: "http_503",
        status: 503,
      });
    } finally {
      await proxy.stop();
    }
  });

  test("the sim's 400 comes back with its body intact", async () => {
    const proxy = startProxy({ targets: [{ endpointId: "healthy", baseUrl: healthy.url }] });
    try {
      const invalid = { ...BODY, max_tokens: -3 };
      const direct = await post(`${healthy.url}/v1/completions`, invalid);
      const proxied = await post(`${proxy.url}/v1/completions`, invalid);
      expect(proxied.status).toBe(400);
      expect(direct.status).toBe(400);
      expect(await proxied.text()).toBe(await direct.text());
      expect(proxied.headers.get("content-type")).toBe(direct.headers.get("content-type"));
      expect(await proxy.requests[0]?.finished).toMatchObject({ status: 400, attempts: 1, errorCode: null });
    } finally {
      await proxy.stop();
    }
  });

  test("the sim's 500 is relayed, not retried on the healthy engine", async () => {
    const proxy = startProxy({
      targets: [
        { endpointId: "failing", baseUrl: failing.url },
        { endpointId: "healthy", baseUrl: healthy.url },
      ],
    });
    try {
      const response = await post(`${proxy.url}/v1/completions`, BODY);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        "simulated error",
      );
      expect(response.headers.get("x-llmux-endpoint")).toBe("failing");
      expect(await proxy.requests[0]?.finished).toMatchObject({
        status: 500,
        attempts: 1,
        endpointId: "failing",
      });
    } finally {
      await proxy.stop();
    }
  });
});
