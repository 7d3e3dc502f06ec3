// The section cache: identical ids to a full encode (real vocabularies, random prompts), and reuse of
// the sections it has seen (a recording fake encoder).
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadTokenizer, type PromptTokenizer } from "../../../src/kvcache/tokenize/index.ts";
import {
  type AddedTokenInfo,
  createSectionCache,
  MIN_CACHED_SECTION_CHARS,
  type SectionCache,
} from "../../../src/kvcache/tokenize/section-cache.ts";
import {
  type FixtureModel,
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

// mulberry32: deterministic, so a failure reproduces from the seed in the assertion.
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

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("empty list");
  return item;
}

/** Random prompt text: words, whitespace runs and unicode around the given special tokens. */
function randomPrompt(random: () => number, specials: readonly string[], pieces: number): string {
  const words = [
    "hello",
    " world",
    "  ",
    "\n\n",
    "\t",
    " café",
    " 日本語",
    "🙂",
    "123",
    " x",
    ".",
    " <|fake|>",
    "<",
  ];
  let text = "";
  for (let i = 0; i < pieces; i++) {
    text +=
      random() < 0.15 ? pick(random, specials) : pick(random, words).repeat(1 + Math.floor(random() * 60));
  }
  return text;
}

async function uncached(dir: string): Promise<PromptTokenizer> {
  return loadTokenizer(dir, { sectionCacheChars: 0 });
}

describe("same ids as a full encode", () => {
  test.each([
    ["qwen3", ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>"]],
    ["llama3", ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]],
  ] as const)("%s: random prompts, with and without special tokens", async (name, specials) => {
    const cached = await loadFixtureTokenizer(name as FixtureModel);
    const reference = await uncached(fixtureModelDir(name as FixtureModel));
    const seed = name.length * 1_000;
    const random = rng(seed);
    for (let i = 0; i < 40; i++) {
      const text = randomPrompt(random, specials, 5 + Math.floor(random() * 30));
      for (const addSpecialTokens of [false, true]) {
        const got = cached.encode(text, addSpecialTokens);
        const expected = reference.encode(text, addSpecialTokens);
        expect({ seed, i, addSpecialTokens, same: got.join() === expected.join() }).toEqual({
          seed,
          i,
          addSpecialTokens,
          same: true,
        });
      }
    }
  });

  test("a long multi-turn chat encodes the same when its earlier turns come from the cache", async () => {
    const cached = await loadFixtureTokenizer("qwen3");
    const reference = await uncached(fixtureModelDir("qwen3"));
    const messages = [
      { role: "system", content: "You are a careful reviewer. ".repeat(200) },
      { role: "user", content: "Please review this diff:\n+ added line\n- removed line\n".repeat(100) },
      { role: "assistant", content: "Looks good overall; two nits.\n".repeat(50) },
    ];
    cached.encodeChat(messages);
    const next = [...messages, { role: "user", content: "And the tests?" }];
    expect(cached.encodeChat(next)).toEqual(reference.encodeChat(next));
  });

  test("the post-processor's BOS is added once around cached sections", async () => {
    const tokenizerJson = readFixtureJson("llama3", "tokenizer.json");
    tokenizerJson.post_processor = {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
      ],
      pair: [{ Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: {
        "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] },
      },
    };
    const made = tempModelDir(
      { "tokenizer.json": tokenizerJson },
      { "tokenizer_config.json": join(fixtureModelDir("llama3"), "tokenizer_config.json") },
    );
    created.push(made);
    const text = `${"some long text ".repeat(40)}<|eot_id|>${"more text ".repeat(40)}`;
    const cached = await loadTokenizer(made.dir);
    const reference = await uncached(made.dir);
    expect(cached.encode(text, true)).toEqual(reference.encode(text, true));
    expect(cached.encode(text, true)[0]).toBe(128000);
    expect(cached.encode(text, false)).toEqual(reference.encode(text, false));
  });

  test("a Metaspace pre-tokenizer that prefixes only the first section", async () => {
    const chars = "abcdefghijklmnopqrstuvwxyz▁".split("");
    const vocab: Record<string, number> = { "<s>": 0, "<unk>": 1 };
    for (const [i, char] of chars.entries()) vocab[char] = i + 2;
    const tokenizerJson = {
      version: "1.0",
      added_tokens: [
        {
          id: 0,
          content: "<s>",
          special: true,
          normalized: false,
          lstrip: false,
          rstrip: false,
          single_word: false,
        },
      ],
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false },
      post_processor: null,
      decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false },
      model: {
        type: "BPE",
        vocab,
        merges: [],
        unk_token: "<unk>",
        byte_fallback: false,
        ignore_merges: false,
      },
    };
    const made = tempModelDir({ "tokenizer.json": tokenizerJson, "tokenizer_config.json": {} });
    created.push(made);
    const cached = await loadTokenizer(made.dir);
    const reference = await uncached(made.dir);
    const text = `${"hello world ".repeat(30)}<s>${"again here ".repeat(30)}<s>tail`;
    const ids = reference.encode(text, false);
    // Only the first section gets the prefix "▁": the text after <s> starts with "a" in context.
    expect(ids[0]).toBe(vocab["▁"] ?? -1);
    expect(ids[ids.indexOf(0) + 1]).toBe(vocab.a ?? -1);
    expect(cached.encode(text, false)).toEqual(ids);
    expect(cached.encode(`<s>${text}`, false)).toEqual(reference.encode(`<s>${text}`, false));
  });
});

