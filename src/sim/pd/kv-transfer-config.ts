// `--kv-transfer-config` for the sim: vLLM's KVTransferConfig keys (vllm-interfaces.md §4.1), validated once.
// Only NixlConnector is simulated; every other connector is rejected rather than half-imitated.
import { z } from "zod";
import { formatZodIssues, LaxBool, LaxInt, mergeJsonCliArg } from "../kv-events-config.ts";

export type KvRole = "kv_producer" | "kv_consumer" | "kv_both";

/** The validated `--kv-transfer-config` of an instance with a KV connector. */
export interface KvTransferConfig {
  readonly kvConnector: "NixlConnector";
  /** NixlConnector ignores the role: the proxy decides which instance prefills (§4.1). */
  readonly kvRole: KvRole;
  /** Base engine id, without the `_dp{rank}` suffix (see `engineIdForRank`). */
  readonly engineId: string;
  readonly kvBufferDevice: string;
  readonly kvLoadFailurePolicy: "fail" | "recompute";
  /** How long the prefill side holds finished blocks for the decoder (kv_lease_duration). */
  readonly kvLeaseDurationSeconds: number;
  /** kv_recompute_threshold: prompts this short are recomputed on D instead of transferred. */
  readonly kvRecomputeThresholdTokens: number;
  /** The whole kv_connector_extra_config, including keys the sim does not read. */
  readonly kvConnectorExtraConfig: Readonly<Record<string, unknown>>;
}

const FLAG = "--kv-transfer-config";
const SIMULATED_CONNECTORS = ["NixlConnector"] as const;
const PositiveSeconds = z.preprocess(toNumber, z.number({ error: "expected a number" }).positive());

// Keys read by vLLM's NIXL scheduler; other keys belong to other backends and pass through untouched.
const ExtraConfigSchema = z.looseObject({
  kv_lease_duration: PositiveSeconds.default(30),
  kv_recompute_threshold: LaxInt.pipe(z.int().min(0)).default(64),
  bidirectional_kv_xfer: LaxBool.default(false),
  decoder_kv_blocks_ttl: PositiveSeconds.default(480),
  backends: z.array(z.string()).default(["UCX"]),
  enable_cross_layers_blocks: LaxBool.default(false),
});

const KvTransferConfigSchema = z.strictObject({
  kv_connector: z.string().nullable().default(null),
  engine_id: z.string().min(1).nullable().default(null),
  kv_buffer_device: z.string().default("cuda"),
  kv_buffer_size: z.preprocess(toNumber, z.number().positive()).default(1e9),
  kv_role: z.enum(["kv_producer", "kv_consumer", "kv_both"]).nullable().default(null),
  kv_rank: LaxInt.nullable().default(null),
  kv_parallel_size: LaxInt.pipe(z.int().min(1)).default(1),
  kv_ip: z.string().default("127.0.0.1"),
  kv_port: LaxInt.pipe(z.int().min(0).max(65535)).default(14579),
  kv_connector_extra_config: ExtraConfigSchema.prefault({}),
  kv_connector_module_path: z.string().nullable().default(null),
  enable_permute_local_kv: LaxBool.default(false),
  kv_load_failure_policy: z.enum(["fail", "recompute"]).default("fail"),
});

/**
 * Parses `--kv-transfer-config '<json>'` and/or dotted flags (["kv_role","kv_both"],
 * ["kv_connector_extra_config.kv_lease_duration","5"]). Returns null when no connector is configured.
 * Throws an Error naming every bad field: unknown keys, a connector without kv_role (vLLM's rule), or a
 * connector other than NixlConnector.
 */
export function parseKvTransferConfig(
  json: string | undefined,
  dotted: ReadonlyArray<readonly [string, string]>,
  randomUuid: () => string = () => crypto.randomUUID(),
): KvTransferConfig | null {
  if (json === undefined && dotted.length === 0) return null;
  const raw = mergeJsonCliArg(FLAG, json, dotted);
  const parsed = KvTransferConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatZodIssues(FLAG, parsed.error, raw));
  const c = parsed.data;
  if (c.kv_connector === null) return null;
  if (c.kv_role === null) {
    throw new Error(
      `${FLAG}: kv_role: required when kv_connector is set (kv_producer | kv_consumer | kv_both)`,
    );
  }
  if (!(SIMULATED_CONNECTORS as readonly string[]).includes(c.kv_connector)) {
    throw new Error(
      `${FLAG}: kv_connector: "${c.kv_connector}" is not simulated; llmux sim supports ${SIMULATED_CONNECTORS.join(", ")}`,
    );
  }
  const extra = c.kv_connector_extra_config;
  return Object.freeze({
    kvConnector: "NixlConnector",
    kvRole: c.kv_role,
    engineId: c.engine_id ?? randomUuid(),
    kvBufferDevice: c.kv_buffer_device,
    kvLoadFailurePolicy: c.kv_load_failure_policy,
    kvLeaseDurationSeconds: extra.kv_lease_duration,
    kvRecomputeThresholdTokens: extra.kv_recompute_threshold,
    kvConnectorExtraConfig: Object.freeze({ ...extra }),
  });
}

/**
 * The engine id one DP rank announces. vLLM's DP engine core appends `_dp{rank}` whenever data
 * parallelism is on (vllm/v1/engine/core.py), including rank 0; a single engine keeps the base id.
 */
export function engineIdForRank(
  engineId: string,
  dataParallelRank: number,
  dataParallelSize: number,
): string {
  return dataParallelSize > 1 ? `${engineId}_dp${dataParallelRank}` : engineId;
}

/** Pydantic-lax floats: numbers and numeric strings. */
function toNumber(value: unknown): unknown {
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}
