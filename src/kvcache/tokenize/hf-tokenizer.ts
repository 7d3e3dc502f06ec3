// A PromptTokenizer over a Hugging Face model directory: @huggingface/tokenizers for ids (the same
// results as vLLM's Rust fast tokenizer) and @huggingface/jinja for the chat template.
import { Tokenizer } from "@huggingface/tokenizers";
import { ChatRenderer, type SpecialTokenVariables } from "./chat-template.ts";
import { TokenizeError } from "./errors.ts";
import {
  type ModelFiles,
  readModelFiles,
  SPECIAL_TOKEN_KEYS,
  specialTokenText,
  TOKENIZER_JSON,
  type TokenizerConfig,
  type TokenizerJson,
} from "./model-files.ts";
import { buildSampleTable, pickFromTable } from "./sample-table.ts";
import { createSectionCache, type SectionCache } from "./section-cache.ts";
import type { ChatMessage, ChatRenderOptions, PromptTokenizer } from "./types.ts";

export interface LoadTokenizerOptions {
  /** Clock for the template's `strftime_now`; defaults to the wall clock. */
  readonly now?: () => Date;
  /**
   * Bound on the text of cached sections between added tokens, in UTF-16 code units (about 2 bytes
   * each, plus 4 bytes per cached token id); 0 disables the cache.
   */
  readonly sectionCacheChars?: number;
}

/** Default section-cache bound: about 2M tokens of prompt text. */
export const DEFAULT_SECTION_CACHE_CHARS = 8_000_000;

/**
 * Loads tokenizer.json, tokenizer_config.json and the chat template(s) of `modelDir`. Takes a few hundred ms
 * for a 10 MB tokenizer.json; call once at startup. Throws TokenizeError naming the file at fault.
 */
export async function loadTokenizer(
  modelDir: string,
  options: LoadTokenizerOptions = {},
): Promise<PromptTokenizer> {
  const files = await readModelFiles(modelDir);
  const tokenizer = buildTokenizer(files);
  const renderer = new ChatRenderer({
    templates: files.chatTemplates,
    templateSource: files.chatTemplateSource,
    specialTokens: specialTokenVariables(files.tokenizerConfig),
    now: options.now ?? (() => new Date()),
  });
  const maxCachedChars = options.sectionCacheChars ?? DEFAULT_SECTION_CACHE_CHARS;
  return new HfPromptTokenizer(modelDir, tokenizer, files, renderer, maxCachedChars);
}

class HfPromptTokenizer implements PromptTokenizer {
  readonly name: string;
  readonly eosTokenId: number | null;
  readonly vocabSize: number;
  readonly #tokenizer: Tokenizer;
  readonly #renderer: ChatRenderer;
  readonly #shouldCleanUpSpaces: boolean;
  readonly #sampleTable: Int32Array;
  readonly #sectionCache: SectionCache | null;

  constructor(
    name: string,
    tokenizer: Tokenizer,
    files: ModelFiles,
    renderer: ChatRenderer,
    maxCachedChars: number,
  ) {
    this.name = name;
    this.#tokenizer = tokenizer;
    this.#renderer = renderer;
    this.vocabSize = tokenizer.model?.vocab.length ?? 0;
    const eos = specialTokenText(files.tokenizerConfig.eos_token);
    this.eosTokenId = eos === null ? null : (tokenizer.token_to_id(eos) ?? null);
    // transformers defaults clean_up_tokenization_spaces to false when the config omits it.
    this.#shouldCleanUpSpaces = files.tokenizerConfig.clean_up_tokenization_spaces ?? false;
    this.#sampleTable = this.#buildSampleTable();
    this.#sectionCache =
      maxCachedChars > 0 ? this.#createSectionCache(files.tokenizerJson, maxCachedChars) : null;
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    if (this.#sectionCache !== null) return this.#sectionCache.encode(text, addSpecialTokens);
    return this.#encodeDirect(text, addSpecialTokens);
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return "";
    const unknown = ids.find((id) => !this.#isKnownId(id));
    if (unknown !== undefined) {
      throw new TokenizeError(
        "kvcache_token_id_invalid",
        this.name,
        `token id ${unknown} is not in the vocabulary`,
      );
    }
    return this.#tokenizer.decode([...ids], {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: this.#shouldCleanUpSpaces,
    });
  }

  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string {
    return this.#renderer.render(messages, options);
  }

  encodeChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): number[] {
    return this.encode(this.renderChat(messages, options), false);
  }

  sampleTokenId(random01: number): number {
    return pickFromTable(this.#sampleTable, random01);
  }

  #buildSampleTable(): Int32Array {
    const specialIds = new Set(this.#tokenizer.get_added_tokens_decoder().keys());
    const table = buildSampleTable({
      vocabSize: this.vocabSize,
      isSpecial: (id) => specialIds.has(id),
      rawToken: (id) => this.#tokenizer.id_to_token(id),
      decodeOne: (id) => this.#tokenizer.decode([id], { clean_up_tokenization_spaces: false }),
    });
    if (table.length === 0) {
      throw new TokenizeError(
        "kvcache_tokenizer_unsupported",
        this.name,
        "no token decodes to a printable word",
      );
    }
    return table;
  }

  #encodeDirect(text: string, addSpecialTokens: boolean): number[] {
    return this.#tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  #isKnownId(id: number): boolean {
    return (
      Number.isInteger(id) && id >= 0 && id < this.vocabSize && this.#tokenizer.id_to_token(id) !== undefined
    );
  }

  #createSectionCache(tokenizerJson: TokenizerJson, maxCachedChars: number): SectionCache | null {
    const hasNormalizer = tokenizerJson.normalizer !== null && tokenizerJson.normalizer !== undefined;
    return createSectionCache({
      addedTokens: tokenizerJson.added_tokens.map((token) => ({
        content: token.content,
        id: token.id,
        lstrip: token.lstrip ?? false,
        rstrip: token.rstrip ?? false,
        // The library's rule: tokens normalised like text are matched after normalisation.
        isMatchedRaw: !((token.normalized ?? !token.special) && hasNormalizer),
      })),
      encode: (text, addSpecialTokens) => this.#encodeDirect(text, addSpecialTokens),
      isFirstSectionSpecial: hasFirstOnlyMetaspace(tokenizerJson.pre_tokenizer),
      maxCachedChars,
    });
  }
}

function buildTokenizer(files: ModelFiles): Tokenizer {
  // The library compares additional_special_tokens as strings; configs may hold AddedToken objects.
  const additional = (files.tokenizerConfig.additional_special_tokens ?? []).map(specialTokenText);
  const config = {
    ...files.tokenizerConfig,
    additional_special_tokens: additional.filter((t) => t !== null),
  };
  try {
    return new Tokenizer(files.tokenizerJson, config);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new TokenizeError("kvcache_tokenizer_unsupported", `${files.dir}/${TOKENIZER_JSON}`, detail, {
      cause,
    });
  }
}

// Metaspace with prepend_scheme "first" adds its prefix space only to the text's first section.
function hasFirstOnlyMetaspace(preTokenizer: unknown): boolean {
  if (Array.isArray(preTokenizer)) return preTokenizer.some(hasFirstOnlyMetaspace);
  if (typeof preTokenizer !== "object" || preTokenizer === null) return false;
  const record = preTokenizer as Record<string, unknown>;
  if (record.type === "Metaspace" && record.prepend_scheme === "first") return true;
  return Object.values(record).some(hasFirstOnlyMetaspace);
}

// transformers passes `special_tokens_map` to every template; unset tokens stay undefined there.
function specialTokenVariables(config: TokenizerConfig): SpecialTokenVariables {
  const variables: Record<string, string | readonly string[]> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const text = specialTokenText(config[key]);
    if (text !== null) variables[key] = text;
  }
  const additional = (config.additional_special_tokens ?? []).map(specialTokenText);
  if (config.additional_special_tokens)
    variables.additional_special_tokens = additional.filter((t) => t !== null);
  return variables;
}
