// The hono application: composes the gateway's routes.
import { Hono } from "hono";

export interface GatewayAppOptions {
  /** Reported by /health. */
  readonly version: string;
}

/** Builds the gateway's hono app. */
export function createGatewayApp(options: GatewayAppOptions): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok", version: options.version }));
  return app;
}
