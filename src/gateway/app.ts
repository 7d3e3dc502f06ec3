// The hono application: composes the gateway's routes over a shared context. Errors thrown by a
// route are logged and answered with a generic 500 in OpenAI's shape (no internals leak).
import { Hono } from "hono";
import type { GatewayContext } from "./context.ts";
import { errorResponse } from "./openai/errors.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerDashboardRoutes } from "./routes/dashboard.ts";
import { registerGenerationRoutes } from "./routes/generation.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerModelRoutes } from "./routes/models.ts";
import { registerTokenizeRoutes } from "./routes/tokenize.ts";

const OTHER_METHODS = ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

const POST_ROUTES = [
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/v1/responses",
  "/v1/messages",
  "/tokenize",
  "/detokenize",
];

/** Builds the gateway's hono app over `ctx`. */
export function createGatewayApp(ctx: GatewayContext): Hono {
  const app = new Hono();
  registerHealthRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerGenerationRoutes(app, ctx);
  registerTokenizeRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerDashboardRoutes(app);
  // Only the other methods: a POST matching two handlers would leave hono's single-handler fast path.
  for (const path of POST_ROUTES) {
    app.on(OTHER_METHODS, path, () => errorResponse("gateway_method_not_allowed", { allow: ["POST"] }));
  }
  app.notFound(() => errorResponse("gateway_route_not_found"));
  app.onError(function onRouteError(error) {
    ctx.logger.error({ err: error }, "unhandled error in a gateway route");
    return errorResponse("gateway_internal");
  });
  return app;
}
