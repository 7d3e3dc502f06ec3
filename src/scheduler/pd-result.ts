// The P/D parts of a decision: running the handler's decider under the engine's failure rule, and
// turning the prefill profile's run into the ScheduleResult's prefill target (llm-d-reference §3.1).
import type { EndpointSnapshot } from "../pool/index.ts";
import { PREFIX_MATCH_KEY } from "./data-keys.ts";
import { type DecisionMeta, toExplanation } from "./explain.ts";
import { cachedTokensOf } from "./prefix/cached-tokens.ts";
import type { PluginFailureSink, ProfileRecord } from "./profile.ts";
import type {
  CycleState,
  DecisionExplanation,
  PdDecider,
  PdDecision,
  PrefillTarget,
  ProfileHandler,
  ProfileRunResults,
  SchedulingRequest,
} from "./types.ts";

/** Decider names and times of one decision, reported with the producers' (they run outside profiles). */
export interface DeciderTimings {
  readonly names: string[];
  readonly ms: number[];
  /** Deciders that threw during this decision. */
  readonly failed: string[];
}

export interface DeciderInput {
  readonly request: SchedulingRequest;
  readonly decodeEndpoint: EndpointSnapshot;
  readonly cycle: CycleState;
}

export interface DeciderRun {
  readonly clockMs: () => number;
  readonly onFailure: PluginFailureSink;
  readonly timings: DeciderTimings;
}

/**
 * Failure rule for deciders: one that throws, or a name the plan does not hold, answers "no prefill
 * leg", because the decode endpoint alone can always serve the request.
 */
export function runDecider(
  deciders: ReadonlyMap<string, PdDecider>,
  name: string,
  input: DeciderInput,
  run: DeciderRun,
): boolean {
  const startMs = run.clockMs();
  let isDisaggregated = false;
  try {
    const decider = deciders.get(name);
    if (decider === undefined) throw new Error(`the profile handler asked for unknown decider ${name}`);
    isDisaggregated = decider.disaggregate(input.request, input.decodeEndpoint, input.cycle) === true;
  } catch (error) {
    run.onFailure(name, error);
    run.timings.failed.push(name);
  }
  run.timings.names.push(name);
  run.timings.ms.push(run.clockMs() - startMs);
  return isDisaggregated;
}

/** The P/D handler's prefill record when that profile ran and found an endpoint; a handler failure means none. */
export function prefillRecordOf(
  handler: ProfileHandler,
  request: SchedulingRequest,
  run: { readonly records: ReadonlyMap<string, ProfileRecord>; readonly results: ProfileRunResults },
  onFailure: PluginFailureSink,
): ProfileRecord | null {
  if (handler.prefillProfile === undefined) return null;
  try {
    const name = handler.prefillProfile(request, run.results);
    const record = name === null ? undefined : run.records.get(name);
    return record !== undefined && record.winnerIndex >= 0 ? record : null;
  } catch (error) {
    onFailure(handler.typedName.name, error);
    return null;
  }
}

export function toPrefillTarget(
  record: ProfileRecord,
  meta: DecisionMeta,
  cycle: CycleState,
  request: SchedulingRequest,
): PrefillTarget {
  const endpoint = record.survivors[record.winnerIndex] as EndpointSnapshot;
  return {
    endpoint,
    explanation: toExplanation(record, meta),
    cachedTokensEstimate: cachedTokensOf(
      cycle.get(PREFIX_MATCH_KEY),
      endpoint.descriptor.id,
      request.promptTokenEstimate,
    ),
  };
}

/** `meta` with the deciders' times and failures reported beside the producers' (no copy without deciders). */
export function withDeciders(meta: DecisionMeta, deciders: DeciderTimings): DecisionMeta {
  if (deciders.names.length === 0) return meta;
  return {
    ...meta,
    producerNames: [...meta.producerNames, ...deciders.names],
    producerTimingsMs: Float64Array.from([...meta.producerTimingsMs, ...deciders.ms]),
    failedProducers: [...meta.failedProducers, ...deciders.failed],
  };
}

/** The ScheduleResult's P/D fields: none for a single-profile handler, else the decision and its prefill. */
export function pdFields(
  handler: ProfileHandler,
  prefill: PrefillTarget | undefined,
): { pdDecision?: PdDecision; prefill?: PrefillTarget } {
  if (handler.prefillProfile === undefined) return {};
  return prefill === undefined ? { pdDecision: "decode-only" } : { pdDecision: "prefill-decode", prefill };
}

/** The primary explanation with the prefill one attached; its lazy getters stay lazy. */
export function withPrefill(primary: DecisionExplanation, prefill: DecisionExplanation): DecisionExplanation {
  return Object.defineProperty(primary, "prefill", { value: prefill, enumerable: true });
}
