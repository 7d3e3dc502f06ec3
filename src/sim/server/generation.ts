// Runs one generation on one engine: adds its choices as engine requests, turns engine callbacks
// into per-step deltas and a final result, records vLLM's request metrics, and handles P/D.
import { hashString } from "../engine/rng.ts";
import type { SimRequest, SimRequestResult } from "../engine/types.ts";
import { ChoiceState } from "./choice-state.ts";
import type { SimEngineHandle, SimServerContext } from "./context.ts";
import { SimHttpError } from "./errors.ts";
import { recordChoiceFinished, registerHeldBlocks, startRemotePrefill } from "./generation-side-effects.ts";
import type {
  GenerationListener,
  GenerationResult,
  GenerationSpec,
  SequenceSpec,
} from "./generation-types.ts";

/** A generation in flight; `abort` is the client going away. */
export interface RunningGeneration {
  abort(): void;
}

/**
 * Waits out sleep and the API overhead, then adds every choice to `handle`'s engine. Throws a
 * SimHttpError when the engine refuses a request (nothing stays queued then).
 */
export async function startGeneration(
  ctx: SimServerContext,
  handle: SimEngineHandle,
  spec: GenerationSpec,
  listener: GenerationListener,
  signal: AbortSignal,
): Promise<RunningGeneration> {
  // Counted from the pick on, so concurrent arrivals spread over the DP engines.
  handle.inFlight++;
  ctx.serverLoad++;
  const release = () => {
    handle.inFlight--;
    ctx.serverLoad--;
  };
  try {
    await ctx.sleep.whenAwake();
    if (ctx.apiOverheadMs > 0) await Bun.sleep(ctx.apiOverheadMs);
    if (signal.aborted) {
      release();
      return { abort() {} };
    }
    const generation = new Generation(ctx, handle, spec, listener, release);
    generation.addAll();
    signal.addEventListener("abort", () => generation.abort(), { once: true });
    return generation;
  } catch (error) {
    release();
    throw error;
  }
}

class Generation implements RunningGeneration {
  private readonly choices: ChoiceState[];
  private isFlushScheduled = false;
  private isDone = false;
  private kvTransferParams: Record<string, unknown> | null = null;

  constructor(
    private readonly ctx: SimServerContext,
    private readonly handle: SimEngineHandle,
    private readonly spec: GenerationSpec,
    private readonly listener: GenerationListener,
    /** Runs once when every choice has finished. */
    private readonly release: () => void,
  ) {
    const suffix = ctx.newId().slice(0, 8);
    this.choices = spec.sequences.map((seq) => {
      const id = engineRequestId(spec, seq, suffix);
      const logprobSeed = spec.sampling.seed === null ? hashString(id) : choiceSeed(spec, seq);
      return new ChoiceState(seq, id, ctx.tokenizer, spec.sampling, logprobSeed);
    });
  }

  addAll(): void {
    const { engine } = this.handle;
    const nowMs = this.handle.nowMs();
    this.handle.requests.recordParams(this.spec.n, Math.max(...this.spec.sequences.map((s) => s.maxTokens)));
    for (const [i, choice] of this.choices.entries()) {
      choice.arrivalMs = nowMs;
      const refusal = engine.add(this.toSimRequest(choice), this.callbacks(choice), nowMs);
      if (refusal !== null) {
        for (const added of this.choices.slice(0, i)) engine.abort(added.engineId, nowMs);
        throw new SimHttpError(refusal.kind === "prompt_too_long" ? 400 : 500, describeRefusal(refusal));
      }
      if (this.spec.sampling.kvTransfer.kind === "remote_prefill") {
        startRemotePrefill(this.ctx, this.handle, choice, this.spec.sampling.kvTransferParams ?? {});
      }
    }
    this.handle.wake();
  }

  abort(): void {
    const nowMs = this.handle.nowMs();
    for (const choice of this.choices) {
      if (choice.isFinished) continue;
      choice.isClientAborted = true;
      choice.cancel.abort();
      this.handle.engine.abort(choice.engineId, nowMs);
    }
    this.handle.wake();
  }

  private toSimRequest(choice: ChoiceState): SimRequest {
    const s = this.spec.sampling;
    const isPd = this.handle.pd !== null;
    return {
      id: choice.engineId,
      promptTokenIds: choice.spec.promptTokenIds,
      maxTokens: choice.spec.maxTokens,
      minTokens: s.minTokens,
      ignoreEos: s.ignoreEos,
      eosTokenId: this.ctx.tokenizer.eosTokenId,
      stopTokenIds: s.stopTokenIds,
      loraName: s.loraName,
      cacheSalt: s.cacheSalt,
      priority: s.priority,
      seed: s.seed === null ? null : choiceSeed(this.spec, choice.spec),
      ...(isPd && s.kvTransfer.kind === "remote_decode" ? { remoteDecode: true } : {}),
      ...(isPd && s.kvTransfer.kind === "remote_prefill" ? { remotePrefill: true } : {}),
    };
  }

