// A minimal hono app that chains request id, auth, readJsonBody, parseGenerationRequest and the model
// checks the way the gateway composes them, so tests can drive the request front door end to end.
import { Hono } from "hono";
import { AuthSchema } from "../../../src/config/schema/auth.ts";
import { checkModelAllowed, createAuthenticator } from "../../../src/gateway/middleware/auth.ts";
import {
  createRequestIdMiddleware,
  type RequestIdVariables,
} from "../../../src/gateway/middleware/request-id.ts";
import { readJsonBody } from "../../../src/gateway/openai/body.ts";
import { errorResponse, modelNotFoundResponse } from "../../../src/gateway/openai/errors.ts";
import { parseGenerationRequest, type RequestRoute } from "../../../src/gateway/openai/schemas.ts";

export interface TestAppOptions {
  /** Raw `auth:` section, validated with the real schema. */
  readonly auth?: unknown;
  readonly maxBodyBytes?: number;
  readonly allowKvTransferParams?: boolean;
  readonly models?: readonly string[];
  readonly defaultModel?: string;
}

const ROUTES: ReadonlyArray<readonly [string, RequestRoute]> = [
  ["/v1/chat/completions", "chat"],
  ["/v1/completions", "completions"],
  ["/v1/embeddings", "embeddings"],
  ["/v1/responses", "responses"],
  ["/v1/messages", "messages"],
  ["/tokenize", "tokenize"],
  ["/detokenize", "detokenize"],
];

export const GENERATED_REQUEST_ID = "generated-request-id";

export function createTestApp(options: TestAppOptions = {}): Hono<{ Variables: RequestIdVariables }> {
  const authenticator = createAuthenticator(AuthSchema.parse(options.auth ?? {}));
  const models = options.models ?? ["llama", "qwen"];
  const defaultModel = options.defaultModel ?? models[0] ?? "";
  const app = new Hono<{ Variables: RequestIdVariables }>();
  app.use(createRequestIdMiddleware(() => GENERATED_REQUEST_ID));
  app.use("/admin/*", async function adminGate(c, next) {
    if (!authenticator.authenticateAdmin(c.req.raw)) {
      return errorResponse("gateway_admin_unauthorized", { requestId: c.var.requestId });
    }
    await next();
  });
  app.get("/admin/state", (c) => c.json({ ok: true }));
  for (const [path, route] of ROUTES) {
    app.post(path, async function handle(c) {
      const requestId = c.var.requestId;
      const auth = authenticator.authenticate(c.req.raw);
      if (!auth.ok) return auth.response;
      const read = await readJsonBody(c.req.raw, options.maxBodyBytes ?? 64 * 1024);
      if (!read.ok) return read.response;
      const parsed = parseGenerationRequest(route, read.body, {
        allowKvTransferParams: options.allowKvTransferParams ?? false,
        requestId,
      });
      if (!parsed.ok) return parsed.response;
      const model = parsed.request.model ?? defaultModel;
      if (!models.includes(model)) return modelNotFoundResponse(model, models, { requestId });
      const forbidden = checkModelAllowed(auth.key, model, { requestId });
      if (forbidden !== null) return forbidden;
      const { isStreaming, clientWantsUsage, body } = parsed.request;
      return c.json({ route, model, isStreaming, clientWantsUsage, body, keyName: auth.key?.name ?? null });
    });
    app.all(path, (c) =>
      errorResponse("gateway_method_not_allowed", { requestId: c.var.requestId, allow: ["POST"] }),
    );
  }
  app.notFound((c) => errorResponse("gateway_route_not_found", { requestId: c.var.requestId }));
  app.onError((_error, c) => errorResponse("gateway_internal", { requestId: c.var.requestId }));
  return app;
}

/** A JSON POST as an SDK sends it. */
export function jsonPost(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}
