// Public surface of the config component: schema types, loading and errors.
export {
  CONFIG_ERRORS,
  ConfigError,
  type ConfigErrorCode,
  type ConfigProblem,
  formatConfigProblems,
} from "./errors.ts";
export { EMBEDDED_DEFAULT_SOURCE, type LoadConfigOptions, type LoadedConfig, loadConfig } from "./load.ts";
export type { ApiKeyConfig, AuthConfig } from "./schema/auth.ts";
export type { EngineSpec } from "./schema/engines.ts";
export type { FlowConfig } from "./schema/flow.ts";
export type { GatewayConfig, StaticEndpointConfig } from "./schema/gateway.ts";
export type { KvCacheConfig } from "./schema/kvcache.ts";
export type { PdConfig } from "./schema/pd.ts";
export type { PredictorConfig } from "./schema/predictor.ts";
export type { SchedulerConfig } from "./schema/scheduler.ts";
export type { SupervisorConfig } from "./schema/supervisor.ts";
export { LOG_LEVELS, type TelemetryConfig } from "./schema/telemetry.ts";
export type { Config } from "./schema.ts";
export { ConfigSchema } from "./schema.ts";
