// Error catalogue of prompt tokenization: model files, chat templates and chat request content.

/** Each code's message, and the HTTP status when a client request can cause it. */
export const TOKENIZE_ERRORS = {
  kvcache_tokenizer_file_missing: { message: "a tokenizer file is missing from the model directory" },
  kvcache_tokenizer_file_invalid: { message: "a tokenizer file is not valid JSON or has the wrong shape" },
  kvcache_tokenizer_unsupported: { message: "the tokenizer cannot be built from tokenizer.json" },
  kvcache_chat_template_missing: { message: "the model has no chat template", httpStatus: 400 },
  kvcache_chat_template_invalid: { message: "the chat template does not parse", httpStatus: 400 },
  kvcache_chat_template_failed: { message: "rendering the chat template failed", httpStatus: 400 },
  kvcache_chat_content_unsupported: { message: "a message content part is not text", httpStatus: 400 },
  kvcache_chat_options_invalid: { message: "the chat rendering options conflict", httpStatus: 400 },
  kvcache_token_id_invalid: { message: "a token id is outside the vocabulary", httpStatus: 400 },
} as const satisfies Record<string, { readonly message: string; readonly httpStatus?: number }>;

export type TokenizeErrorCode = keyof typeof TOKENIZE_ERRORS;

/** Raised for failed tokenizer I/O and for chat requests vLLM would reject; `source` names the file or field. */
export class TokenizeError extends Error {
  readonly code: TokenizeErrorCode;
  readonly source: string;

  constructor(code: TokenizeErrorCode, source: string, detail: string, options?: ErrorOptions) {
    super(`${TOKENIZE_ERRORS[code].message} (${source}): ${detail}`, options);
    this.name = "TokenizeError";
    this.code = code;
    this.source = source;
  }
}
