// `flow:` section: admission control (priority bands, fairness, saturation, shedding, rate limits).
// Policy parameters are validated by each flow policy's own schema when admission is built.
import { z } from "zod";

export const FlowPolicySpecSchema = z.strictObject({
  type: z.string().min(1).describe("registered flow policy type, e.g. round-robin-fairness-policy"),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const FlowSchema = z.strictObject({
  enabled: z.boolean().default(false).describe("queue requests when engines are saturated"),
  max_queued_requests: z.number().int().min(1).default(5000),
  max_queued_bytes: z
    .number()
    .int()
    .min(1)
    .default(1_073_741_824)
    .describe("request bodies held queued at once, in bytes (llm-d's per-band 1 GB)"),
  default_ttl_ms: z.number().int().min(100).default(60_000).describe("longest a request may wait queued"),
  dispatch_poll_ms: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe("while requests are queued, saturation is re-checked this often (metrics change unannounced)"),
  priority_header: z.string().min(1).default("x-llmux-priority"),
  fairness_header: z.string().min(1).default("x-llmux-fairness-id"),
  default_fairness_id: z
    .string()
    .min(1)
    .default("default-flow")
    .describe("flow of requests with neither an API key nor a trusted fairness header"),
  fairness_policy: FlowPolicySpecSchema.default({ type: "round-robin-fairness-policy" }),
  ordering_policy: FlowPolicySpecSchema.default({ type: "fcfs-ordering-policy" }),
  saturation_detectors: z
    .array(FlowPolicySpecSchema)
    .min(1)
    .default([{ type: "utilization-detector" }, { type: "concurrency-detector" }])
    .describe("saturated when any detector reports ≥ 1"),
  admitters: z
    .array(FlowPolicySpecSchema)
    .default([])
    .describe("checked before queueing, e.g. latency-slo-admitter"),
  redis_url: z.string().min(1).optional().describe("share rate-limit counters between gateways"),
  redis_key_prefix: z.string().min(1).default("llmux:rl:").describe("prefix of rate-limit keys in Redis"),
  rate_limit_store_timeout_ms: z
    .number()
    .int()
    .min(1)
    .default(50)
    .describe("a slower shared store is skipped: the request is admitted and the failure counted"),
});

export type FlowConfig = z.infer<typeof FlowSchema>;
export type FlowPolicySpec = z.infer<typeof FlowPolicySpecSchema>;
