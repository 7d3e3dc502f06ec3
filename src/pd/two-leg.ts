// The prefill→decode flow of one disaggregated request (vllm-interfaces.md §4.2, llm-d-reference §3.2):
// prefill on a prefill engine (retried once elsewhere on 5xx, connect error or timeout), then the
// original request plus the prefill engine's kv_transfer_params through the gateway's streaming proxy.
//
// Decode retries: the proxy retries the decode leg on another decode engine only when no engine took it
// (connect errors, 502/503/504), with the same kv_transfer_params. They stay valid: the prefill engine
// holds the blocks until a decoder reads them or kv_lease_duration (30 s by default) expires, and a
// decoder that never accepted the request never read them. A pull that fails once decoding has started
// surfaces as a mid-stream error, as it does with vLLM's toy proxy.
import { toDecodeBody, toPrefillBody } from "./leg-bodies.ts";
import { type PrefillAttempt, sendPrefill } from "./prefill-leg.ts";
import type { LegUsage, PdTarget, TwoLegRequest, TwoLegResult } from "./types.ts";
import { withPrefillUsage } from "./usage-rewrite.ts";

type PrefillRun =
  | {
      readonly kind: "prefilled";
      readonly kvTransferParams: Record<string, unknown> | null;
      readonly usage: LegUsage | null;
      readonly endedAtMs: number;
    }
  | {
      readonly kind: "rejected";
      readonly response: Response;
      readonly endpointId: string;
      readonly attempts: number;
    }
  | { readonly kind: "aborted"; readonly endpointId: string; readonly attempts: number }
  | {
      readonly kind: "failed";
      readonly endpointId: string | null;
      readonly detail: string;
      readonly attempts: number;
    };

/** Runs both legs. Resolves with the client's response or with the reason there is none; never rejects. */
export async function runTwoLeg(request: TwoLegRequest): Promise<TwoLegResult> {
  const prefill = await runPrefill(request);
  switch (prefill.kind) {
    case "rejected":
      return { ...prefill, kind: "prefill-rejected" };
    case "aborted":
      return { ...prefill, kind: "client-abort" };
    case "failed":
      if (!request.settings.isFallbackToDecodeOnly) return { ...prefill, kind: "prefill-failed" };
      request.reporter.fallback("prefill_failed");
      return { kind: "forwarded", response: await request.forwardDecode({ ...request.body }, null) };
  }
  if (prefill.kvTransferParams === null) {
    // vLLM returns no params when the prefill ended abnormally; the decode engine must compute the prompt.
    request.reporter.fallback("no_kv_transfer_params");
    return { kind: "forwarded", response: await request.forwardDecode({ ...request.body }, null) };
  }
  const decodeBody = toDecodeBody(request.body, prefill.kvTransferParams);
  const response = await request.forwardDecode(decodeBody, {
    endedAtMs: prefill.endedAtMs,
    usage: prefill.usage,
  });
  return {
    kind: "forwarded",
    response: prefill.usage === null ? response : await withPrefillUsage(response, prefill.usage),
  };
}

/** Prefill attempts: the scheduler's pick first, then up to prefillMaxRetries other prefill engines. */
async function runPrefill(request: TwoLegRequest): Promise<PrefillRun> {
  const { settings, hooks, reporter } = request;
  const options = {
    path: request.path,
    bodyText: JSON.stringify(toPrefillBody(request.path, request.body)),
    headers: request.upstreamHeaders,
    clientSignal: request.clientSignal,
    timeoutMs: settings.prefillTimeoutMs,
    maxResponseBytes: settings.maxPrefillResponseBytes,
  };
  const excluded = new Set<string>();
  let target: PdTarget | null = request.prefill;
  let last = { endpointId: null as string | null, detail: "", attempts: 0 };
  for (let attempt = 0; attempt <= settings.prefillMaxRetries && target !== null; attempt++) {
    const startedAtMs = request.now();
    const release = hooks.start(target);
    let outcome: PrefillAttempt;
    try {
      outcome = await sendPrefill(target, options);
    } finally {
      release();
    }
    const endedAtMs = request.now();
    reporter.prefillAttempt(outcome.kind, endedAtMs - startedAtMs);
    const endpointId = target.endpointId;
    hooks.ended?.({ endpointId, attempt: attempt + 1, outcome: outcome.kind, startedAtMs, endedAtMs });
    switch (outcome.kind) {
      case "ok":
        hooks.succeeded(endpointId);
        return {
          kind: "prefilled",
          kvTransferParams: outcome.kvTransferParams,
          usage: outcome.usage,
          endedAtMs,
        };
      case "client_error":
        hooks.succeeded(endpointId);
        return { kind: "rejected", response: outcome.response, endpointId, attempts: attempt + 1 };
      case "aborted":
        return { kind: "aborted", endpointId, attempts: attempt + 1 };
      case "timeout":
        hooks.failed(endpointId, "timeout");
        last = {
          endpointId,
          detail: `prefill timeout after ${settings.prefillTimeoutMs} ms`,
          attempts: attempt + 1,
        };
        break;
      case "failed":
        hooks.failed(endpointId, outcome.reason);
        last = { endpointId, detail: outcome.detail, attempts: attempt + 1 };
        break;
    }
    excluded.add(endpointId);
    target = attempt < settings.prefillMaxRetries ? request.nextPrefill(excluded) : null;
  }
  return { kind: "failed", ...last };
}
