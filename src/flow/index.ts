// Public surface of the flow component (see DESIGN.md): admission control with priority bands, fairness,
// saturation detection, shedding and per-key rate limits.
export {
  type Admission,
  type AdmissionDeps,
  type AdmissionStats,
  type CreateAdmissionResult,
  createAdmission,
  toRejection,
} from "./admission.ts";
export { TYPE as LATENCY_SLO_ADMITTER_TYPE } from "./admitter/latency-slo-admitter.ts";
export type { FlowConfigProblem } from "./build-policies.ts";
export { createBuiltinFlowRegistry } from "./builtin.ts";
export {
  FLOW_ERRORS,
  FLOW_INTERNAL_ERRORS,
  type FlowErrorCode,
  type FlowGatewayCode,
  type FlowInternalErrorCode,
} from "./errors.ts";
export { type FlowIdentity, type FlowIdentityInput, MAX_PRIORITY, resolveFlowIdentity } from "./identity.ts";
export { createMemoryRateLimitStore, type MemoryStoreOptions } from "./rate-limit/memory-store.ts";
export {
  createRateLimitAdmission,
  type RateLimitAdmissionDeps,
} from "./rate-limit/rate-limit-admission.ts";
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimiterStats,
  type Timers,
} from "./rate-limit/rate-limiter.ts";
export {
  connectRedisRateLimitStore,
  createRedisRateLimitStore,
  type RedisCommander,
  type RedisStoreOptions,
} from "./rate-limit/redis-store.ts";
export type { KeyLimits, RateDecision, RateLimitStore } from "./rate-limit/store.ts";
export {
  type FlowPolicyKind,
  type FlowPolicyModule,
  type FlowPolicyRegistration,
  FlowPolicyRegistry,
} from "./registry.ts";
export type {
  AdmissionRequest,
  AdmissionTicket,
  AdmitResult,
  Admitter,
  DispatchLedgerView,
  FairnessPolicy,
  FlowPolicyDeps,
  FlowRejection,
  FlowView,
  LatencyEstimator,
  OrderingPolicy,
  QueuedItem,
  RateLimits,
  RequestSlo,
  SaturationDetector,
  TokenUsage,
} from "./types.ts";
