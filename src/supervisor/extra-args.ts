// Rejects extra_args flags and env variables that would fight the ones llmux sets itself, so an
// engine never starts with two different ports, GPU sets or KV-event endpoints.
import type { EngineSpec } from "../config/index.ts";
import type { EngineKind, PlacementProblem } from "./types.ts";

/** argparse aliases vLLM defines (vllm/engine/arg_utils.py). */
const ALIASES: Readonly<Record<string, string>> = {
  "-tp": "--tensor-parallel-size",
  "-dp": "--data-parallel-size",
  "-pp": "--pipeline-parallel-size",
  "-q": "--quantization",
};

/** Flags llmux always sets, and what to use instead. */
const ALWAYS_OWNED: Readonly<Record<string, string>> = {
  "--host": "set supervisor.host",
  "--port": "ports come from supervisor.base_port",
  "--uds": "engines are reached over TCP; remove it",
  "--model": "set engines[].model",
  "--served-model-name": "set engines[].served_model_name",
  "--tensor-parallel-size": "set engines[].tensor_parallel_size",
  "--data-parallel-size": "use engines[].replicas: each replica is its own instance with its own ports",
  "--kv-events-config": "llmux sets the KV-events endpoints and topic; remove it",
  "--prefix-caching-hash-algo": "llmux needs sha256_cbor to read the engines' block hashes; remove it",
};

/**
 * vLLM turns --kv-offloading-size into kv_connector=OffloadingConnector, overwriting the NIXL
 * connector of a P/D instance (VllmConfig._post_init_kv_transfer_config, VLLM-MAIN).
 */
const OFFLOAD_WITH_PD =
  "a CPU KV tier replaces the NixlConnector on prefill/decode instances; use it with role: both only";

/** Normalises `--max_model_len=1`, `--kv-events-config.topic` and `-tp` to the long flag name. */
export function flagName(token: string): string | null {
  if (!token.startsWith("-") || /^-\d/.test(token)) return null;
  const name = token.split("=", 1)[0] ?? token;
  if (!name.startsWith("--")) return ALIASES[name] ?? name;
  // vLLM's FlexibleArgumentParser accepts underscores and dotted sub-keys of JSON flags.
  return name.split(".", 1)[0]?.replaceAll("_", "-") ?? name;
}

/** Flags llmux sets for this entry, each with the config field that replaces it. */
function ownedFlags(spec: EngineSpec): Map<string, string> {
  const owned = new Map(Object.entries(ALWAYS_OWNED));
  if (spec.gpu_memory_utilization !== undefined) {
    owned.set("--gpu-memory-utilization", "already set by engines[].gpu_memory_utilization; keep one");
  }
  if (spec.max_model_len !== undefined)
    owned.set("--max-model-len", "already set by engines[].max_model_len; keep one");
  if (spec.cpu_offload_gb !== undefined)
    owned.set("--kv-offloading-size", "already set by engines[].cpu_offload_gb; keep one");
  if (spec.role !== "both")
    owned.set("--kv-transfer-config", "llmux sets the NixlConnector for prefill/decode roles");
  if (spec.lora_modules.length > 0) {
    owned.set("--lora-modules", "already set by engines[].lora_modules; keep one");
    owned.set("--enable-lora", "implied by engines[].lora_modules; remove it");
  }
  return owned;
}

/** Every conflicting flag in extra_args and variable in env of one entry. */
export function findArgConflicts(
  spec: EngineSpec,
  entryIndex: number,
  engine: EngineKind,
): PlacementProblem[] {
  const path = `engines[${entryIndex}]`;
  const owned = ownedFlags(spec);
  const problems: PlacementProblem[] = [];
  if (spec.role !== "both" && spec.cpu_offload_gb !== undefined) {
    problems.push({
      path: `${path}.cpu_offload_gb`,
      message: `cpu_offload_gb cannot be combined with role ${spec.role}`,
      fix: OFFLOAD_WITH_PD,
    });
  }
  for (const token of spec.extra_args) {
    const name = flagName(token);
    if (name === null) continue;
    const fix = owned.get(name);
    if (fix !== undefined) {
      problems.push({
        path: `${path}.extra_args`,
        message: `"${token}" conflicts with a flag llmux sets (${name})`,
        fix,
      });
    } else if (engine === "vllm" && name.startsWith("--sim-")) {
      problems.push({
        path: `${path}.extra_args`,
        message: `"${token}" is a simulator flag, but this entry runs vLLM`,
        fix: `set engines[${entryIndex}].engine: sim, or remove the --sim-* flags`,
      });
    }
  }
  return [...problems, ...findEnvConflicts(spec, path, engine)];
}

function findEnvConflicts(spec: EngineSpec, path: string, engine: EngineKind): PlacementProblem[] {
  return ownedEnv(spec, engine)
    .filter((variable) => spec.env[variable] !== undefined)
    .map((variable) => ({
      path: `${path}.env.${variable}`,
      message: `${variable} is set by llmux for this engine`,
      fix: ENV_FIXES[variable] ?? "remove it",
    }));
}

const ENV_FIXES: Readonly<Record<string, string>> = {
  CUDA_VISIBLE_DEVICES: "pin GPUs with engines[].gpus instead",
  PYTHONHASHSEED: "set supervisor.python_hash_seed: every engine needs the same seed to share block hashes",
};

function ownedEnv(spec: EngineSpec, engine: EngineKind): string[] {
  const owned = ["PYTHONHASHSEED"];
  if (engine === "vllm") owned.push("CUDA_VISIBLE_DEVICES");
  if (spec.role !== "both") owned.push("VLLM_NIXL_SIDE_CHANNEL_HOST", "VLLM_NIXL_SIDE_CHANNEL_PORT");
  return owned;
}
