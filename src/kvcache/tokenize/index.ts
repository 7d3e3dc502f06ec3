// Public surface of prompt tokenization: HF tokenizer + chat template as vLLM applies them, and a builtin fallback.
export {
  BUILTIN_EOS_TOKEN_ID,
  BUILTIN_SPECIAL_TOKENS,
  BUILTIN_VOCAB_SIZE,
  type BuiltinTokenizerOptions,
  createBuiltinTokenizer,
} from "./builtin-tokenizer.ts";
export { TOKENIZE_ERRORS, TokenizeError, type TokenizeErrorCode } from "./errors.ts";
export { DEFAULT_SECTION_CACHE_CHARS, type LoadTokenizerOptions, loadTokenizer } from "./hf-tokenizer.ts";
export type { ChatContentPart, ChatMessage, ChatRenderOptions, PromptTokenizer } from "./types.ts";
