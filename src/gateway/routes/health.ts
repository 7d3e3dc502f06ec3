// /health (the process is alive), /ready (every configured model has a ready engine; 503 with
// details otherwise) and /metrics (Prometheus text, or OpenMetrics when asked).
import type { Hono } from "hono";
import { exposeMetrics } from "../../telemetry/index.ts";
import type { GatewayContext } from "../context.ts";

export function registerHealthRoutes(app: Hono, ctx: GatewayContext): void {
  app.get("/health", (c) => c.json({ status: "ok", version: ctx.version }));
  app.get("/ready", function ready(c) {
    const report = ctx.readiness();
    return c.json(
      { status: report.isReady ? "ready" : "not_ready", models: report.models },
      report.isReady ? 200 : 503,
    );
  });
  app.get("/metrics", async function metrics(c) {
    const exposition = await exposeMetrics(ctx.registry, c.req.header("accept") ?? null);
    return c.body(exposition.body, 200, { "content-type": exposition.contentType });
  });
}
