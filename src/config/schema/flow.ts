// `flow:` section: admission control (priority bands, fairness, saturation, shedding, rate limits).
import { z } from "zod";

export const FlowSchema = z.strictObject({
  enabled: z.boolean().default(false).describe("queue requests when engines are saturated"),
  max_queued_requests: z.number().int().min(1).default(5000),
  default_ttl_ms: z.number().int().min(100).default(60_000).describe("longest a request may wait queued"),
  priority_header: z.string().min(1).default("x-llmux-priority"),
  fairness_header: z.string().min(1).default("x-llmux-fairness-id"),
  redis_url: z.string().min(1).optional().describe("share rate-limit counters between gateways"),
});

export type FlowConfig = z.infer<typeof FlowSchema>;
