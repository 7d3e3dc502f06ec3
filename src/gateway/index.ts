// Public surface of the gateway: the hono app and its HTTP server.
export { createGatewayApp, type GatewayAppOptions } from "./app.ts";
export { type RunningServer, type ServerOptions, startServer } from "./server.ts";
