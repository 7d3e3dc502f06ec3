// vLLM's error responses, the one place the sim's HTTP layer maps failures to bodies and statuses:
// ErrorResponse {error: {message, type, param, code}} (vllm/entrypoints/openai/engine/protocol.py).

/** vLLM's error `type` for a status: serving errors use these class-like names. */
const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequestError",
  401: "UnauthorizedError",
  404: "NotFoundError",
  429: "TooManyRequestsError",
  500: "InternalServerError",
  501: "NotImplementedError",
  503: "ServiceUnavailableError",
};

export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: number;
  };
}

/** A request failure with vLLM's body; thrown inside routes and rendered by the app's error handler. */
export class SimHttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;

  constructor(status: number, message: string, options: { type?: string; param?: string | null } = {}) {
    super(message);
    this.name = "SimHttpError";
    this.status = status;
    this.type = options.type ?? TYPE_BY_STATUS[status] ?? "Error";
    this.param = options.param ?? null;
  }

  body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
  }
}

/** 404 for a model that is neither a served name nor a LoRA adapter (vLLM's OpenAIServingModels). */
export function modelNotFound(model: string): SimHttpError {
  return new SimHttpError(404, `The model \`${model}\` does not exist.`, { param: "model" });
}

/**
 * Request-body validation failures: FastAPI raises RequestValidationError, which vLLM's handler
 * answers with type HTTPStatus.BAD_REQUEST.phrase ("Bad Request").
 */
export function validationError(message: string, param: string | null = null): SimHttpError {
  return new SimHttpError(400, message, { type: "Bad Request", param });
}

/** Serving-layer 400s (create_error_response's default type "BadRequestError"). */
export function badRequest(message: string, param: string | null = null): SimHttpError {
  return new SimHttpError(400, message, { param });
}

/** vLLM's check in the renderer: the prompt alone must fit the context. */
export function promptTooLong(promptTokens: number, maxModelLen: number): SimHttpError {
  return badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
  );
}

/** vLLM's check of an explicit max_tokens against the room the prompt leaves. */
export function maxTokensTooLarge(
  maxTokens: number,
  promptTokens: number,
  maxModelLen: number,
): SimHttpError {
  return badRequest(
    `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${promptTokens} input tokens (${maxTokens} > ${maxModelLen} - ${promptTokens}).`,
  );
}

/** The AuthenticationMiddleware body (vllm/entrypoints/openai/server_utils.py). */
export const UNAUTHORIZED_BODY = { error: "Unauthorized" } as const;
