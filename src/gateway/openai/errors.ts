// The gateway's error catalogue and the one place that turns a gateway error into HTTP: an OpenAI-shaped
// body {"error":{message,type,param,code}}, the status, and the x-request-id / retry-after / drop-reason headers.

interface CatalogueEntry {
  readonly status: number;
  /** OpenAI's error `type`. */
  readonly type: string;
  /** Default client-facing message: a complete sentence, safe to show. */
  readonly message: string;
  /** false: `detail` is never shown because it could carry internal hosts, URLs or causes. */
  readonly isDetailShown: boolean;
  /** Retry-After sent when the caller gives none; null sends none. */
  readonly retryAfterS: number | null;
}

const INVALID = "invalid_request_error";
const SERVER = "server_error";

/** Every client-facing gateway error; codes are stable and documented in docs/errors.md. */
export const GATEWAY_ERRORS = {
  gateway_invalid_json: entry(400, INVALID, "We could not parse the JSON body of your request."),
  gateway_invalid_request: entry(400, INVALID, "The request body is invalid."),
  gateway_unsupported_media_type: entry(
    415,
    INVALID,
    "Unsupported media type: send the request body as JSON with `Content-Type: application/json`.",
  ),
  gateway_body_too_large: entry(413, INVALID, "The request body is too large."),
  gateway_model_not_found: entry(404, "not_found_error", "The requested model does not exist."),
  gateway_unauthorized: entry(401, "authentication_error", "Invalid API key."),
  gateway_model_forbidden: entry(403, "permission_error", "This API key may not use the requested model."),
  gateway_admin_unauthorized: entry(
    401,
    "authentication_error",
    "The admin API requires the admin key as `Authorization: Bearer <admin key>`.",
  ),
  gateway_kv_transfer_params_forbidden: entry(
    400,
    INVALID,
    "`kv_transfer_params` may not be set by clients on this gateway.",
  ),
  gateway_route_not_found: entry(404, "not_found_error", "No such route."),
  gateway_method_not_allowed: entry(405, INVALID, "This method is not allowed on this route."),
  gateway_no_endpoint: entry(503, SERVER, "No engine can take this request right now; retry later.", {
    retryAfterS: 1,
  }),
  gateway_overloaded: entry(503, SERVER, "The server is overloaded and did not admit this request.", {
    retryAfterS: 1,
  }),
  gateway_upstream_unavailable: entry(502, SERVER, "The engine serving this model could not be reached.", {
    isDetailShown: false,
  }),
  gateway_upstream_timeout: entry(504, SERVER, "The engine did not answer in time.", {
    isDetailShown: false,
  }),
  gateway_upstream_failed_midstream: entry(502, SERVER, "The engine failed while streaming the response.", {
    isDetailShown: false,
  }),
  gateway_rate_limited: entry(429, "rate_limit_error", "Rate limit reached for this API key.", {
    retryAfterS: 1,
  }),
  gateway_shutting_down: entry(503, SERVER, "The gateway is shutting down; retry on another instance.", {
    retryAfterS: 5,
  }),
  gateway_internal: entry(500, SERVER, "The gateway hit an internal error.", { isDetailShown: false }),
} as const satisfies Record<string, CatalogueEntry>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export interface ErrorBody {
  readonly error: { message: string; type: string; param: string | null; code: string };
}

export interface ErrorBodyOptions {
  /** The request field at fault, e.g. `messages[2].role`. */
  readonly param?: string | null;
  /**
   * A client-safe sentence that replaces the catalogue message; ignored for codes whose entry has
   * isDetailShown false. Never put keys, internal URLs or stack traces here.
   */
  readonly detail?: string;
}

export interface ErrorResponseOptions extends ErrorBodyOptions {
  readonly requestId?: string;
  /** Seconds; rounded up to a whole number as RFC 9110 §10.2.3 requires. */
  readonly retryAfterS?: number;
  /** Why admission dropped the request (flow's reason), sent as x-llmux-request-dropped-reason. */
  readonly dropReason?: string;
  /** Methods the route accepts, sent as Allow (RFC 9110 §15.5.6 requires it on a 405). */
  readonly allow?: readonly string[];
}

