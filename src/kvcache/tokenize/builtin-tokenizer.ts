// The tokenizer used when a model has no tokenizer files: UTF-8 bytes in chunks of three, each chunk one
// id, so any text round-trips exactly and texts sharing a prefix share their leading ids. ChatML chat format.
import { ChatRenderer } from "./chat-template.ts";
import { TokenizeError } from "./errors.ts";
import type { ChatMessage, ChatRenderOptions, PromptTokenizer } from "./types.ts";

/** Special tokens by id; their strings in text encode to these ids. */
export const BUILTIN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;
export const BUILTIN_EOS_TOKEN_ID = 0;

const SPECIAL_COUNT = BUILTIN_SPECIAL_TOKENS.length;
const CHUNK_BYTES = 3;
// A chunk's id: SPECIAL_COUNT + (length << 24 | bytes packed big-endian, missing bytes zero).
const LENGTH_SHIFT = 24;
export const BUILTIN_VOCAB_SIZE = SPECIAL_COUNT + ((CHUNK_BYTES + 1) << LENGTH_SHIFT);

// Sampled output is three characters from this alphabet, so it decodes to lowercase words and spaces.
const SAMPLE_ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

const SPECIAL_PATTERN = new RegExp(BUILTIN_SPECIAL_TOKENS.map((t) => t.replace(/\|/g, "\\|")).join("|"), "g");

// trim_blocks and lstrip_blocks are on (as in transformers), and every tag strips its whitespace.
const BUILTIN_CHAT_TEMPLATE = String.raw`
{%- if tools -%}
  {{- '<|im_start|>system\n# Tools\n' -}}
  {%- for tool in tools -%}{{- tool | tojson -}}{{- '\n' -}}{%- endfor -%}
  {{- '<|im_end|>\n' -}}
{%- endif -%}
{%- for message in messages -%}
  {{- '<|im_start|>' + message.role + '\n' + message.content -}}
  {%- if message.tool_calls -%}
    {%- for call in message.tool_calls -%}
      {%- if message.content or not loop.first -%}{{- '\n' -}}{%- endif -%}
      {{- '<tool_call>' + (call.function | tojson) + '</tool_call>' -}}
    {%- endfor -%}
  {%- endif -%}
  {{- '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}
`;

export interface BuiltinTokenizerOptions {
  /** Clock for the template's `strftime_now`; defaults to the wall clock. */
  readonly now?: () => Date;
}

/**
 * Deterministic and exactly invertible for well-formed strings. `addSpecialTokens` changes nothing:
 * there is no BOS. The chat template is ChatML (`<|im_start|>{role}\n{content}<|im_end|>\n`).
 */
export function createBuiltinTokenizer(options: BuiltinTokenizerOptions = {}): PromptTokenizer {
  const renderer = new ChatRenderer({
    templates: new Map([["default", BUILTIN_CHAT_TEMPLATE]]),
    templateSource: "builtin chat template",
    specialTokens: { eos_token: "<|endoftext|>" },
    now: options.now ?? (() => new Date()),
  });
  return {
    name: "builtin",
    eosTokenId: BUILTIN_EOS_TOKEN_ID,
    vocabSize: BUILTIN_VOCAB_SIZE,
    encode: (text) => encodeBuiltin(text),
    decode: (ids) => decodeBuiltin(ids),
    renderChat: (messages: readonly ChatMessage[], renderOptions?: ChatRenderOptions) =>
      renderer.render(messages, renderOptions),
    encodeChat: (messages: readonly ChatMessage[], renderOptions?: ChatRenderOptions) =>
      encodeBuiltin(renderer.render(messages, renderOptions)),
    sampleTokenId: (random01) => sampleBuiltin(random01),
  };
}

function encodeBuiltin(text: string): number[] {
  const encoder = new TextEncoder();
  const ids: number[] = [];
  let start = 0;
  for (const match of text.matchAll(SPECIAL_PATTERN)) {
    pushChunks(encoder.encode(text.slice(start, match.index)), ids);
    ids.push(BUILTIN_SPECIAL_TOKENS.indexOf(match[0] as (typeof BUILTIN_SPECIAL_TOKENS)[number]));
    start = match.index + match[0].length;
  }
  pushChunks(encoder.encode(text.slice(start)), ids);
  return ids;
}

function pushChunks(bytes: Uint8Array, ids: number[]): void {
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    const length = Math.min(CHUNK_BYTES, bytes.length - offset);
    let packed = 0;
    for (let i = 0; i < CHUNK_BYTES; i++)
      packed = (packed << 8) | (i < length ? (bytes[offset + i] ?? 0) : 0);
    ids.push(SPECIAL_COUNT + ((length << LENGTH_SHIFT) | packed));
  }
}

function decodeBuiltin(ids: readonly number[]): string {
  const decoder = new TextDecoder();
  const bytes: number[] = [];
  let text = "";
  for (const id of ids) {
    const special = BUILTIN_SPECIAL_TOKENS[id];
    if (special !== undefined) {
      text += decoder.decode(Uint8Array.from(bytes)) + special;
      bytes.length = 0;
      continue;
    }
    const chunk = id - SPECIAL_COUNT;
    const length = chunk >>> LENGTH_SHIFT;
    if (!Number.isInteger(id) || chunk < 0 || length < 1 || length > CHUNK_BYTES) {
      throw new TokenizeError(
        "kvcache_token_id_invalid",
        "builtin",
        `token id ${id} is not in the vocabulary`,
      );
    }
    for (let i = 0; i < length; i++) bytes.push((chunk >>> (8 * (CHUNK_BYTES - 1 - i))) & 0xff);
  }
  return text + decoder.decode(Uint8Array.from(bytes));
}

function sampleBuiltin(random01: number): number {
  const base = SAMPLE_ALPHABET.length;
  const combinations = base ** CHUNK_BYTES;
  const index = Math.min(combinations - 1, Math.max(0, Math.floor(random01 * combinations)));
  let packed = 0;
  for (let i = CHUNK_BYTES - 1; i >= 0; i--) {
    packed = (packed << 8) | SAMPLE_ALPHABET.charCodeAt(Math.floor(index / base ** i) % base);
  }
  return SPECIAL_COUNT + ((CHUNK_BYTES << LENGTH_SHIFT) | packed);
}