  private callbacks(choice: ChoiceState) {
    return {
      onToken: (tokenId: number, timeMs: number) => this.onToken(choice, tokenId, timeMs),
      onFinish: (result: SimRequestResult, timeMs: number) => this.onFinish(choice, result, timeMs),
    };
  }

  private onToken(choice: ChoiceState, tokenId: number, timeMs: number): void {
    if (choice.isFinished || choice.isStopping) return;
    const stats = this.handle.requests;
    if (choice.firstTokenMs === null) {
      stats.recordFirstToken(choice.arrivalMs, timeMs);
      choice.scheduledMs = this.estimateScheduledMs(choice, timeMs);
    } else if (choice.lastTokenMs !== null) {
      stats.recordInterToken(timeMs - choice.lastTokenMs);
    }
    // A stop string ends the request in the engine at once, as vLLM's output processor aborts it.
    if (choice.addToken(tokenId, timeMs)) this.handle.engine.abort(choice.engineId, timeMs);
    this.scheduleFlush();
  }

  private onFinish(choice: ChoiceState, result: SimRequestResult, timeMs: number): void {
    if (choice.isFinished) return;
    choice.finish(result);
    if (this.choices.every((c) => c.isFinished)) this.release();
    recordChoiceFinished(this.handle, choice, result, timeMs);
    if (result.heldBlockIds !== undefined && this.handle.pd !== null) {
      this.kvTransferParams = registerHeldBlocks(this.handle, choice, result);
    }
    this.scheduleFlush();
  }

  /** The engine step that produced the first token started after any earlier prefill chunks. */
  private estimateScheduledMs(choice: ChoiceState, firstTokenMs: number): number {
    const step = this.handle.currentStep();
    const chunks = Math.max(
      1,
      Math.ceil(choice.spec.promptTokenIds.length / this.handle.engine.options.maxNumBatchedTokens),
    );
    const stepMs = step === null ? 0 : step.durationMs;
    return Math.max(choice.arrivalMs, firstTokenMs - chunks * stepMs);
  }

  /** One flush per engine step: callbacks of a step run synchronously, the flush right after. */
  private scheduleFlush(): void {
    if (this.isFlushScheduled || this.isDone) return;
    this.isFlushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.isFlushScheduled = false;
    if (this.isDone) return;
    const stallAfter = this.ctx.faults.stallAfterTokens;
    if (this.listener.onDeltas !== undefined) {
      const deltas = [];
      for (const choice of this.choices) {
        if (choice.isStalled || !choice.hasNews()) continue;
        deltas.push(choice.takeDelta());
        if (stallAfter !== null && choice.tokenCount >= stallAfter && !choice.isReported)
          choice.isStalled = true;
      }
      if (deltas.length > 0) this.listener.onDeltas(deltas);
    } else if (stallAfter !== null) {
      for (const choice of this.choices)
        if (choice.tokenCount >= stallAfter && !choice.isFinished) choice.isStalled = true;
    }
    if (this.choices.every((c) => c.isFinished) && !this.choices.some((c) => c.isStalled)) {
      this.isDone = true;
      this.listener.onDone(this.result());
    }
  }

  private result(): GenerationResult {
    const prompts = new Map<number, number>();
    for (const c of this.choices) prompts.set(c.spec.promptIndex, c.spec.promptTokenIds.length);
    const first = this.choices[0]?.result;
    return {
      choices: this.choices.map((c) => c.toResult()),
      promptTokens: [...prompts.values()].reduce((a, b) => a + b, 0),
      completionTokens: this.choices.reduce((sum, c) => sum + c.tokenCount, 0),
      cachedTokens:
        first === undefined || first === null ? 0 : first.cachedTokens + first.externalCachedTokens,
      kvTransferParams: this.kvTransferParams,
      error: this.choices.find((c) => c.result?.error !== undefined)?.result?.error ?? null,
    };
  }
}

/** vLLM ids: `{choice}_{request_id}` for n > 1, `-{prompt}` for several prompts, plus a random suffix. */
function engineRequestId(spec: GenerationSpec, seq: SequenceSpec, suffix: string): string {
  const isMultiPrompt = spec.sequences.some((s) => s.promptIndex > 0);
  const base = `${spec.requestId}${isMultiPrompt ? `-${seq.promptIndex}` : ""}`;
  return `${spec.n > 1 ? `${seq.choice}_` : ""}${base}-${suffix}`;
}

/** vLLM's ParentRequest gives child i of a seeded request the seed + i. */
function choiceSeed(spec: GenerationSpec, seq: SequenceSpec): number {
  return (spec.sampling.seed ?? 0) + seq.choice;
}

function describeRefusal(refusal: { kind: string; promptTokens?: number; maxModelLen?: number }): string {
  if (refusal.kind === "prompt_too_long") {
    return `This model's maximum context length is ${refusal.maxModelLen} tokens. However, your request has ${refusal.promptTokens} input tokens. Please reduce the length of the input messages.`;
  }
  return "duplicate request id";
}
