// The gateway error catalogue: codes, statuses, OpenAI types, bodies, headers and SSE events.
import { describe, expect, test } from "bun:test";
import {
  errorBody,
  errorResponse,
  GATEWAY_ERRORS,
  type GatewayErrorCode,
  modelForbiddenResponse,
  modelNotFoundResponse,
  sseErrorEvent,
} from "../../../src/gateway/openai/errors.ts";

const EXPECTED: Record<GatewayErrorCode, readonly [number, string]> = {
  gateway_invalid_json: [400, "invalid_request_error"],
  gateway_invalid_request: [400, "invalid_request_error"],
  gateway_unsupported_media_type: [415, "invalid_request_error"],
  gateway_body_too_large: [413, "invalid_request_error"],
  gateway_model_not_found: [404, "not_found_error"],
  gateway_unauthorized: [401, "authentication_error"],
  gateway_model_forbidden: [403, "permission_error"],
  gateway_admin_unauthorized: [401, "authentication_error"],
  gateway_kv_transfer_params_forbidden: [400, "invalid_request_error"],
  gateway_route_not_found: [404, "not_found_error"],
  gateway_method_not_allowed: [405, "invalid_request_error"],
  gateway_no_endpoint: [503, "server_error"],
  gateway_overloaded: [503, "server_error"],
  gateway_upstream_unavailable: [502, "server_error"],
  gateway_upstream_timeout: [504, "server_error"],
  gateway_upstream_failed_midstream: [502, "server_error"],
  gateway_rate_limited: [429, "rate_limit_error"],
  gateway_shutting_down: [503, "server_error"],
  gateway_internal: [500, "server_error"],
};

const CODES = Object.keys(GATEWAY_ERRORS) as GatewayErrorCode[];

describe("GATEWAY_ERRORS", () => {
  test("holds exactly the expected codes, all snake_case with the gateway_ prefix", () => {
    expect(CODES.sort()).toEqual((Object.keys(EXPECTED) as GatewayErrorCode[]).sort());
    for (const code of CODES) expect(code).toMatch(/^gateway_[a-z]+(_[a-z]+)*$/);
  });

  test.each(CODES)("%s has its status, OpenAI type and a sentence", (code) => {
    const [status, type] = EXPECTED[code];
    const known: { status: number; type: string; message: string } = GATEWAY_ERRORS[code];
    expect(known.status).toBe(status);
    expect(known.type).toBe(type);
    expect(known.message).toMatch(/^[A-Z`].*\.$/);
  });
});

describe("errorBody", () => {
  test("has OpenAI's shape with the code as error.code", () => {
    expect(errorBody("gateway_invalid_request", { param: "messages[0].role", detail: "Bad role." })).toEqual({
      error: {
        message: "Bad role.",
        type: "invalid_request_error",
        param: "messages[0].role",
        code: "gateway_invalid_request",
      },
    });
  });

  test("uses the catalogue message and a null param by default", () => {
    expect(errorBody("gateway_route_not_found").error).toEqual({
      message: "No such route.",
      type: "not_found_error",
      param: null,
      code: "gateway_route_not_found",
    });
  });

  test.each([
    "gateway_internal",
    "gateway_upstream_unavailable",
    "gateway_upstream_timeout",
    "gateway_upstream_failed_midstream",
  ] as const)("%s never shows a caller's detail", (code) => {
    const body = errorBody(code, { detail: "connect ECONNREFUSED http://10.0.0.5:8000/v1/chat" });
    expect(body.error.message).toBe(GATEWAY_ERRORS[code].message);
    expect(JSON.stringify(body)).not.toContain("10.0.0.5");
  });
});

describe("errorResponse", () => {
  test("sets status, content type and the request id", async () => {
    const response = errorResponse("gateway_body_too_large", { requestId: "req-1" });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(response.headers.get("retry-after")).toBeNull();
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "gateway_body_too_large",
    );
  });

  test("gateway_no_endpoint carries Retry-After even when the caller gives none", () => {
    expect(errorResponse("gateway_no_endpoint").headers.get("retry-after")).toBe("1");
  });

  test("rounds a fractional Retry-After up to whole seconds", () => {
    expect(errorResponse("gateway_rate_limited", { retryAfterS: 2.2 }).headers.get("retry-after")).toBe("3");
    expect(errorResponse("gateway_no_endpoint", { retryAfterS: -4 }).headers.get("retry-after")).toBe("0");
  });

  test("sends the drop reason header when given", () => {
    const response = errorResponse("gateway_overloaded", { dropReason: "flow_queue_full" });
    expect(response.status).toBe(503);
    expect(response.headers.get("x-llmux-request-dropped-reason")).toBe("flow_queue_full");
  });

  test("a 401 carries a Bearer challenge", () => {
    expect(errorResponse("gateway_unauthorized").headers.get("www-authenticate")).toContain("Bearer");
    expect(errorResponse("gateway_admin_unauthorized").headers.get("www-authenticate")).toContain("Bearer");
  });

  test("a 405 lists the allowed methods", () => {
    const response = errorResponse("gateway_method_not_allowed", { allow: ["GET", "POST"] });
    expect(response.headers.get("allow")).toBe("GET, POST");
  });

  test("gateway_internal keeps a generic message", async () => {
    const response = errorResponse("gateway_internal", { detail: "TypeError: x is undefined at foo.ts:12" });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("foo.ts");
  });
});

describe("sseErrorEvent", () => {
  test("is one complete data event holding the error body", () => {
    const event = sseErrorEvent("gateway_upstream_failed_midstream");
    expect(event.startsWith("data: ")).toBe(true);
    expect(event.endsWith("\n\n")).toBe(true);
    expect(event.slice(0, -2)).not.toContain("\n");
    expect(JSON.parse(event.slice("data: ".length))).toEqual(errorBody("gateway_upstream_failed_midstream"));
  });

  test("escapes newlines in details so the event cannot be split", () => {
    const event = sseErrorEvent("gateway_invalid_request", { detail: "line one\n\ndata: forged" });
    expect(event.split("\n\n")).toEqual([expect.stringContaining("forged"), ""]);
  });
});

describe("model responses", () => {
  test("model not found names the model and the available models", async () => {
    const response = modelNotFoundResponse("gpt-9", ["llama", "qwen"], { requestId: "r" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: "The model `gpt-9` does not exist. Available models: llama, qwen.",
        type: "not_found_error",
        param: "model",
        code: "gateway_model_not_found",
      },
    });
  });

  test("says none when nothing is served", async () => {
    const body = (await modelNotFoundResponse("m", []).json()) as { error: { message: string } };
    expect(body.error.message).toEndWith("Available models: none.");
  });

  test("cuts a very long requested model name", async () => {
    const body = (await modelForbiddenResponse("m".repeat(10_000)).json()) as { error: { message: string } };
    expect(body.error.message.length).toBeLessThan(400);
  });

  test("model forbidden is a 403 permission error on param model", async () => {
    const response = modelForbiddenResponse("qwen");
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { type: string; param: string; message: string } };
    expect(body.error).toMatchObject({ type: "permission_error", param: "model" });
    expect(body.error.message).toBe("This API key may not use the model `qwen`.");
  });
});
