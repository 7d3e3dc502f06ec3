// The sim's hono app: vLLM's routes, its API-key middleware (only /v1, /v2, /inference), the
// X-Request-Id echo, and one error handler that answers with vLLM's error bodies.
import { Hono } from "hono";
import type { SimServerContext } from "./context.ts";
import { SimHttpError, UNAUTHORIZED_BODY } from "./errors.ts";
import { registerBasicRoutes } from "./routes/basic.ts";
import { registerChatRoutes } from "./routes/chat.ts";
import { registerCompletionRoutes } from "./routes/completions.ts";
import { registerDevRoutes } from "./routes/dev.ts";
import { registerEmbeddingRoutes } from "./routes/embeddings.ts";
import { registerResponsesRoutes } from "./routes/responses.ts";
import { registerTokenizeRoutes } from "./routes/tokenize.ts";

const GUARDED_PREFIXES = ["/v1", "/v2", "/inference"];

/** Builds the app over `ctx`; in-process tests call `app.request()` on it. */
export function createSimApp(ctx: SimServerContext): Hono {
  const app = new Hono();
  if (ctx.args.apiKeys.length > 0) app.use(apiKeyMiddleware(ctx.args.apiKeys));
  if (ctx.args.enableRequestIdHeaders) {
    app.use(async function requestIdHeader(c, next) {
      const id = c.req.header("x-request-id") ?? ctx.newId();
      await next();
      c.res.headers.set("X-Request-Id", id);
    });
  }
  registerBasicRoutes(app, ctx);
  registerTokenizeRoutes(app, ctx);
  registerChatRoutes(app, ctx);
  registerCompletionRoutes(app, ctx);
  registerResponsesRoutes(app, ctx);
  registerEmbeddingRoutes(app, ctx);
  if (ctx.args.env.devMode) registerDevRoutes(app, ctx);
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  app.onError(function answerError(error, c) {
    if (error instanceof SimHttpError) return c.json(error.body(), error.status as 400);
    ctx.logger.error({ err: error, path: c.req.path }, "request failed");
    return c.json(new SimHttpError(500, "Internal server error").body(), 500);
  });
  return app;
}

/** vLLM's AuthenticationMiddleware: `Authorization: Bearer <key>` on guarded paths, OPTIONS exempt. */
function apiKeyMiddleware(keys: readonly string[]) {
  const accepted = new Set(keys.map((key) => `Bearer ${key}`));
  return async function checkApiKey(c: import("hono").Context, next: () => Promise<void>) {
    const path = c.req.path;
    if (c.req.method !== "OPTIONS" && GUARDED_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      if (!accepted.has(c.req.header("authorization") ?? "")) return c.json(UNAUTHORIZED_BODY, 401);
    }
    await next();
  };
}
