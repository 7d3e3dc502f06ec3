import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readSse, readSseJson, startTestSim, type TestSim } from "./test-sim.ts";

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.close());

interface CompletionBody {
  id: string;
  object: string;
  model: string;
  choices: {
    index: number;
    text: string;
    finish_reason: string;
    token_ids: number[] | null;
    prompt_token_ids: number[] | null;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

async function complete(body: Record<string, unknown>): Promise<CompletionBody> {
  const response = await sim.post("/v1/completions", body);
  expect(response.status).toBe(200);
  return (await response.json()) as CompletionBody;
}

const ids = (text: string) => sim.runtime.context.tokenizer.encode(text, true);

describe("POST /v1/completions", () => {
  test("defaults max_tokens to 16, as vLLM's CompletionRequest", async () => {
    const body = await complete({ prompt: "Once upon a time", ignore_eos: true });
    expect(body.object).toBe("text_completion");
    expect(body.id).toMatch(/^cmpl-/);
    expect(body.model).toBe("sim-model");
    expect(body.usage.completion_tokens).toBe(16);
    expect(body.choices[0]?.finish_reason).toBe("length");
  });

  test.each([
    ["a string", () => "abcdef", 1],
    ["a list of strings", () => ["abc", "defghi"], 2],
    ["token ids", () => ids("abcdefghi"), 1],
    ["a list of token-id lists", () => [ids("abcdef"), ids("ghi")], 2],
  ])("accepts %s as the prompt", async (_name, promptOf, prompts) => {
    const prompt = promptOf();
    const body = await complete({ prompt, max_tokens: 2, ignore_eos: true, return_token_ids: true });
    expect(body.choices.length).toBe(prompts);
    expect(body.choices.map((c) => c.index)).toEqual(Array.from({ length: prompts }, (_, i) => i));
    const promptTokens = body.choices.reduce((sum, c) => sum + (c.prompt_token_ids?.length ?? 0), 0);
    expect(body.usage.prompt_tokens).toBe(promptTokens);
    expect(body.usage.completion_tokens).toBe(2 * prompts);
  });

  test("token-id prompts reach the engine unchanged", async () => {
    const prompt = ids("token ids");
    const body = await complete({ prompt, max_tokens: 1, return_token_ids: true });
    expect(body.choices[0]?.prompt_token_ids).toEqual(prompt);
  });

  test("a token id outside the vocabulary is a 400", async () => {
    const response = await sim.post("/v1/completions", { prompt: [2 ** 31], max_tokens: 1 });
    expect(response.status).toBe(400);
  });

  test("n choices per prompt are numbered prompt-major", async () => {
    const body = await complete({ prompt: ["a", "b"], n: 2, max_tokens: 1, ignore_eos: true });
    expect(body.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  test("echo puts the prompt in front of the text", async () => {
    const body = await complete({ prompt: "echo me", echo: true, max_tokens: 2, ignore_eos: true });
    expect(body.choices[0]?.text.startsWith("echo me")).toBe(true);
  });

  test("streams text_completion chunks with every choice field, then usage and [DONE]", async () => {
    const response = await sim.post("/v1/completions", {
      prompt: "stream",
      max_tokens: 3,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    const raw = await readSse(response);
    expect(raw.at(-1)).toBe("[DONE]");
    const chunks = raw.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(chunks.length).toBe(4);
    const first = (chunks[0]?.choices as Record<string, unknown>[] | undefined)?.[0];
    expect(Object.keys(first ?? {})).toEqual([
      "index",
      "text",
      "logprobs",
      "finish_reason",
      "stop_reason",
      "prompt_token_ids",
      "token_ids",
    ]);
    expect((chunks[2]?.choices as Record<string, unknown>[] | undefined)?.[0]?.finish_reason).toBe("length");
    expect(chunks[3]).toMatchObject({ object: "text_completion", choices: [] });
    expect(Object.keys((chunks[3]?.usage as object | undefined) ?? {})).toEqual([
      "prompt_tokens",
      "total_tokens",
      "completion_tokens",
    ]);
  });

  test("logprobs come in the completions layout", async () => {
    const response = await sim.post("/v1/completions", {
      prompt: "lp",
      max_tokens: 3,
      ignore_eos: true,
      logprobs: 2,
    });
    const body = (await response.json()) as {
      choices: {
        text: string;
        logprobs: {
          tokens: string[];
          token_logprobs: number[];
          text_offset: number[];
          top_logprobs: object[];
        };
      }[];
    };
    const logprobs = body.choices[0]?.logprobs;
    expect(logprobs?.tokens.length).toBe(3);
    expect(logprobs?.tokens.join("")).toBe(body.choices[0]?.text ?? "");
    expect(logprobs?.text_offset[0]).toBe(0);
    expect(Object.keys(logprobs?.top_logprobs[0] ?? {}).length).toBeGreaterThanOrEqual(1);
  });

  test("an empty string prompt is a 400", async () => {
    const response = await sim.post("/v1/completions", { prompt: "" });
    expect(response.status).toBe(400);
  });

  test("streamed chunks together carry the whole text", async () => {
    const request = { prompt: "same", seed: 3, max_tokens: 12, ignore_eos: true };
    const whole = await complete(request);
    const chunks = await readSseJson(await sim.post("/v1/completions", { ...request, stream: true }));
    const streamed = chunks.map((c) => (c.choices as { text: string }[])[0]?.text ?? "").join("");
    expect(streamed).toBe(whole.choices[0]?.text ?? "");
  });
});
