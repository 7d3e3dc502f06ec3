// A P/D pair of sim processes (NixlConnector semantics): the prefill instance computes the prompt and
// holds its blocks; the decode instance pulls them over the side channel and computes zero prompt tokens.
import { afterAll, describe, expect, test } from "bun:test";
import { freePort } from "../../helpers/cli-process.ts";
import { type SimProcess, startSim } from "../harness/sim-process.ts";

const running: SimProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((sim) => sim.stop("SIGKILL")));
});

async function startPdSim(sideChannelPort = freePort()): Promise<SimProcess> {
  const sim = await startSim(
    [
      "--sim-profile",
      "tiny-cpu",
      "--enable-prompt-tokens-details",
      "--kv-transfer-config",
      '{"kv_connector":"NixlConnector","kv_role":"kv_both","kv_load_failure_policy":"fail"}',
    ],
    {
      env: { VLLM_NIXL_SIDE_CHANNEL_HOST: "127.0.0.1", VLLM_NIXL_SIDE_CHANNEL_PORT: String(sideChannelPort) },
    },
  );
  running.push(sim);
  return sim;
}

/** Sum of a counter family's samples whose labels include `labelText`. */
async function counter(sim: SimProcess, name: string, labelText = ""): Promise<number> {
  const text = await (await fetch(`${sim.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labelText))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

const MESSAGES = [
  { role: "system", content: "You are a careful assistant. ".repeat(40) },
  { role: "user", content: "Summarise the plan in three bullet points." },
];

describe("P/D pair of sims", () => {
  test("the decode instance computes zero prompt tokens for a disaggregated request", async () => {
    const prefill = await startPdSim();
    const decode = await startPdSim();
    const requestId = "pd-e2e-1";
    const headers = { "content-type": "application/json", "x-request-id": requestId };

    const prefillResponse = await fetch(`${prefill.url}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        model: "e2e-model",
        messages: MESSAGES,
        stream: false,
        max_tokens: 1,
        kv_transfer_params: {
          do_remote_decode: true,
          do_remote_prefill: false,
          remote_engine_id: null,
          remote_block_ids: null,
          remote_host: null,
          remote_port: null,
        },
      }),
    });
    expect(prefillResponse.status).toBe(200);
    const prefillBody = (await prefillResponse.json()) as {
      usage: { prompt_tokens: number };
      kv_transfer_params: Record<string, unknown>;
    };
    const params = prefillBody.kv_transfer_params;
    expect(params).toMatchObject({
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_host: "127.0.0.1",
    });
    expect(
      Array.isArray(params.remote_block_ids) && Array.isArray((params.remote_block_ids as unknown[])[0]),
    ).toBe(true);
    const promptTokens = prefillBody.usage.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(200);

    const decodeResponse = await fetch(`${decode.url}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        model: "e2e-model",
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 24,
        ignore_eos: true,
        kv_transfer_params: params,
      }),
    });
    expect(decodeResponse.status).toBe(200);
    const sse = await decodeResponse.text();
    const chunks = sse
      .split("\n\n")
      .filter((c) => c.startsWith("data: ") && c !== "data: [DONE]")
      .map((c) => JSON.parse(c.slice(6)) as { usage?: { completion_tokens: number; prompt_tokens: number } });
    expect(sse.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const usage = chunks.at(-1)?.usage;
    expect(usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: 24 });

    expect(await counter(decode, "vllm:prompt_tokens_by_source_total", 'source="local_compute"')).toBe(0);
    expect(await counter(decode, "vllm:prompt_tokens_by_source_total", 'source="external_kv_transfer"')).toBe(
      promptTokens,
    );
    expect(await counter(prefill, "vllm:prompt_tokens_by_source_total", 'source="local_compute"')).toBe(
      promptTokens,
    );
  });

  test("a decode request naming blocks the prefill instance no longer holds fails cleanly (policy fail)", async () => {
    const prefillSideChannel = freePort();
    await startPdSim(prefillSideChannel);
    const decode = await startPdSim();
    const response = await fetch(`${decode.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "e2e-model",
        prompt: "hello there, general kenobi",
        max_tokens: 4,
        kv_transfer_params: {
          do_remote_prefill: true,
          do_remote_decode: false,
          remote_block_ids: [[1, 2]],
          remote_engine_id: "unknown-engine",
          remote_request_id: "never-prefilled",
          remote_host: "127.0.0.1",
          remote_port: prefillSideChannel,
          tp_size: 1,
        },
      }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const body = (await response.json()) as { error?: { message: string } };
    expect(body.error?.message).toBeTruthy();
  });
});
