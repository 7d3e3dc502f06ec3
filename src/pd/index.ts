// Public surface of the pd component (see DESIGN.md): the two-leg prefill→decode flow and its body and
// usage rules. The P/D deciders and the disagg profile handler are scheduler plugins (src/scheduler/).

export { nextPrefill, PD_CONFIG_DEFAULTS, pdSettingsOf, prefillHooks } from "./gateway-ports.ts";
export {
  isDisaggregable,
  kvTransferParamsOf,
  PD_PATHS,
  PREFILL_KV_TRANSFER_PARAMS,
  toDecodeBody,
  toPrefillBody,
} from "./leg-bodies.ts";
export { createPdReporter, type LegObserver, withPdTiming } from "./pd-metrics.ts";
export { runTwoLeg } from "./two-leg.ts";
export type {
  FallbackReason,
  LegUsage,
  PdReporter,
  PdSettings,
  PdTarget,
  PrefillAttemptOutcome,
  PrefillAttemptRecord,
  PrefillHandoff,
  PrefillHooks,
  TwoLegRequest,
  TwoLegResult,
} from "./types.ts";
export { legUsageOf, mergeLegUsage } from "./usage-merge.ts";
