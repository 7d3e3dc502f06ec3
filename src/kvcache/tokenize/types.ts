// Contract of prompt tokenization as vLLM does it: HF tokenizer + chat template (Jinja).

/** An OpenAI chat message; content may be a string or content parts. Unknown fields are kept. */
export interface ChatMessage {
  readonly role: string;
  readonly content?: string | readonly ChatContentPart[] | null;
  readonly [key: string]: unknown;
}

export interface ChatContentPart {
  readonly type: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

export interface ChatRenderOptions {
  readonly addGenerationPrompt?: boolean;
  readonly continueFinalMessage?: boolean;
  readonly tools?: readonly unknown[] | null;
  readonly chatTemplate?: string | null;
  readonly chatTemplateKwargs?: Readonly<Record<string, unknown>> | null;
}

export interface PromptTokenizer {
  /** "builtin" or the model directory. */
  readonly name: string;
  readonly eosTokenId: number | null;
  readonly vocabSize: number;
  /** Tokenizes text; add_special_tokens follows vLLM (true for /v1/completions, false for chat). */
  encode(text: string, addSpecialTokens: boolean): number[];
  decode(ids: readonly number[]): string;
  /** Renders messages through the model's chat template exactly as vLLM would. */
  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string;
  /** renderChat then encode with add_special_tokens false (vLLM's chat default). */
  encodeChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): number[];
  /** A non-special token id that decodes to printable text, chosen by `random01` in [0,1): the simulator's "model output". */
  sampleTokenId(random01: number): number;
}
