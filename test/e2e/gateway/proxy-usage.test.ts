// Usage accounting against a sim: the gateway's injected include_usage chunk is dropped for clients
// that did not ask for it, yet the observer always learns the engine's token counts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ProxyServer, post, sseData, startProxy } from "../../gateway/proxy/proxy-fixture.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

let sim: SimProcess;
let proxy: ProxyServer;
beforeAll(async () => {
  sim = await startSim(["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0"]);
  proxy = startProxy({ targets: [{ endpointId: "sim", baseUrl: sim.url }] });
});
afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

const CHAT = {
  model: "e2e-model",
  messages: [{ role: "user", content: "hi there" }],
  max_tokens: 7,
  ignore_eos: true,
};

function usageEvents(request: ProxyServer["requests"][number] | undefined) {
  return (request?.events ?? []).flatMap((event) => (event.kind === "usage" ? [event.usage] : []));
}

describe("usage through the proxy", () => {
  test("a streaming client without include_usage gets no usage chunk; the observer still gets the counts", async () => {
    const text = await (await post(`${proxy.url}/v1/chat/completions`, { ...CHAT, stream: true })).text();
    const data = sseData(text);
    expect(data.at(-1)).toBe("[DONE]");
    expect(
      data.some(
        (value) => typeof value === "object" && value !== null && "usage" in value && value.usage !== null,
      ),
    ).toBe(false);
    const request = proxy.requests.at(-1);
    expect(await request?.finished).toMatchObject({ contentChunks: 7, errorCode: null });
    const [usage] = usageEvents(request);
    expect(usage?.completionTokens).toBe(7);
    expect(usage?.promptTokens).toBeGreaterThan(0);
  });

  test("a streaming client with include_usage gets the engine's usage chunk", async () => {
    const body = { ...CHAT, stream: true, stream_options: { include_usage: true } };
    const data = sseData(await (await post(`${proxy.url}/v1/chat/completions`, body)).text());
    const usageChunk = data.at(-2) as { choices: unknown[]; usage: { completion_tokens: number } };
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.completion_tokens).toBe(7);
    expect(usageEvents(proxy.requests.at(-1))[0]?.completionTokens).toBe(7);
  });

  test("a non-streaming answer's usage is reported and its body relayed unchanged", async () => {
    const response = await post(`${proxy.url}/v1/chat/completions`, CHAT);
    const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    await proxy.requests.at(-1)?.finished;
    expect(usageEvents(proxy.requests.at(-1))[0]).toEqual({
      promptTokens: body.usage.prompt_tokens,
      completionTokens: 7,
      cachedTokens: 0,
    });
  });
});
