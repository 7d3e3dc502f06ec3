// The builtin tokenizer: exact round trips, prefix-stable ids, ChatML rendering and printable samples.
import { describe, expect, test } from "bun:test";
import {
  BUILTIN_EOS_TOKEN_ID,
  BUILTIN_VOCAB_SIZE,
  createBuiltinTokenizer,
  TokenizeError,
} from "../../../src/kvcache/tokenize/index.ts";

const tokenizer = createBuiltinTokenizer();

// Deterministic pseudo-random source (mulberry32) so failures reproduce from the printed seed.
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ALPHABET = [
  "a",
  "b",
  " ",
  "\n",
  "é",
  "ß",
  "日",
  "本",
  "👋",
  "🎉",
  "<",
  "|",
  ">",
  "\u0000",
  "\u{10FFFF}",
];

function randomText(random: () => number, length: number): string {
  return Array.from({ length }, () => ALPHABET[Math.floor(random() * ALPHABET.length)] ?? "a").join("");
}

describe("encode and decode", () => {
  test("packs each 3-byte chunk into one id above the special ids", () => {
    // "abcd" -> "abc" (length 3) and "d" (length 1), each id = 3 + (length << 24 | bytes).
    expect(tokenizer.encode("abcd", false)).toEqual([3 + ((3 << 24) | 0x616263), 3 + ((1 << 24) | 0x640000)]);
    expect(tokenizer.encode("", true)).toEqual([]);
  });

  test("encodes special-token strings to their ids, with or without add_special_tokens", () => {
    const ids = tokenizer.encode("<|im_start|>hi<|im_end|><|endoftext|>", true);
    expect(ids).toEqual([1, 3 + ((2 << 24) | 0x686900), 2, 0]);
    expect(tokenizer.encode("<|im_start|>hi<|im_end|><|endoftext|>", false)).toEqual(ids);
  });

  test("round-trips unicode text exactly", () => {
    for (const text of [
      "héllo wörld",
      "日本語のテキスト",
      "emoji 👋🏽‍♀️ and ZWJ 👨‍👩‍👧",
      "tab\tnull\u0000end",
      "<|im_start|>x<|im_end",
    ]) {
      expect(tokenizer.decode(tokenizer.encode(text, false))).toBe(text);
    }
  });

  test("round-trips random strings", () => {
    const seed = 20_251_121;
    const random = rng(seed);
    for (let i = 0; i < 300; i++) {
      const text = randomText(random, Math.floor(random() * 60));
      expect({ seed, text, decoded: tokenizer.decode(tokenizer.encode(text, false)) }).toEqual({
        seed,
        text,
        decoded: text,
      });
    }
  });

  test("rejects ids outside the id space", () => {
    expect(() => tokenizer.decode([3])).toThrow(TokenizeError);
    expect(() => tokenizer.decode([BUILTIN_VOCAB_SIZE])).toThrow("not in the vocabulary");
    expect(() => tokenizer.decode([-1])).toThrow(TokenizeError);
  });
});

describe("prefix stability", () => {
  test("texts sharing a prefix share the ids of every complete chunk of it", () => {
    const seed = 7;
    const random = rng(seed);
    const encoder = new TextEncoder();
    for (let i = 0; i < 200; i++) {
      const prefix = randomText(random, 1 + Math.floor(random() * 40)).replaceAll("<", "[");
      const a = tokenizer.encode(prefix + randomText(random, 20), false);
      const b = tokenizer.encode(prefix + randomText(random, 20), false);
      const shared = Math.floor(encoder.encode(prefix).length / 3);
      expect({ seed, prefix, ids: a.slice(0, shared) }).toEqual({ seed, prefix, ids: b.slice(0, shared) });
    }
  });

  test("chat prompts with the same system message share a token prefix", () => {
    const system = { role: "system", content: "You are a meticulous assistant. ".repeat(20) };
    const a = tokenizer.encodeChat([system, { role: "user", content: "first question" }]);
    const b = tokenizer.encodeChat([system, { role: "user", content: "another one" }]);
    const systemTokens = tokenizer.encode(
      tokenizer.renderChat([system], { addGenerationPrompt: false }),
      false,
    );
    expect(a.slice(0, systemTokens.length)).toEqual(systemTokens);
    expect(b.slice(0, systemTokens.length)).toEqual(systemTokens);
  });
});

describe("chat template", () => {
  test("renders ChatML with a generation prompt", () => {
    const text = tokenizer.renderChat([
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Hi" }] },
    ]);
    expect(text).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("renders without a generation prompt, and continues a final assistant message", () => {
    const messages = [
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hel" },
    ];
    expect(tokenizer.renderChat(messages, { addGenerationPrompt: false })).toBe(
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHel<|im_end|>\n",
    );
    expect(tokenizer.renderChat(messages, { continueFinalMessage: true })).toBe(
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHel",
    );
  });

  test("renders tools and tool calls", () => {
    const text = tokenizer.renderChat(
      [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "1", type: "function", function: { name: "w", arguments: "{}" } }],
        },
      ],
      { tools: [{ type: "function", function: { name: "w" } }], addGenerationPrompt: false },
    );
    expect(text).toBe(
      '<|im_start|>system\n# Tools\n{"type": "function", "function": {"name": "w"}}\n<|im_end|>\n' +
        "<|im_start|>user\nWeather?<|im_end|>\n" +
        '<|im_start|>assistant\n<tool_call>{"name": "w", "arguments": {}}</tool_call><|im_end|>\n',
    );
  });

  test("encodes the ChatML markers as special ids", () => {
    const ids = tokenizer.encodeChat([{ role: "user", content: "Hi" }]);
    expect(ids.filter((id) => id < 3)).toEqual([1, 2, 1]);
    expect(tokenizer.decode(ids)).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  });
});

describe("metadata and sampling", () => {
  test("names itself builtin, uses <|endoftext|> as EOS and spans the packed id space", () => {
    expect(tokenizer.name).toBe("builtin");
    expect(tokenizer.eosTokenId).toBe(BUILTIN_EOS_TOKEN_ID);
    expect(tokenizer.decode([BUILTIN_EOS_TOKEN_ID])).toBe("<|endoftext|>");
    expect(BUILTIN_VOCAB_SIZE).toBe(3 + (4 << 24));
    expect(Math.max(...tokenizer.encode("\u{10FFFF}\u{10FFFF}", false))).toBeLessThan(BUILTIN_VOCAB_SIZE);
  });

  test("samples ids that decode to three lowercase letters or spaces", () => {
    const ids = Array.from({ length: 1000 }, (_, i) => tokenizer.sampleTokenId(i / 1000));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(tokenizer.decode([id])).toMatch(/^[a-z ]{3}$/);
    expect(tokenizer.decode([tokenizer.sampleTokenId(0)])).toBe("aaa");
    expect(tokenizer.decode([tokenizer.sampleTokenId(0.999_999_9)])).toBe("   ");
    expect(tokenizer.sampleTokenId(1)).toBe(tokenizer.sampleTokenId(0.999_999_9));
  });
});