export const REQUEST_ID_HEADER = "x-request-id";
export const DROP_REASON_HEADER = "x-llmux-request-dropped-reason";

/** The OpenAI-shaped body for `code`; `error.code` is the catalogue code. */
export function errorBody(code: GatewayErrorCode, options: ErrorBodyOptions = {}): ErrorBody {
  const known: CatalogueEntry = GATEWAY_ERRORS[code];
  const isDetailUsed = options.detail !== undefined && options.detail !== "" && known.isDetailShown;
  return {
    error: {
      message: isDetailUsed ? (options.detail ?? known.message) : known.message,
      type: known.type,
      param: options.param ?? null,
      code,
    },
  };
}

/** A complete JSON error response: catalogue status, body and headers. */
export function errorResponse(code: GatewayErrorCode, options: ErrorResponseOptions = {}): Response {
  const known: CatalogueEntry = GATEWAY_ERRORS[code];
  const headers = new Headers({ "content-type": "application/json" });
  if (options.requestId !== undefined) headers.set(REQUEST_ID_HEADER, options.requestId);
  const retryAfterS = options.retryAfterS ?? known.retryAfterS;
  if (retryAfterS !== null) headers.set("retry-after", String(Math.max(0, Math.ceil(retryAfterS))));
  if (options.dropReason !== undefined) headers.set(DROP_REASON_HEADER, options.dropReason);
  if (options.allow !== undefined) headers.set("allow", options.allow.join(", "));
  // RFC 9110 §11.6.1: a 401 carries the challenge for the scheme we accept.
  if (known.status === 401) headers.set("www-authenticate", 'Bearer realm="llmux"');
  return new Response(JSON.stringify(errorBody(code, options)), { status: known.status, headers });
}

/** One complete SSE event carrying the error, for failures after a 200 stream has started. */
export function sseErrorEvent(code: GatewayErrorCode, options: ErrorBodyOptions = {}): string {
  return `data: ${JSON.stringify(errorBody(code, options))}\n\n`;
}

/** Longest client-supplied model name echoed back; longer names are cut. */
const MAX_ECHOED_MODEL_CHARS = 256;

/** 404 naming the requested model and the models this gateway serves (as vLLM's "does not exist"). */
export function modelNotFoundResponse(
  model: string,
  availableModels: readonly string[],
  options: Omit<ErrorResponseOptions, "detail" | "param"> = {},
): Response {
  const available = availableModels.length === 0 ? "none" : availableModels.join(", ");
  return errorResponse("gateway_model_not_found", {
    ...options,
    param: "model",
    detail: `The model \`${echoModel(model)}\` does not exist. Available models: ${available}.`,
  });
}

/** 403 for a key whose allow-list does not include the model. */
export function modelForbiddenResponse(
  model: string,
  options: Omit<ErrorResponseOptions, "detail" | "param"> = {},
): Response {
  return errorResponse("gateway_model_forbidden", {
    ...options,
    param: "model",
    detail: `This API key may not use the model \`${echoModel(model)}\`.`,
  });
}

function echoModel(model: string): string {
  return model.length > MAX_ECHOED_MODEL_CHARS ? `${model.slice(0, MAX_ECHOED_MODEL_CHARS)}…` : model;
}

function entry<S extends number, T extends string, M extends string>(
  status: S,
  type: T,
  message: M,
  extra: { isDetailShown?: boolean; retryAfterS?: number } = {},
): { readonly status: S; readonly type: T; readonly message: M } & CatalogueEntry {
  return {
    status,
    type,
    message,
    isDetailShown: extra.isDetailShown ?? true,
    retryAfterS: extra.retryAfterS ?? null,
  };
}