describe("reuse", () => {
  interface Recorder {
    readonly cache: SectionCache;
    readonly calls: string[];
  }

  // A fake encoder: one id per UTF-16 unit, and 7 in front when special tokens are added.
  function recorder(addedTokens: readonly AddedTokenInfo[], isFirstSectionSpecial = false): Recorder {
    const calls: string[] = [];
    const cache = createSectionCache({
      addedTokens,
      isFirstSectionSpecial,
      maxCachedChars: 1_000_000,
      encode(text, addSpecialTokens) {
        calls.push(text);
        const anchorAt = text.startsWith("<s>") ? 3 : 0;
        const ids = [...text.slice(anchorAt)].map((char) => char.charCodeAt(0));
        return [...(addSpecialTokens ? [7] : []), ...(anchorAt > 0 ? [1000] : []), ...ids];
      },
    });
    if (cache === null) throw new Error("expected a section cache");
    calls.length = 0;
    return { cache, calls };
  }

  const S: AddedTokenInfo = { content: "<s>", id: 1000, lstrip: false, rstrip: false, isMatchedRaw: true };
  const E: AddedTokenInfo = { content: "<e>", id: 1001, lstrip: true, rstrip: true, isMatchedRaw: true };
  const long = (char: string) => char.repeat(MIN_CACHED_SECTION_CHARS);

  test("encodes a section seen before without calling the tokenizer again", () => {
    const { cache, calls } = recorder([S, E]);
    cache.encode(`<s>${long("a")}<s>${long("b")}`, false);
    expect(calls).toEqual([long("a"), long("b")]);
    calls.length = 0;
    const ids = cache.encode(`<s>${long("a")}<s>${long("c")}`, false);
    expect(calls).toEqual([long("c")]);
    expect(ids.length).toBe(2 + 2 * MIN_CACHED_SECTION_CHARS);
  });

  test("trims whitespace beside tokens with lstrip and rstrip before encoding", () => {
    const { cache, calls } = recorder([S, E]);
    cache.encode(`${long("a")}  <e>  ${long("b")}`, false);
    expect(calls).toEqual([long("a"), long("b")]);
  });

  test("adds the probed special-token wrap once", () => {
    const { cache } = recorder([S, E]);
    const ids = cache.encode(`${long("a")}<s>${long("b")}`, true);
    expect(ids[0]).toBe(7);
    expect(ids.filter((id) => id === 7)).toEqual([7]);
  });

  test("encodes later sections behind the anchor when the first section is special", () => {
    const { cache, calls } = recorder([S, E], true);
    cache.encode(`${long("a")}<e>${long("b")}`, false);
    expect(calls).toEqual([long("a"), `<s>${long("b")}`]);
  });

  test("is not created without an added token usable as anchor", () => {
    const rstripOnly = { ...E, lstrip: false };
    expect(
      createSectionCache({
        addedTokens: [rstripOnly],
        isFirstSectionSpecial: false,
        maxCachedChars: 1,
        encode: () => [],
      }),
    ).toBeNull();
  });
});
