// What a finishing or starting choice does beyond its own output: vLLM's per-request metrics, and the
// P/D legs (the prefill side registers held blocks; the decode side pulls the prompt's KV).
import type { SimRequestResult } from "../engine/types.ts";
import type { FinishedReason } from "../metrics-recorder.ts";
import type { ChoiceState } from "./choice-state.ts";
import type { SimEngineHandle, SimServerContext } from "./context.ts";

/** Feeds vLLM's finished-request histograms and request_success{finished_reason}. */
export function recordChoiceFinished(
  handle: SimEngineHandle,
  choice: ChoiceState,
  result: SimRequestResult,
  finishMs: number,
): void {
  const reason: FinishedReason = choice.finishReason ?? "abort";
  handle.requests.recordFinished({
    reason,
    promptTokens: result.promptTokens,
    generationTokens: result.completionTokens,
    maxTokens: choice.spec.maxTokens,
    arrivalMs: choice.arrivalMs,
    scheduledMs: choice.scheduledMs ?? finishMs,
    firstTokenMs: choice.firstTokenMs,
    lastTokenMs: choice.lastTokenMs,
    finishMs,
  });
}

/**
 * Prefill side of P/D: hands the held blocks to the side channel, which releases them in the engine
 * when the decoder has read them or the lease expires. Returns the response's kv_transfer_params.
 */
export function registerHeldBlocks(
  handle: SimEngineHandle,
  choice: ChoiceState,
  result: SimRequestResult,
): Record<string, unknown> | null {
  const pd = handle.pd;
  if (pd === null || result.heldBlockIds === undefined) return null;
  return pd.registerHeld({
    requestId: choice.engineId,
    blockIds: result.heldBlockIds,
    numTokens: result.promptTokens,
    release: function releaseHeldBlocks() {
      handle.engine.releaseHeld(choice.engineId, handle.nowMs());
      handle.wake();
    },
  });
}

/** Decode side of P/D: pulls the prompt's KV; the engine decodes once transferDone arrives. */
export function startRemotePrefill(
  ctx: SimServerContext,
  handle: SimEngineHandle,
  choice: ChoiceState,
  params: Readonly<Record<string, unknown>>,
): void {
  const pd = handle.pd;
  if (pd === null) return;
  pd.pull({ ...params }, choice.spec.promptTokenIds.length, choice.cancel.signal).then(
    function onPulled(outcome) {
      if (!outcome.ok) {
        ctx.logger.warn(
          { requestId: choice.engineId, error: outcome.error },
          "KV transfer from the prefill instance failed",
        );
      }
      handle.engine.transferDone(choice.engineId, outcome.ok, handle.nowMs());
      handle.wake();
    },
    function onPullError(error: unknown) {
      ctx.logger.error({ err: error, requestId: choice.engineId }, "KV pull failed");
      handle.engine.transferDone(choice.engineId, false, handle.nowMs());
      handle.wake();
    },
  );
}
