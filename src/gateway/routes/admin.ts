// The admin API: GET /admin/instances lists the supervised engines with their in-flight load (what
// `llmux status` prints). Every /admin route needs the admin key (see Authenticator.authenticateAdmin).
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
