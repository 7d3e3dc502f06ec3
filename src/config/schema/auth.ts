// `auth:` section: client API keys (with per-key limits and priority) and the admin key.
import { z } from "zod";

export const ApiKeySchema = z
  .strictObject({
    name: z.string().min(1).describe("shown in logs and metrics instead of the key"),
    key: z.string().min(8).optional().describe("the bearer token itself"),
    key_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters")
      .optional()
      .describe("hex SHA-256 of the token, so the file holds no secret"),
    models: z.array(z.string().min(1)).optional().describe("models this key may use (all when absent)"),
    rpm: z.number().int().min(1).optional().describe("requests per minute"),
    tpm: z.number().int().min(1).optional().describe("tokens per minute (prompt + completion)"),
    priority: z.number().int().min(-1000).max(1000).default(0).describe("negative = sheddable"),
    trust_flow_headers: z
      .boolean()
      .default(false)
      .describe("requests with this key may set flow.priority_header and flow.fairness_header"),
  })
  .refine((k) => (k.key === undefined) !== (k.key_sha256 === undefined), {
    message: "set exactly one of key or key_sha256",
  });

export const AuthSchema = z.strictObject({
  api_keys: z.array(ApiKeySchema).default([]),
  admin_key: z.string().min(8).optional().describe("bearer token for /admin/*; env LLMUX_ADMIN_KEY"),
  trusted_networks: z
    .array(
      z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
        error: "expected a CIDR block or an IP address",
      }),
    )
    .default([])
    .describe("CIDRs (a bare address is one host) whose priority and fairness headers are trusted"),
});

export type AuthConfig = z.infer<typeof AuthSchema>;
export type ApiKeyConfig = z.infer<typeof ApiKeySchema>;
