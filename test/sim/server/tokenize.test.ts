import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixtureModelDir, loadFixtureTokenizer } from "../../fixtures/models/index.ts";
import { startTestSim, type TestSim } from "./test-sim.ts";

const messages = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Say hi." },
];

describe("/tokenize and /detokenize with the builtin tokenizer", () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim(["--max-model-len", "2048"]);
  });
  afterAll(() => sim.close());

  test("tokenizes a prompt and detokenizes it back", async () => {
    const tokenized = (await (await sim.post("/tokenize", { prompt: "hello world" })).json()) as {
      count: number;
      max_model_len: number;
      tokens: number[];
      token_strs: string[] | null;
    };
    expect(tokenized.count).toBe(tokenized.tokens.length);
    expect(tokenized.max_model_len).toBe(2048);
    expect(tokenized.token_strs).toBeNull();
    const detokenized = await (await sim.post("/detokenize", { tokens: tokenized.tokens })).json();
    expect(detokenized).toEqual({ prompt: "hello world" });
  });

  test("return_token_strs gives one string per token", async () => {
    const body = (await (
      await sim.post("/tokenize", { prompt: "abcdef", return_token_strs: true })
    ).json()) as {
      token_strs: string[];
    };
    expect(body.token_strs.join("")).toBe("abcdef");
  });

  test("messages are rendered through the chat template, with the generation prompt by default", async () => {
    const body = (await (await sim.post("/tokenize", { messages })).json()) as { tokens: number[] };
    const text = (
      (await (await sim.post("/detokenize", { tokens: body.tokens })).json()) as { prompt: string }
    ).prompt;
    expect(text).toBe(
      "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nSay hi.<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("the render routes return the token ids generation would use", async () => {
    const chat = (await (
      await sim.post("/v1/chat/completions/render", { messages, max_tokens: 7 })
    ).json()) as {
      token_ids: number[];
      sampling_params: { max_tokens: number };
    };
    const tokenized = (await (await sim.post("/tokenize", { messages })).json()) as { tokens: number[] };
    expect(chat.token_ids).toEqual(tokenized.tokens);
    expect(chat.sampling_params.max_tokens).toBe(7);
    const completions = (await (
      await sim.post("/v1/completions/render", { prompt: ["ab", "cd"] })
    ).json()) as {
      token_ids: number[];
    }[];
    expect(completions.map((r) => r.token_ids.length)).toEqual([1, 1]);
  });

  test("an unknown model is a 404 on /tokenize too", async () => {
    expect((await sim.post("/tokenize", { model: "other", prompt: "x" })).status).toBe(404);
  });
});

describe("/tokenize with a real model directory (Qwen3 tokenizer fixture)", () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim(["--model", fixtureModelDir("qwen3"), "--served-model-name", "qwen3"]);
  });
  afterAll(() => sim.close());

  test("prompt ids are the Hugging Face tokenizer's", async () => {
    const tokenizer = await loadFixtureTokenizer("qwen3");
    const body = (await (await sim.post("/tokenize", { prompt: "Hello, world! Tokenize me." })).json()) as {
      tokens: number[];
    };
    expect(body.tokens).toEqual(tokenizer.encode("Hello, world! Tokenize me.", true));
  });

  test("chat ids are the chat template's, and the chat route uses the same ids", async () => {
    const tokenizer = await loadFixtureTokenizer("qwen3");
    const expected = tokenizer.encodeChat(messages, { addGenerationPrompt: true });
    const tokenized = (await (await sim.post("/tokenize", { messages })).json()) as { tokens: number[] };
    expect(tokenized.tokens).toEqual(expected);
    const chat = (await (
      await sim.post("/v1/chat/completions", { messages, max_tokens: 2, return_token_ids: true })
    ).json()) as { prompt_token_ids: number[]; choices: { message: { content: string } }[] };
    expect(chat.prompt_token_ids).toEqual(expected);
    expect(typeof chat.choices[0]?.message.content).toBe("string");
  });
});
