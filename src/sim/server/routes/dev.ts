// Dev-mode routes (VLLM_SERVER_DEV_MODE=1): /sleep, /wake_up, /is_sleeping, /reset_prefix_cache.
import type { Context, Hono } from "hono";
import type { SimServerContext } from "../context.ts";
import { SimHttpError, validationError } from "../errors.ts";

export function registerDevRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/sleep", (c) => sleep(ctx, c));
  app.post("/wake_up", () => {
    ctx.sleep.wakeUp();
    return new Response(null, { status: 200 });
  });
  app.get("/is_sleeping", (c) => c.json({ is_sleeping: ctx.sleep.state !== "awake" }));
  app.post("/reset_prefix_cache", () => {
    for (const handle of ctx.pool.engines) {
      if (!handle.engine.resetPrefixCache()) {
        ctx.logger.warn({ engine: handle.rank }, "prefix cache not reset: blocks are in use");
      }
      handle.publishPendingEvents();
    }
    return new Response(null, { status: 200 });
  });
}

function sleep(ctx: SimServerContext, c: Context): Response {
  if (!ctx.args.enableSleepMode) {
    // vLLM's executor asserts this (an AssertionError, answered as a 500).
    throw new SimHttpError(500, "Sleep mode is not enabled in the model config");
  }
  const level = c.req.query("level") ?? "1";
  if (level !== "1" && level !== "2")
    throw validationError(`level: expected 1 or 2, got "${level}"`, "level");
  ctx.sleep.sleep(level === "1" ? 1 : 2);
  return new Response(null, { status: 200 });
}
