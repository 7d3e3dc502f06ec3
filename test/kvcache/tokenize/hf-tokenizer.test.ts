// HF tokenizers from model directories: ids checked against each fixture's tokenizer.json vocabulary,
// special tokens for chat vs completions, the sampling table, and typed errors for bad directories.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadTokenizer, TokenizeError } from "../../../src/kvcache/tokenize/index.ts";
import {
  fixtureModelDir,
  loadFixtureTokenizer,
  readFixtureJson,
  type TempModelDir,
  tempModelDir,
} from "../../fixtures/models/index.ts";

const created: TempModelDir[] = [];
afterAll(() => {
  for (const dir of created) dir.remove();
});

function modelDir(files: Record<string, string | object>, links: Record<string, string> = {}): string {
  const made = tempModelDir(files, links);
  created.push(made);
  return made.dir;
}

function vocab(name: "qwen3" | "llama3"): Record<string, number> {
  const model = readFixtureJson(name, "tokenizer.json").model as { vocab: Record<string, number> };
  return model.vocab;
}

async function loadError(dir: string): Promise<TokenizeError> {
  const error = await loadTokenizer(dir).catch((caught: unknown) => caught);
  if (!(error instanceof TokenizeError)) throw new Error(`expected a TokenizeError, got ${String(error)}`);
  return error;
}

// meta-llama/Meta-Llama-3-8B-Instruct's tokenizer.json post-processor: it prepends <|begin_of_text|>.
const LLAMA3_BOS_POST_PROCESSOR = {
  type: "Sequence",
  processors: [
    { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: {
        "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] },
      },
    },
  ],
};

describe("Qwen3 tokenizer", () => {
  test("encodes words to their vocabulary ids", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const v = vocab("qwen3");
    expect(qwen3.encode("Hello world", false)).toEqual([9707, 1879]);
    expect(qwen3.encode("The cat sat on the mat.", false)).toEqual(
      ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."].map((token) => v[token] ?? -1),
    );
  });

  test("encodes special-token text to the special ids", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(qwen3.encode("<|im_start|>user\nHello<|im_end|>", false)).toEqual([
      151644, 872, 198, 9707, 151645,
    ]);
  });

  test("adds no BOS for completions because its post-processor has none", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(qwen3.encode("Hello world", true)).toEqual(qwen3.encode("Hello world", false));
  });

  test("decodes back to the text, special tokens included", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    for (const text of [
      "Hello world",
      "Héllo 👋 日本語 — ok?",
      "<|im_start|>user\nx<|im_end|>\n",
      "  two  spaces ",
    ]) {
      expect(qwen3.decode(qwen3.encode(text, false))).toBe(text);
    }
    expect(qwen3.decode([])).toBe("");
  });

  test("reports the EOS id of tokenizer_config.json and the full id space", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(qwen3.eosTokenId).toBe(151645);
    expect(qwen3.vocabSize).toBe(151669);
    expect(qwen3.name).toBe(fixtureModelDir("qwen3"));
  });

  test("encodeChat tokenizes the rendered chat without extra special tokens", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const messages = [{ role: "user", content: "Hello" }];
    expect(qwen3.encodeChat(messages)).toEqual([151644, 872, 198, 9707, 151645, 198, 151644, 77091, 198]);
    expect(qwen3.encodeChat(messages)).toEqual(qwen3.encode(qwen3.renderChat(messages), false));
  });

  test("rejects ids outside the vocabulary", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(() => qwen3.decode([9707, 10_000_000])).toThrow(TokenizeError);
    expect(() => qwen3.decode([-1])).toThrow("token id -1 is not in the vocabulary");
  });
});

describe("Llama-3 tokenizer", () => {
  test("encodes words to their vocabulary ids", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    const v = vocab("llama3");
    expect(llama3.encode("Hello world", false)).toEqual([9906, 1917]);
    expect(llama3.encode("The cat sat on the mat.", false)).toEqual(
      ["The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."].map((token) => v[token] ?? -1),
    );
  });

  test("puts exactly one BOS at the start of a chat prompt: the template's, not the post-processor's", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    const ids = llama3.encodeChat([{ role: "user", content: "Hello" }]);
    expect(ids).toEqual([128000, 128006, 882, 128007, 271, 9906, 128009, 128006, 78191, 128007, 271]);
  });

  test("reports <|end_of_text|> as EOS", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    expect(llama3.eosTokenId).toBe(128001);
    expect(llama3.vocabSize).toBe(128256);
  });
});

describe("BOS from the tokenizer.json post-processor", () => {
  test("completions get BOS, chat prompts do not get a second one", async () => {
    const tokenizerJson = {
      ...readFixtureJson("llama3", "tokenizer.json"),
      post_processor: LLAMA3_BOS_POST_PROCESSOR,
    };
    const dir = modelDir(
      { "tokenizer.json": tokenizerJson },
      { "tokenizer_config.json": join(fixtureModelDir("llama3"), "tokenizer_config.json") },
    );
    const llama3 = await loadTokenizer(dir);
    expect(llama3.encode("Hello world", true)).toEqual([128000, 9906, 1917]);
    expect(llama3.encode("Hello world", false)).toEqual([9906, 1917]);
    const chatIds = llama3.encodeChat([{ role: "user", content: "Hello" }]);
    expect(chatIds.filter((id) => id === 128000)).toEqual([128000]);
    expect(chatIds[0]).toBe(128000);
  });
});

describe("sampleTokenId", () => {
  test.each(["qwen3", "llama3"] as const)(
    "%s: returns non-special ids that decode to ASCII words",
    async (name) => {
      const tokenizer = await loadFixtureTokenizer(name);
      const ids = Array.from({ length: 500 }, (_, i) => tokenizer.sampleTokenId(i / 500));
      expect(new Set(ids).size).toBeGreaterThan(400);
      for (const id of ids) {
        expect(tokenizer.decode([id])).toMatch(/^[ A-Za-z]+$/);
        expect(tokenizer.encode(tokenizer.decode([id]), false)).toEqual([id]);
      }
      expect(tokenizer.sampleTokenId(0.999_999)).toBe(tokenizer.sampleTokenId(1));
      expect(tokenizer.sampleTokenId(0)).toBe(tokenizer.sampleTokenId(-1));
    },
  );
});

describe("performance", () => {
  test("encodes 1000 short prompts fast: the tokenizer is built once, not per call", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const started = performance.now();
    for (let i = 0; i < 1000; i++) qwen3.encode(`request ${i}: summarise the quarterly report`, true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("model directory errors", () => {
  test("wraps a tokenizer.json the library cannot build, naming the file", async () => {
    const broken = {
      model: { type: "NoSuchModel" },
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
    };
    const error = await loadError(modelDir({ "tokenizer.json": broken, "tokenizer_config.json": {} }));
    expect(error.code).toBe("kvcache_tokenizer_unsupported");
    expect(error.source).toEndWith("tokenizer.json");
    expect(error.cause).toBeInstanceOf(Error);
  });
});
