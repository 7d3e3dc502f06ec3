// Request-side block keys for the prefix index: the prompt tokenized exactly as vLLM will (model
// tokenizer + chat template; a worker thread for long prompts; an engine's render endpoint when no
// tokenizer files exist), then vLLM's block hashes. Async: the gateway awaits it before scheduling.
import type { BlockHasher } from "./block-hash-types.ts";
import {
  blockKeysOf,
  hashContextOf,
  type PromptSpec,
  promptChars,
  promptOf,
  type RequestKind,
  tokenizePrompt,
} from "./request-keys-prompt.ts";
import { type FetchLike, renderTokenIds } from "./request-keys-render.ts";
import type { RequestKeysWorker } from "./request-keys-worker-client.ts";
import type { PromptTokenizer } from "./tokenize/types.ts";

/** Prompts with at least this many characters go to the worker: ~4k tokens, ~5-20 ms to tokenize cold. */
export const DEFAULT_WORKER_MIN_CHARS = 16_384;

export interface RequestKeysInput {
  readonly kind: RequestKind;
  /** The OpenAI request body as the client sent it. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The LoRA adapter the request's model names (pool.resolveModel), or null for the base model. */
  readonly loraName: string | null;
}

export interface RequestKeysDeps {
  /** The hasher of the engines' algo and PYTHONHASHSEED. */
  readonly hasher: BlockHasher;
  /** The engines' block size (tokens per KV block). */
  readonly blockSize: number;
  /** The model's tokenizer; null when no tokenizer files are available. */
  readonly tokenizer: PromptTokenizer | null;
  readonly worker?: RequestKeysWorker | null;
  readonly workerMinChars?: number;
  /** Engine to ask for a render when `tokenizer` is null. */
  readonly renderBaseUrl?: string | null;
  readonly fetchImpl?: FetchLike;
  /** Bound on the worker or render round trip. */
  readonly timeoutMs: number;
}

export interface RequestKeys {
  readonly blockSize: number;
  /** One key per full prompt block, as the engine's KV events name the block. */
  readonly keys: BigUint64Array;
  readonly promptTokens: number;
  readonly source: "tokenizer" | "worker" | "render" | "token-ids";
}

/** Why a request has no keys; it is then routed without precise prefix information. */
export type RequestKeysFailure =
  | "no_prompt"
  | "no_tokenizer"
  | "tokenize_failed"
  | "render_failed"
  | "timeout";

export type RequestKeysResult =
  | { readonly isOk: true; readonly value: RequestKeys }
  | { readonly isOk: false; readonly reason: RequestKeysFailure; readonly detail: string };

/** Computes the request's block keys; never throws (failures are typed results). */
export async function computeRequestKeys(
  input: RequestKeysInput,
  deps: RequestKeysDeps,
): Promise<RequestKeysResult> {
  const prompt = promptOf(input.kind, input.body);
  if (prompt === null) return failure("no_prompt", "request has no text or token-id prompt");
  const context = hashContextOf(input.body, input.loraName);
  if (prompt.kind === "tokens")
    return ok(
      deps,
      blockKeysOf(deps.hasher, prompt.tokens, deps.blockSize, context),
      prompt.tokens.length,
      "token-ids",
    );
  if (deps.tokenizer === null) return renderKeys(input, deps, context);
  const worker = deps.worker ?? null;
  if (worker !== null && promptChars(prompt) >= (deps.workerMinChars ?? DEFAULT_WORKER_MIN_CHARS)) {
    return workerKeys(worker, prompt, deps, context);
  }
  try {
    const tokens = tokenizePrompt(deps.tokenizer, prompt);
    return ok(deps, blockKeysOf(deps.hasher, tokens, deps.blockSize, context), tokens.length, "tokenizer");
  } catch (error) {
    return failure("tokenize_failed", messageOf(error));
  }
}

async function workerKeys(
  worker: RequestKeysWorker,
  prompt: PromptSpec,
  deps: RequestKeysDeps,
  context: ReturnType<typeof hashContextOf>,
): Promise<RequestKeysResult> {
  const outcome = await withTimeout(worker.compute(prompt, deps.blockSize, context), deps.timeoutMs);
  if (outcome === "timeout") return failure("timeout", `worker took over ${deps.timeoutMs} ms`);
  if (outcome instanceof Error) return failure("tokenize_failed", outcome.message);
  return ok(deps, outcome.keys, outcome.promptTokens, "worker");
}

async function renderKeys(
  input: RequestKeysInput,
  deps: RequestKeysDeps,
  context: ReturnType<typeof hashContextOf>,
): Promise<RequestKeysResult> {
  if (deps.renderBaseUrl === undefined || deps.renderBaseUrl === null) {
    return failure("no_tokenizer", "no tokenizer files and no engine to render with");
  }
  const signal = AbortSignal.timeout(deps.timeoutMs);
  try {
    const tokens = await renderTokenIds(
      deps.renderBaseUrl,
      input.kind,
      input.body,
      signal,
      deps.fetchImpl ?? fetch,
    );
    return ok(deps, blockKeysOf(deps.hasher, tokens, deps.blockSize, context), tokens.length, "render");
  } catch (error) {
    if (signal.aborted) return failure("timeout", `render took over ${deps.timeoutMs} ms`);
    return failure("render_failed", messageOf(error));
  }
}

function ok(
  deps: RequestKeysDeps,
  keys: BigUint64Array,
  promptTokens: number,
  source: RequestKeys["source"],
): RequestKeysResult {
  return { isOk: true, value: { blockSize: deps.blockSize, keys, promptTokens, source } };
}

function failure(reason: RequestKeysFailure, detail: string): RequestKeysResult {
  return { isOk: false, reason, detail };
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | Error | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
