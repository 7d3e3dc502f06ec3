// Checks and settings shared by the generation routes, in vLLM's order: body validation, model,
// stream_options, priority, kv_transfer_params, prompt length and max_tokens, then fault injection.
import type { Context } from "hono";
import type { z } from "zod";
import { TokenizeError } from "../../kvcache/index.ts";
import { type KvTransferIntent, parseKvTransferParams } from "../pd/params.ts";
import type { SimServerContext } from "./context.ts";
import { badRequest, maxTokensTooLarge, promptTooLong, SimHttpError, validationError } from "./errors.ts";
import type { SamplingSpec } from "./generation-types.ts";

/** Reads and validates a JSON body; malformed JSON and schema mismatches are vLLM's 400s. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw validationError("JSON decode error: the request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue === undefined || issue.path.length === 0 ? null : String(issue.path[0]);
    const where = issue === undefined ? "" : `${issue.path.join(".") || "body"}: `;
    throw validationError(`${where}${issue?.message ?? "invalid request"}`, param);
  }
  return parsed.data;
}

export interface CommonFields {
  readonly stream?: boolean | null | undefined;
  readonly stream_options?:
    | { include_usage?: boolean | null; continuous_usage_stats?: boolean | null }
    | null
    | undefined;
  readonly priority?: number | null | undefined;
  readonly cache_salt?: string | null | undefined;
  readonly kv_transfer_params?: Record<string, unknown> | null | undefined;
  readonly request_id?: string | null | undefined;
  readonly n?: number | null | undefined;
}

export interface StreamSettings {
  readonly isStream: boolean;
  readonly includeUsage: boolean;
  readonly continuousUsage: boolean;
}

/** The pydantic model validators vLLM runs before anything else. */
export function checkCommonFields(ctx: SimServerContext, body: CommonFields): StreamSettings {
  if (body.stream_options != null && body.stream !== true) {
    throw validationError(
      "Value error, Stream options can only be defined when `stream=True`.",
      "stream_options",
    );
  }
  if (body.cache_salt === "") {
    throw validationError(
      "Value error, Parameter 'cache_salt' must be a non-empty string if provided.",
      "cache_salt",
    );
  }
  const priority = body.priority ?? 0;
  if (priority !== 0 && ctx.args.schedulingPolicy !== "priority") {
    throw badRequest(`Got priority ${priority} but Priority scheduling is not enabled.`, "priority");
  }
  // vLLM's should_include_usage: --enable-force-include-usage forces both kinds of usage.
  const isForced = ctx.args.enableForceIncludeUsage;
  return {
    isStream: body.stream === true,
    includeUsage: isForced || body.stream_options?.include_usage === true,
    continuousUsage: isForced || body.stream_options?.continuous_usage_stats === true,
  };
}

/** vLLM's base request id: the X-Request-Id header, else the body's request_id, else a random uuid. */
export function baseRequestId(ctx: SimServerContext, c: Context, body: CommonFields): string {
  return c.req.header("x-request-id") ?? body.request_id ?? ctx.newId();
}

/** kv_transfer_params only mean something with a KV connector; without one vLLM ignores them. */
export function kvTransferIntent(
  ctx: SimServerContext,
  params: Record<string, unknown> | null | undefined,
): KvTransferIntent {
  if (ctx.pool.engines[0]?.pd == null) return { kind: "none" };
  const parsed = parseKvTransferParams(params);
  if (!parsed.ok) throw badRequest(parsed.error, "kv_transfer_params");
  return parsed.intent;
}

/**
 * max_tokens for a prompt: the requested value (400 when it leaves no room, as vLLM's _validate_input),
 * else what the context leaves. Throws for a prompt that fills the context.
 */
export function resolveMaxTokens(
  ctx: SimServerContext,
  promptTokens: number,
  requested: number | null,
): number {
  if (promptTokens >= ctx.maxModelLen) throw promptTooLong(promptTokens, ctx.maxModelLen);
  const room = ctx.maxModelLen - promptTokens;
  if (requested === null) return room;
  if (requested > room) throw maxTokensTooLarge(requested, promptTokens, ctx.maxModelLen);
  return requested;
}

/** Injected faults answer before the request reaches an engine. */
export function admitOrFail(ctx: SimServerContext): void {
  const fault = ctx.faults.admit();
  if (fault !== null) throw new SimHttpError(fault.status, fault.message);
}

/** Runs tokenizer code, mapping client-caused tokenizer errors to vLLM's 400. */
export function tokenizeOrFail<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TokenizeError) {
      throw new SimHttpError(error.code === "kvcache_tokenizer_unsupported" ? 500 : 400, error.message);
    }
    throw error;
  }
}

export interface SamplingFields extends CommonFields {
  readonly stop?: string | string[] | null | undefined;
  readonly stop_token_ids?: number[] | null | undefined;
  readonly ignore_eos?: boolean | null | undefined;
  readonly min_tokens?: number | null | undefined;
  readonly seed?: number | null | undefined;
  readonly include_stop_str_in_output?: boolean | null | undefined;
}

export function samplingSpec(
  body: SamplingFields,
  loraName: string | null,
  kvTransfer: KvTransferIntent,
  topLogprobs: number | null,
): SamplingSpec {
  const stop = body.stop;
  return {
    minTokens: body.min_tokens ?? 0,
    ignoreEos: body.ignore_eos ?? false,
    stopTokenIds: body.stop_token_ids ?? [],
    stops: stop == null ? [] : typeof stop === "string" ? [stop] : stop,
    includeStopStrInOutput: body.include_stop_str_in_output ?? false,
    topLogprobs,
    loraName,
    cacheSalt: body.cache_salt ?? null,
    priority: body.priority ?? 0,
    seed: body.seed ?? null,
    kvTransfer,
    kvTransferParams: body.kv_transfer_params ?? null,
  };
}
