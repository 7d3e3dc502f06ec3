// The official openai SDK against `llmux up` with simulated engines gets the same response shapes
// as when it talks to one of those engines directly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";

let llmux: LlmuxProcess;
let viaGateway: OpenAI;
let direct: OpenAI;

beforeAll(async () => {
  llmux = await startLlmux();
  viaGateway = new OpenAI({ baseURL: `${llmux.url}/v1`, apiKey: "unused", maxRetries: 0 });
  direct = new OpenAI({ baseURL: `http://127.0.0.1:${llmux.basePort}/v1`, apiKey: "unused", maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  expect(await llmux.stop()).toBe(0);
});

/** The set of key paths of a JSON value with volatile leaves (ids, numbers, text) erased. */
function shape(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${prefix}[]`] : shape(value[0], `${prefix}[0]`);
  if (value !== null && typeof value === "object") {
    // usage.prompt_tokens_details depends on the engine's prefix cache (present only after a hit).
    return Object.entries(value)
      .filter(([key]) => key !== "prompt_tokens_details")
      .flatMap(([key, child]) => [`${prefix}.${key}`, ...shape(child, `${prefix}.${key}`)]);
  }
  return [`${prefix}:${value === null ? "null" : typeof value}`];
}

const MESSAGES = [
  { role: "system" as const, content: "You are a helpful assistant." },
  { role: "user" as const, content: "Name three colours." },
];

describe("openai SDK through llmux up", () => {
  test("chat completion (non-streaming) has the engine's shape", async () => {
    const args = { model: "e2e-model", messages: MESSAGES, max_tokens: 12 };
    const [gateway, engine] = await Promise.all([
      viaGateway.chat.completions.create(args),
      direct.chat.completions.create(args),
    ]);
    expect(shape(gateway).sort()).toEqual(shape(engine).sort());
    expect(gateway.choices[0]?.message.role).toBe("assistant");
    expect(gateway.usage?.completion_tokens).toBeGreaterThan(0);
  });

  test("chat completion (streaming) has the engine's chunk shapes and no usage chunk unless asked", async () => {
    const args = { model: "e2e-model", messages: MESSAGES, max_tokens: 12, stream: true as const };
    const collect = async (client: OpenAI) => {
      const chunks = [];
      for await (const chunk of await client.chat.completions.create(args)) chunks.push(chunk);
      return chunks;
    };
    const [gateway, engine] = await Promise.all([collect(viaGateway), collect(direct)]);
    expect(gateway.map((c) => shape(c).sort())).toEqual(engine.map((c) => shape(c).sort()));
    expect(gateway.some((c) => c.usage)).toBe(false);
    expect(gateway.at(-1)?.choices[0]?.finish_reason).toBeTruthy();
  });

  test("streaming with include_usage ends with the usage chunk", async () => {
    const chunks = [];
    const stream = await viaGateway.chat.completions.create({
      model: "e2e-model",
      messages: MESSAGES,
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(8);
    expect(chunks.at(-1)?.choices).toEqual([]);
  });

  test("completions and embeddings have the engine's shapes", async () => {
    const completion = { model: "e2e-model", prompt: "Once upon a time", max_tokens: 6 };
    const [gc, ec] = await Promise.all([
      viaGateway.completions.create(completion),
      direct.completions.create(completion),
    ]);
    expect(shape(gc).sort()).toEqual(shape(ec).sort());
    const embedding = { model: "e2e-model", input: ["hello", "world"] };
    const [ge, ee] = await Promise.all([
      viaGateway.embeddings.create(embedding),
      direct.embeddings.create(embedding),
    ]);
    expect(shape(ge).sort()).toEqual(shape(ee).sort());
    expect(ge.data).toHaveLength(2);
  });

  test("models lists the model once", async () => {
    const models = [];
    for await (const model of viaGateway.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(["e2e-model"]);
    expect(models[0]?.object).toBe("model");
  });

  test("an unknown model is a 404 in OpenAI's format naming the available models", async () => {
    const error = await viaGateway.chat.completions
      .create({ model: "nope", messages: MESSAGES })
      .then(() => null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(String((error as InstanceType<typeof OpenAI.NotFoundError>).message)).toContain("e2e-model");
  });
});
