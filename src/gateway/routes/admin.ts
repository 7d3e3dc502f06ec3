// The admin API: GET /admin/instances (supervised engines with in-flight load, what `llmux status`
// prints), GET /admin/decisions (recent routing decisions with their scores) and POST /admin/reload.
// Every /admin route needs the admin key (see Authenticator.authenticateAdmin).
import type { Hono } from "hono";
import type { AdminInstance, GatewayContext } from "../context.ts";
import { errorResponse } from "../openai/errors.ts";

/** One row of GET /admin/instances: the supervisor's view plus the gateway's in-flight requests. */
export interface AdminInstanceView extends AdminInstance {
  /** Requests the gateway has in flight at this instance now. */
  readonly inFlight: number;
}

export function registerAdminRoutes(app: Hono, ctx: GatewayContext): void {
  app.get("/admin/instances", function adminInstances(c) {
    if (!ctx.authenticator.authenticateAdmin(c.req.raw)) return errorResponse("gateway_admin_unauthorized");
    const instances = ctx.node.instances().map((instance) => toView(instance, ctx));
    return c.json({ instances });
  });
  app.get("/admin/decisions", function adminDecisions(c) {
    if (!ctx.authenticator.authenticateAdmin(c.req.raw)) return errorResponse("gateway_admin_unauthorized");
    const limit = decisionLimit(c.req.query("limit"));
    if (limit === null)
      return errorResponse("gateway_invalid_request", {
        param: "limit",
        detail: `limit must be a whole number from 1 to ${MAX_DECISIONS}.`,
      });
    return c.json({ decisions: ctx.scheduler.recentDecisions?.(limit) ?? [] });
  });
  app.post("/admin/reload", function adminReload(c) {
    if (!ctx.authenticator.authenticateAdmin(c.req.raw)) return errorResponse("gateway_admin_unauthorized");
    const outcome = ctx.node.reload();
    return c.json(outcome, outcome.outcome === "applied" ? 200 : 422);
  });
}

const MAX_DECISIONS = 256;

/** `?limit=N` (default 20); null when it is not a whole number in range. */
function decisionLimit(raw: string | undefined): number | null {
  if (raw === undefined) return 20;
  if (!/^\d+$/.test(raw)) return null;
  const limit = Number(raw);
  return limit >= 1 && limit <= MAX_DECISIONS ? limit : null;
}

/** Only the documented fields: snapshots carry more (hosts, ZMQ ports) than the admin API promises. */
function toView(instance: AdminInstance, ctx: GatewayContext): AdminInstanceView {
  return {
    id: instance.id,
    model: instance.model,
    engine: instance.engine,
    role: instance.role,
    gpus: instance.gpus,
    port: instance.port,
    state: instance.state,
    pid: instance.pid,
    restarts: instance.restarts,
    uptimeMs: instance.uptimeMs,
    lastError: instance.lastError,
    inFlight: ctx.pool.inFlightLoad(instance.id).requests,
  };
}
