// GET /v1/models: the union of what every endpoint serves (base models and LoRA adapters, each
// once), in vLLM's ModelCard shape.
import type { Hono } from "hono";
import type { GatewayContext } from "../context.ts";

export function registerModelRoutes(app: Hono, ctx: GatewayContext): void {
  app.get("/v1/models", function listModels(c) {
    const auth = ctx.authenticator.authenticate(c.req.raw);
    if (!auth.ok) return auth.response;
    const allowed = auth.key?.models ?? null;
    const createdS = Math.floor(ctx.now() / 1000);
    const data = ctx.pool
      .modelNames()
      .filter((m) => allowed === null || allowed.includes(m.id))
      .map((m) => ({
        id: m.id,
        object: "model",
        created: createdS,
        owned_by: "llmux",
        root: m.id,
        parent: m.parent,
      }));
    return c.json({ object: "list", data });
  });
}
