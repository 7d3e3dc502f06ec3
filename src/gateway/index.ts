// Public surface of the gateway: the hono app, its context and metrics, and the HTTP server.
export { createGatewayApp } from "./app.ts";
export type {
  AdminInstance,
  CompletedRequest,
  ConfiguredModel,
  FlowControl,
  GatewayContext,
  NodeState,
  PrefixKeysInput,
  PrefixKeysSource,
  ReadinessReport,
  ReloadOutcome,
} from "./context.ts";
export { createGatewayMetrics, type GatewayMetrics } from "./metrics.ts";
export { type Authenticator, createAuthenticator } from "./middleware/auth.ts";
export { type RunningServer, type ServerOptions, startServer } from "./server.ts";
export { GatewayStats } from "./stats.ts";
