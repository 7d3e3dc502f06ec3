// Request-side block keys: vLLM's tokenization rules per route (chat template options, special tokens),
// LoRA and cache_salt as extra keys, token-id prompts, the worker for long prompts, the render fallback.
import { afterAll, describe, expect, test } from "bun:test";
import { createBlockHasher, hashBlockChain, toWireInt } from "../../src/kvcache/index.ts";
import { computeRequestKeys, type RequestKeysDeps } from "../../src/kvcache/request-keys.ts";
import { createRequestKeysWorker } from "../../src/kvcache/request-keys-worker-client.ts";
import { WEATHER_TOOL } from "../fixtures/models/chat-cases.ts";
import { fixtureModelDir, loadFixtureTokenizer } from "../fixtures/models/index.ts";

const BLOCK = 16;
const hasher = await createBlockHasher("sha256_cbor", "0");
const tokenizer = await loadFixtureTokenizer("qwen3");
const deps: RequestKeysDeps = { hasher, blockSize: BLOCK, tokenizer, timeoutMs: 5000 };
const MESSAGES = [
  { role: "system", content: "You are a helpful assistant that answers in detail. ".repeat(8) },
  { role: "user", content: "Explain how a prefix cache helps a multi-turn conversation, in three steps." },
];

function expectedKeys(
  tokens: readonly number[],
  context: { loraName?: string; cacheSalt?: string } = {},
): bigint[] {
  return hashBlockChain(hasher, tokens, BLOCK, context).map(toWireInt);
}

async function keysOf(
  kind: "chat" | "completion",
  body: Record<string, unknown>,
  loraName: string | null = null,
) {
  const result = await computeRequestKeys({ kind, body, loraName }, deps);
  if (!result.isOk) throw new Error(`${result.reason}: ${result.detail}`);
  return result.value;
}

describe("computeRequestKeys with the model's tokenizer", () => {
  test("chat: the template with the request's options, add_special_tokens false", async () => {
    const body = {
      messages: MESSAGES,
      tools: [WEATHER_TOOL],
      chat_template_kwargs: { enable_thinking: false },
    };
    const tokens = tokenizer.encodeChat(MESSAGES, {
      tools: [WEATHER_TOOL],
      chatTemplateKwargs: { enable_thinking: false },
      addGenerationPrompt: true,
    });
    const keys = await keysOf("chat", body);
    expect([...keys.keys]).toEqual(expectedKeys(tokens));
    expect(keys).toMatchObject({ promptTokens: tokens.length, source: "tokenizer", blockSize: BLOCK });
    const withoutOptions = await keysOf("chat", { messages: MESSAGES });
    expect([...withoutOptions.keys]).not.toEqual([...keys.keys]);
    const noGenerationPrompt = await keysOf("chat", { messages: MESSAGES, add_generation_prompt: false });
    expect(noGenerationPrompt.promptTokens).toBeLessThan(withoutOptions.promptTokens);
  });

  test("completions: add_special_tokens true by default; token-id prompts are hashed as given", async () => {
    const prompt = "The quick brown fox jumps over the lazy dog. ".repeat(10);
    expect([...(await keysOf("completion", { prompt })).keys]).toEqual(
      expectedKeys(tokenizer.encode(prompt, true)),
    );
    const ids = Array.from({ length: 40 }, (_, i) => 70_000 + i);
    const fromIds = await keysOf("completion", { prompt: ids });
    expect(fromIds).toMatchObject({ source: "token-ids", promptTokens: 40 });
    expect([...fromIds.keys]).toEqual(expectedKeys(ids));
    expect([...(await keysOf("completion", { prompt: [ids, [1, 2]] })).keys]).toEqual(expectedKeys(ids));
  });

  test("LoRA name on every block and cache_salt on the first change the keys as vLLM's hash does", async () => {
    const ids = Array.from({ length: 48 }, (_, i) => i + 1);
    const salted = await keysOf("completion", { prompt: ids, cache_salt: "tenant-a" }, "sql-lora");
    expect([...salted.keys]).toEqual(expectedKeys(ids, { loraName: "sql-lora", cacheSalt: "tenant-a" }));
    expect(salted.keys.length).toBe(3);
  });

  test("a request without a reproducible prompt has no keys", async () => {
    const result = await computeRequestKeys(
      { kind: "completion", body: { prompt_embeds: "AAAA" }, loraName: null },
      deps,
    );
    expect(result).toMatchObject({ isOk: false, reason: "no_prompt" });
  });
});

describe("computeRequestKeys off the event loop", () => {
  const workerPromise = createRequestKeysWorker({
    modelDir: fixtureModelDir("qwen3"),
    algo: "sha256_cbor",
    pythonHashSeed: "0",
  });
  afterAll(async () => (await workerPromise).terminate());

  test("long prompts are tokenized on the worker, with the same keys", async () => {
    const worker = await workerPromise;
    const long = [{ role: "user", content: "Summarise the following log line by line. ".repeat(500) }];
    const viaWorker = await computeRequestKeys(
      { kind: "chat", body: { messages: long }, loraName: null },
      {
        ...deps,
        worker,
        workerMinChars: 1000,
      },
    );
    const inline = await computeRequestKeys({ kind: "chat", body: { messages: long }, loraName: null }, deps);
    if (!viaWorker.isOk || !inline.isOk) throw new Error("no keys");
    expect(viaWorker.value.source).toBe("worker");
    expect([...viaWorker.value.keys]).toEqual([...inline.value.keys]);
  });
});

describe("computeRequestKeys through an engine's render endpoint", () => {
  const tokenIds = Array.from({ length: 33 }, (_, i) => 100 + i);
  const server = Bun.serve({
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = (await request.json()) as Record<string, unknown>;
      if (body.slow === true) return new Promise<Response>(() => {});
      if (url.pathname === "/v1/chat/completions/render") return Response.json({ token_ids: tokenIds });
      if (url.pathname === "/v1/completions/render") return Response.json([{ token_ids: tokenIds }]);
      return new Response("nope", { status: 404 });
    },
  });
  afterAll(() => server.stop(true));
  const renderDeps = {
    ...deps,
    tokenizer: null,
    renderBaseUrl: `http://127.0.0.1:${server.port}`,
    timeoutMs: 300,
  };

  test("uses the engine's token ids for chat and completions", async () => {
    for (const kind of ["chat", "completion"] as const) {
      const result = await computeRequestKeys(
        { kind, body: { messages: MESSAGES, prompt: "x" }, loraName: null },
        renderDeps,
      );
      expect(result).toMatchObject({ isOk: true, value: { source: "render", promptTokens: 33 } });
      if (result.isOk) expect([...result.value.keys]).toEqual(expectedKeys(tokenIds));
    }
  });

  test("a slow or failing engine yields a typed failure, never an exception", async () => {
    const slow = await computeRequestKeys(
      { kind: "chat", body: { messages: MESSAGES, slow: true }, loraName: null },
      renderDeps,
    );
    expect(slow).toMatchObject({ isOk: false, reason: "timeout" });
    const missing = await computeRequestKeys(
      { kind: "chat", body: { messages: MESSAGES }, loraName: null },
      { ...renderDeps, renderBaseUrl: `http://127.0.0.1:${server.port}/elsewhere` },
    );
    expect(missing).toMatchObject({ isOk: false, reason: "render_failed" });
    const none = await computeRequestKeys(
      { kind: "chat", body: { messages: MESSAGES }, loraName: null },
      { ...deps, tokenizer: null },
    );
    expect(none).toMatchObject({ isOk: false, reason: "no_tokenizer" });
  });
});
