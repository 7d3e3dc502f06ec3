// vLLM's always-on routes: /health and /ping (200, empty body), /version, /load, /metrics, /v1/models.
import type { Hono } from "hono";
import type { SimServerContext } from "../context.ts";

/** prometheus_client's exposition content type. */
const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function registerBasicRoutes(app: Hono, ctx: SimServerContext): void {
  const health = () => new Response(null, { status: 200 });
  app.get("/health", health);
  app.get("/ping", health);
  app.post("/ping", health);
  app.get("/version", (c) => c.json({ version: ctx.version }));
  // Without --enable-server-load-tracking vLLM never counts, so /load stays 0.
  app.get("/load", (c) => c.json({ server_load: ctx.args.enableServerLoadTracking ? ctx.serverLoad : 0 }));
  app.get(
    "/metrics",
    () =>
      new Response(ctx.metricsText(), { status: 200, headers: { "content-type": PROMETHEUS_CONTENT_TYPE } }),
  );
  app.get("/v1/models", (c) => c.json(ctx.models.list(ctx.nowSeconds())));
}
