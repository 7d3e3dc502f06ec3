// Error catalogue of flow control: every outcome that keeps a request from running, with the gateway
// code it maps to (gateway/openai/errors.ts builds the response) and llm-d's dropped-reason value (§4).

/** Gateway catalogue codes flow outcomes map to; the gateway's types check they exist. */
export type FlowGatewayCode =
  | "gateway_rate_limited"
  | "gateway_overloaded"
  | "gateway_no_endpoint"
  | "gateway_shutting_down";

export interface FlowErrorEntry {
  readonly httpStatus: number;
  readonly gatewayCode: FlowGatewayCode;
  /** x-llmux-request-dropped-reason value (llm-d's x-llm-d-request-dropped-reason vocabulary), or null. */
  readonly dropReason: string | null;
  /** Client-safe sentence for the error body. */
  readonly message: string;
}

export const FLOW_ERRORS = {
  flow_rejected_saturated: entry(
    429,
    "gateway_rate_limited",
    "rejected-saturated",
    "The server is saturated and dropped this low-priority request; retry later.",
  ),
  flow_slo_unattainable: entry(
    429,
    "gateway_rate_limited",
    "rejected-saturated",
    "No engine can meet this low-priority request's latency objective right now; retry later.",
  ),
  flow_queue_full: entry(
    429,
    "gateway_rate_limited",
    "rejected-saturated",
    "The request queue is full; retry later.",
  ),
  flow_evicted: entry(
    429,
    "gateway_rate_limited",
    "evicted-queue-pressure",
    "The request was removed from a full queue to make room for higher-priority work; retry later.",
  ),
  flow_ttl_expired: entry(
    429,
    "gateway_rate_limited",
    "rejected-ttl-expired",
    "The request waited in the queue longer than allowed; retry later.",
  ),
  flow_ttl_expired_no_endpoints: entry(
    503,
    "gateway_no_endpoint",
    "rejected-ttl-expired",
    "No engine for this model became available while the request waited; retry later.",
  ),
  flow_cancelled: entry(
    503,
    "gateway_overloaded",
    "rejected-context-cancelled",
    "The client cancelled the request while it was queued.",
  ),
  flow_shutting_down: entry(
    503,
    "gateway_shutting_down",
    null,
    "The gateway is shutting down; retry on another instance.",
  ),
  flow_rate_limited_requests: entry(
    429,
    "gateway_rate_limited",
    null,
    "Request rate limit reached for this API key.",
  ),
  flow_rate_limited_tokens: entry(
    429,
    "gateway_rate_limited",
    null,
    "Token rate limit reached for this API key.",
  ),
} as const satisfies Record<string, FlowErrorEntry>;

export type FlowErrorCode = keyof typeof FLOW_ERRORS;

/** Codes that never reach a client: the owner logs and counts them (metric label `code`). */
export const FLOW_INTERNAL_ERRORS = {
  flow_rate_limit_store_failed: "the shared rate-limit store failed or timed out; the request was admitted",
  flow_policy_invalid: "a flow policy in the configuration has an unknown type or invalid parameters",
} as const;

export type FlowInternalErrorCode = keyof typeof FLOW_INTERNAL_ERRORS;

function entry(
  httpStatus: number,
  gatewayCode: FlowGatewayCode,
  dropReason: string | null,
  message: string,
): FlowErrorEntry {
  return { httpStatus, gatewayCode, dropReason, message };
}
