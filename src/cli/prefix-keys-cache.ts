// Recently computed request block keys by prompt, so a repeated prompt (retries, fan-out of one
// prompt, benchmark loops) skips tokenizing and hashing. Bounded by entries and by total blocks.
import type { PrefixKeysInput } from "../gateway/index.ts";
import type { PrefixKeys } from "../scheduler/index.ts";

/** 1024 prompts or 2^18 blocks (2 MiB of keys), whichever is reached first. */
const MAX_ENTRIES = 1024;
const MAX_BLOCKS = 1 << 18;

/** Body fields that change the prompt's tokens or block hashes (vllm-interfaces §2.3, request-keys-prompt.ts). */
const PROMPT_FIELDS = [
  "messages",
  "prompt",
  "prompt_embeds",
  "tools",
  "chat_template",
  "chat_template_kwargs",
  "add_generation_prompt",
  "continue_final_message",
  "add_special_tokens",
  "cache_salt",
] as const;

export interface PromptDigest {
  /**
   * A 64-bit digest of everything the keys depend on. A collision (odds about 2^-64 per pair) would
   * only mis-score one routing decision, never change what the engine computes.
   */
  readonly key: bigint;
  /** Characters of the prompt fields as JSON: an upper bound on what the tokenizer reads. */
  readonly chars: number;
}

export function promptDigest(kind: string, input: PrefixKeysInput, blockSize: number): PromptDigest {
  const parts: unknown[] = [kind, input.model, input.loraName, blockSize];
  for (const field of PROMPT_FIELDS) parts.push(input.body[field] ?? null);
  const text = JSON.stringify(parts);
  return { key: Bun.hash.wyhash(text), chars: text.length };
}

/** LRU over Map insertion order. Not thread-safe; one per node. */
export class PromptKeysCache {
  readonly #entries = new Map<bigint, PrefixKeys>();
  #blocks = 0;

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxBlocks = MAX_BLOCKS,
  ) {}

  get(key: bigint): PrefixKeys | undefined {
    const keys = this.#entries.get(key);
    if (keys !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, keys);
    }
    return keys;
  }

  set(key: bigint, keys: PrefixKeys): void {
    if (keys.keys.length > this.maxBlocks) return;
    this.#remove(key);
    this.#entries.set(key, keys);
    this.#blocks += keys.keys.length;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries && this.#blocks <= this.maxBlocks) break;
      this.#remove(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  #remove(key: bigint): void {
    const keys = this.#entries.get(key);
    if (keys === undefined) return;
    this.#entries.delete(key);
    this.#blocks -= keys.keys.length;
  }
}
