// `gateway:` section: the OpenAI-compatible front door (listen address, limits, timeouts, retries).
import { z } from "zod";

const MIB = 1024 * 1024;

export const StaticEndpointSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .optional()
    .describe("instance id shown in headers and metrics; defaults to host:port"),
  url: z.url().describe("base URL of an OpenAI-compatible engine, e.g. http://10.0.0.5:8000"),
  models: z.array(z.string().min(1)).min(1).describe("served model names"),
  role: z.enum(["prefill", "decode", "both"]).default("both"),
  labels: z.record(z.string(), z.string()).default({}),
  kv_events: z
    .strictObject({
      endpoint: z.string().min(1).describe("ZMQ PUB address to subscribe to, e.g. tcp://10.0.0.5:5557"),
      replay_endpoint: z.string().min(1).optional(),
      topic: z.string().default(""),
    })
    .optional(),
});

export const GatewaySchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .describe("listen address; keep 127.0.0.1 unless API keys are set"),
  port: z.number().int().min(0).max(65535).default(8000).describe("listen port (0 = pick a free one)"),
  default_model: z.string().min(1).optional().describe("model used when a request names none"),
  max_body_bytes: z
    .number()
    .int()
    .min(1024)
    .max(512 * MIB)
    .default(32 * MIB)
    .describe("largest accepted request body"),
  request_timeout_ms: z
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000)
    .describe("total time allowed for one request, streaming included"),
  stream_idle_timeout_ms: z
    .number()
    .int()
    .min(0)
    .default(5 * 60_000)
    .describe("abort an upstream stream that sends nothing for this long (0 = never)"),
  retry: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(10).default(3),
      initial_backoff_ms: z.number().int().min(0).default(25),
      max_backoff_ms: z.number().int().min(0).default(1000),
    })
    .prefault({}),
  allow_client_kv_transfer_params: z
    .boolean()
    .default(false)
    .describe("accept kv_transfer_params from clients (normally only the P/D coordinator sets them)"),
  drain_timeout_ms: z.number().int().min(0).default(30_000).describe("how long shutdown waits for requests"),
  endpoints: z.array(StaticEndpointSchema).default([]).describe("remote engines not launched by llmux"),
  endpoints_file: z.string().min(1).optional().describe("YAML file of endpoints, watched for changes"),
});

export type GatewayConfig = z.infer<typeof GatewaySchema>;
export type StaticEndpointConfig = z.infer<typeof StaticEndpointSchema>;
