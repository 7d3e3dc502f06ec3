import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readSse, readSseJson, startTestSim, type TestSim, textOfTokens } from "./test-sim.ts";

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim(["--served-model-name", "base", "alias"]);
});
afterAll(() => sim.close());

const user = (content: string) => ({ messages: [{ role: "user", content }] });
const promptTokens = (content: string) =>
  sim.runtime.context.tokenizer.encodeChat(user(content).messages).length;

describe("POST /v1/chat/completions (non-streaming)", () => {
  test("answers with vLLM's chat.completion shape", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("hello"),
      max_tokens: 5,
      ignore_eos: true,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      "id",
      "object",
      "created",
      "model",
      "choices",
      "service_tier",
      "system_fingerprint",
      "usage",
      "prompt_logprobs",
      "prompt_token_ids",
      "kv_transfer_params",
    ]);
    expect(body.object).toBe("chat.completion");
    expect(String(body.id)).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(body.model).toBe("base");
    const [choice] = body.choices as Record<string, unknown>[];
    expect(choice?.finish_reason).toBe("length");
    expect(choice?.stop_reason).toBeNull();
    expect((choice?.message as Record<string, unknown> | undefined)?.role).toBe("assistant");
    const prompt = promptTokens("hello");
    expect(body.usage).toEqual({
      prompt_tokens: prompt,
      total_tokens: prompt + 5,
      completion_tokens: 5,
      prompt_tokens_details: null,
    });
  });

  test("a second served name is accepted and answered under the first", async () => {
    const response = await sim.post("/v1/chat/completions", { ...user("x"), model: "alias", max_tokens: 1 });
    expect(((await response.json()) as { model: string }).model).toBe("base");
  });

  test("n choices are indexed 0..n-1 and the same seed gives the same text", async () => {
    const request = { ...user("seeded"), n: 2, seed: 42, max_tokens: 8, ignore_eos: true };
    const first = (await (await sim.post("/v1/chat/completions", request)).json()) as {
      choices: { index: number; message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    const again = (await (await sim.post("/v1/chat/completions", request)).json()) as typeof first;
    expect(first.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(first.usage.completion_tokens).toBe(16);
    expect(again.choices.map((c) => c.message.content)).toEqual(first.choices.map((c) => c.message.content));
  });

  test("return_token_ids and logprobs fill their fields", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("ids"),
      max_tokens: 3,
      ignore_eos: true,
      return_token_ids: true,
      logprobs: true,
      top_logprobs: 2,
    });
    const body = (await response.json()) as {
      prompt_token_ids: number[];
      choices: {
        token_ids: number[];
        logprobs: { content: { logprob: number; top_logprobs: unknown[] }[] };
      }[];
    };
    expect(body.prompt_token_ids).toEqual(sim.runtime.context.tokenizer.encodeChat(user("ids").messages));
    const [choice] = body.choices;
    expect(choice?.token_ids.length).toBe(3);
    expect(choice?.logprobs.content.length).toBe(3);
    for (const entry of choice?.logprobs.content ?? []) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs.length).toBe(2);
    }
  });

  test("without max_tokens the reply ends at the simulated EOS", async () => {
    const response = await sim.post("/v1/chat/completions", { ...user("free"), seed: 1 });
    const body = (await response.json()) as { choices: { finish_reason: string }[] };
    expect(body.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("POST /v1/chat/completions (streaming)", () => {
  test("sends the role chunk, content chunks, finish_reason on the last choice chunk, then [DONE]", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("hi"),
      max_tokens: 4,
      ignore_eos: true,
      stream: true,
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const raw = await readSse(response);
    expect(raw.at(-1)).toBe("[DONE]");
    const chunks = raw.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(chunks.length).toBe(5);
    const [role, ...content] = chunks;
    expect(role).toMatchObject({ object: "chat.completion.chunk", model: "base" });
    expect((role?.choices as unknown[] | undefined)?.[0]).toEqual({
      index: 0,
      delta: { role: "assistant", content: "" },
      logprobs: null,
      finish_reason: null,
    });
    expect(role?.prompt_token_ids).toBeNull();
    const choices = content.map(
      (c) => (c.choices as Record<string, unknown>[])[0] as Record<string, unknown>,
    );
    expect(choices.slice(0, -1).every((c) => c.finish_reason === null && !("stop_reason" in c))).toBe(true);
    expect(choices.at(-1)).toMatchObject({ finish_reason: "length", stop_reason: null, token_ids: null });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
  });

  test("stream_options.include_usage adds a usage chunk with empty choices before [DONE]", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("usage"),
      max_tokens: 3,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await readSseJson(response);
    const last = chunks.at(-1) as Record<string, unknown>;
    expect(last.choices).toEqual([]);
    const prompt = promptTokens("usage");
    expect(last.usage).toEqual({ prompt_tokens: prompt, total_tokens: prompt + 3, completion_tokens: 3 });
  });

  test("n = 2 streams a role chunk per choice and finishes both", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("two"),
      n: 2,
      max_tokens: 2,
      ignore_eos: true,
      stream: true,
    });
    const chunks = await readSseJson(response);
    const choices = chunks.flatMap((c) => c.choices as { index: number; finish_reason: string | null }[]);
    expect(
      choices
        .filter((c) => c.finish_reason === "length")
        .map((c) => c.index)
        .sort(),
    ).toEqual([0, 1]);
  });

  test("a stop string ends the choice with stop_reason and is not in the text", async () => {
    const probe = (await (
      await sim.post("/v1/chat/completions", { ...user("stop"), seed: 5, max_tokens: 30, ignore_eos: true })
    ).json()) as { choices: { message: { content: string } }[] };
    const text = probe.choices[0]?.message.content ?? "";
    const stop = text.slice(10, 14);
    const response = await sim.post("/v1/chat/completions", {
      ...user("stop"),
      seed: 5,
      max_tokens: 30,
      ignore_eos: true,
      stop: [stop],
      stream: true,
    });
    const chunks = await readSseJson(response);
    const deltas = chunks.flatMap(
      (c) =>
        c.choices as { delta: { content?: string }; finish_reason: string | null; stop_reason?: unknown }[],
    );
    const streamed = deltas.map((d) => d.delta.content ?? "").join("");
    expect(streamed).toBe(text.slice(0, text.indexOf(stop)));
    expect(deltas.at(-1)).toMatchObject({ finish_reason: "stop", stop_reason: stop });
  });

  test("continuous_usage_stats puts usage on every chunk", async () => {
    const response = await sim.post("/v1/chat/completions", {
      ...user("cont"),
      max_tokens: 2,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: false, continuous_usage_stats: true },
    });
    const chunks = await readSseJson(response);
    expect(chunks.every((c) => typeof c.usage === "object")).toBe(true);
    expect((chunks.at(-1)?.usage as { completion_tokens: number } | undefined)?.completion_tokens).toBe(2);
  });

  test("a long shared prefix is served from the prefix cache on repeat", async () => {
    const messages = [
      { role: "system", content: textOfTokens(256) },
      { role: "user", content: "q" },
    ];
    await sim.post("/v1/chat/completions", { messages, max_tokens: 1 });
    const response = await sim.post("/v1/chat/completions", { messages, max_tokens: 1 });
    const body = (await response.json()) as { usage: Record<string, unknown> };
    // Without --enable-prompt-tokens-details vLLM leaves the details out.
    expect(body.usage.prompt_tokens_details).toBeNull();
  });
});
