// Public surface of the pool: the endpoint set, its state and in-flight accounting.
export { createCircuitBreaker } from "./circuit-breaker.ts";
export {
  EndpointPool,
  type EndpointPoolOptions,
  type PoolChangeListener,
  type ResolvedModel,
} from "./endpoint-pool.ts";
export { type HealthCheckerOptions, startHealthChecker } from "./health.ts";
export { InFlightTracker } from "./in-flight.ts";
export type {
  CircuitState,
  EndpointDescriptor,
  EndpointRole,
  EndpointSnapshot,
  EngineMetrics,
  InFlightLoad,
  LoadLease,
} from "./types.ts";
