// The admin API: GET /admin/instances (supervised engines with in-flight load, what `llmux status`
// prints), GET /admin/decisions (recent routing decisions with their scores), GET /admin/stats (the
// dashboard's live data) and POST /admin/reload. Every /admin route needs the admin key (see
// Authenticator.authenticateAdmin).
import type { Hono } from "hono";
import type { AdminInstance, GatewayContext } from "../context.ts";
import { buildStatsView } from "../dashboard/stats-view.ts";
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
    const limit = wholeNumber(c.req.query("limit"), DEFAULT_DECISIONS, 1, MAX_DECISIONS);
    if (limit === null) return invalidParam("limit", 1, MAX_DECISIONS);
    return c.json({ decisions: ctx.scheduler.recentDecisions?.(limit) ?? [] });
  });
  app.get("/admin/stats", function adminStats(c) {
    if (!ctx.authenticator.authenticateAdmin(c.req.raw)) return errorResponse("gateway_admin_unauthorized");
    const maxWindowS = ctx.stats?.capacityS ?? DEFAULT_WINDOW_S;
    const windowS = wholeNumber(c.req.query("window_s"), DEFAULT_WINDOW_S, MIN_WINDOW_S, maxWindowS);
    if (windowS === null) return invalidParam("window_s", MIN_WINDOW_S, maxWindowS);
    const stepS = wholeNumber(c.req.query("step_s"), DEFAULT_STEP_S, 1, MAX_STEP_S);
    if (stepS === null) return invalidParam("step_s", 1, MAX_STEP_S);
    const decisions = wholeNumber(c.req.query("decisions"), DEFAULT_DECISIONS, 0, MAX_DECISIONS);
    if (decisions === null) return invalidParam("decisions", 0, MAX_DECISIONS);
    return c.json(buildStatsView(ctx, { windowS: Math.min(windowS, maxWindowS), stepS, decisions }));
  });
  app.post("/admin/reload", function adminReload(c) {
    if (!ctx.authenticator.authenticateAdmin(c.req.raw)) return errorResponse("gateway_admin_unauthorized");
    const outcome = ctx.node.reload();
    return c.json(outcome, outcome.outcome === "applied" ? 200 : 422);
  });
}

const MAX_DECISIONS = 256;
const DEFAULT_DECISIONS = 20;
/** The dashboard's default view: five minutes at five-second resolution. */
const DEFAULT_WINDOW_S = 300;
const DEFAULT_STEP_S = 5;
const MIN_WINDOW_S = 10;
const MAX_STEP_S = 60;

/** A whole-number query parameter in [min, max] (`fallback` when absent); null when invalid. */
function wholeNumber(raw: string | undefined, fallback: number, min: number, max: number): number | null {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}

function invalidParam(param: string, min: number, max: number): Response {
  return errorResponse("gateway_invalid_request", {
    param,
    detail: `${param} must be a whole number from ${min} to ${max}.`,
  });
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
