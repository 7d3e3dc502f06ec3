// E2E helpers for flow control: streaming completions that record TTFT and the rejection headers, prompts
// that share no prefix (the default scheduler is prefix-aware), percentiles, and a wait for every engine.
import { seriesValue } from "../../helpers/exposition.ts";

export interface Outcome {
  readonly status: number;
  /** Client-side time to the first content chunk, ms; null when none came. */
  readonly ttftMs: number | null;
  readonly e2eMs: number;
  readonly droppedReason: string | null;
  readonly retryAfter: string | null;
  /** error.code of a JSON error body. */
  readonly errorCode: string | null;
  readonly completionTokens: number | null;
  readonly isAborted: boolean;
}

export interface CompletionOptions {
  readonly key: string;
  readonly promptWords: number;
  readonly maxTokens: number;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

let promptSeq = 0;

/**
 * A prompt whose first word no other prompt shares: block hashes chain, so no two requests share a
 * cached prefix. The other words are short, for about two tokens each.
 */
export function uniquePrompt(words: number): string {
  const out = [`u${process.pid}x${promptSeq++}x${Math.random().toString(36).slice(2, 8)}`];
  for (let i = 1; i < words; i++) out.push(`w${i % 97}`);
  return out.join(" ");
}

/** One streamed /v1/completions request with ignore_eos, so it generates exactly maxTokens. */
export async function streamCompletion(url: string, options: CompletionOptions): Promise<Outcome> {
  const startedMs = performance.now();
  const body = {
    model: "e2e-model",
    prompt: uniquePrompt(options.promptWords),
    max_tokens: options.maxTokens,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true },
  };
  let response: Response;
  try {
    response = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${options.key}`,
        ...options.headers,
      },
      body: JSON.stringify(body),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (options.signal?.aborted) return aborted(startedMs);
    throw error;
  }
  const base = {
    status: response.status,
    droppedReason: response.headers.get("x-llmux-request-dropped-reason"),
    retryAfter: response.headers.get("retry-after"),
  };
  if (response.status !== 200 || response.body === null) {
    const text = await response.text();
    const errorCode = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? null;
    const e2eMs = performance.now() - startedMs;
    return { ...base, ttftMs: null, e2eMs, errorCode, completionTokens: null, isAborted: false };
  }
  let ttftMs: number | null = null;
  let text = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const piece = decoder.decode(chunk, { stream: true });
      if (ttftMs === null && piece.includes('"text"')) ttftMs = performance.now() - startedMs;
      text += piece;
    }
  } catch (error) {
    if (options.signal?.aborted) return aborted(startedMs);
    throw error;
  }
  const completionTokens = Number(/"completion_tokens":(\d+)/.exec(text)?.[1] ?? Number.NaN);
  return {
    ...base,
    ttftMs,
    e2eMs: performance.now() - startedMs,
    errorCode: null,
    completionTokens: Number.isNaN(completionTokens) ? null : completionTokens,
    isAborted: false,
  };
}

function aborted(startedMs: number): Outcome {
  return {
    status: 0,
    ttftMs: null,
    e2eMs: performance.now() - startedMs,
    droppedReason: null,
    retryAfter: null,
    errorCode: null,
    completionTokens: null,
    isAborted: true,
  };
}

/** Nearest-rank percentile (p in 0..100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Waits until every supervised engine is ready (the harness waits for one when /admin needs a key). */
export async function waitForEngines(url: string, adminKey: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/admin/instances`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const body = (await response.json()) as { instances: { state: string }[] };
    if (body.instances.length > 0 && body.instances.every((i) => i.state === "ready")) return;
    if (Date.now() > deadline) throw new Error(`engines not ready: ${JSON.stringify(body.instances)}`);
    await Bun.sleep(100);
  }
}

/** The value of one Prometheus sample line (`name{labels} value`), or null when absent. */
export async function metricValue(url: string, sample: string): Promise<number | null> {
  return seriesValue(await (await fetch(`${url}/metrics`)).text(), sample);
}

/** Rejections flow control documents (docs/errors.md): status with the dropped reason each may carry. */
export const DOCUMENTED_REJECTIONS: ReadonlyMap<string, number> = new Map([
  ["rejected-saturated", 429],
  ["rejected-ttl-expired", 429],
  ["evicted-queue-pressure", 429],
]);

/** True for a 200 that streamed, or a documented rejection with its headers. */
export function isAnsweredAsDocumented(outcome: Outcome): boolean {
  if (outcome.status === 200) return outcome.ttftMs !== null;
  if (outcome.status === 429) {
    const hasReason =
      outcome.droppedReason === null
        ? outcome.errorCode === "gateway_rate_limited"
        : DOCUMENTED_REJECTIONS.get(outcome.droppedReason) === 429;
    return hasReason && outcome.retryAfter !== null && Number(outcome.retryAfter) >= 1;
  }
  return false;
}
