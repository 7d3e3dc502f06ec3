// The exact command line and environment of one engine instance (vllm-interfaces.md §1.3, §4.1,
// §5). vLLM and the sim get the same flags; only the command in front differs.
import { resolve } from "node:path";
import type { LaunchSpec, Plan, PlannedInstance } from "./types.ts";

/** The CBOR hash is the one llmux can reproduce outside Python (vllm-interfaces §2.1). */
export const ENGINE_PREFIX_HASH_ALGO = "sha256_cbor";

/** NIXL's handshake listener; engines on one host talk over loopback. */
const NIXL_SIDE_CHANNEL_HOST = "127.0.0.1";

/**
 * This binary's own `sim` subcommand: the compiled executable runs it directly, so nothing has to
 * sit beside it; from source, bun runs src/main.ts.
 */
export function simCommand(): string[] {
  if (Bun.isStandaloneExecutable) return [process.execPath, "sim"];
  return [process.execPath, resolve(import.meta.dir, "../main.ts"), "sim"];
}

export interface LaunchSpecOptions {
  /** Command in front of the sim's flags; simCommand() by default. */
  readonly simCommand?: readonly string[];
}

/** argv and the environment llmux sets (inherited variables are added at spawn, not here). */
export function buildLaunchSpec(
  instance: PlannedInstance,
  plan: Plan,
  options: LaunchSpecOptions = {},
): LaunchSpec {
  const command = instance.engine === "vllm" ? plan.vllmCommand : (options.simCommand ?? simCommand());
  const simArgs = instance.engine === "sim" ? plan.simArgs : [];
  return {
    argv: [
      ...command,
      instance.model,
      ...engineFlags(instance, plan.host),
      ...simArgs,
      ...instance.spec.extra_args,
    ],
    env: engineEnv(instance, plan.pythonHashSeed),
  };
}

/** The KV-events topic `kv@<instance>@<model>`, llm-d's convention (vllm-interfaces §1.3). */
export function kvEventsTopic(instance: PlannedInstance): string {
  return `kv@${instance.id}@${instance.servedModelNames[0] ?? instance.model}`;
}

/** vllm-interfaces §1.3: PUB and ROUTER (replay) endpoints per instance; "*" binds every interface. */
function kvEventsConfig(instance: PlannedInstance): string {
  return JSON.stringify({
    enable_kv_cache_events: true,
    publisher: "zmq",
    endpoint: `tcp://*:${instance.kvEventsPort}`,
    replay_endpoint: `tcp://*:${instance.replayPort}`,
    topic: kvEventsTopic(instance),
  });
}

function engineFlags(instance: PlannedInstance, host: string): string[] {
  const { spec } = instance;
  const flags = [
    "--host",
    host,
    "--port",
    String(instance.port),
    "--served-model-name",
    ...instance.servedModelNames,
    "-tp",
    String(instance.tensorParallelSize),
  ];
  if (spec.gpu_memory_utilization !== undefined) {
    flags.push("--gpu-memory-utilization", String(spec.gpu_memory_utilization));
  }
  if (spec.max_model_len !== undefined) flags.push("--max-model-len", String(spec.max_model_len));
  flags.push(
    "--kv-events-config",
    kvEventsConfig(instance),
    "--prefix-caching-hash-algo",
    ENGINE_PREFIX_HASH_ALGO,
    "--enable-prompt-tokens-details",
  );
  if (instance.role !== "both") {
    // NixlConnector ignores kv_role; the P/D coordinator decides who prefills (vllm-interfaces §4.1).
    flags.push("--kv-transfer-config", JSON.stringify({ kv_connector: "NixlConnector", kv_role: "kv_both" }));
  }
  if (spec.cpu_offload_gb !== undefined) flags.push("--kv-offloading-size", String(spec.cpu_offload_gb));
  if (spec.lora_modules.length > 0) {
    flags.push(
      "--enable-lora",
      "--lora-modules",
      ...spec.lora_modules.map((lora) => `${lora.name}=${lora.path}`),
    );
  }
  return flags;
}

function engineEnv(instance: PlannedInstance, pythonHashSeed: string): Record<string, string> {
  const env: Record<string, string> = { ...instance.spec.env };
  if (instance.engine === "vllm") {
    env.CUDA_VISIBLE_DEVICES = instance.gpus.join(",");
    // nvidia-smi numbers GPUs in PCI bus order, CUDA by default fastest-first: pin CUDA to bus order
    // so the indices above name the GPUs placement chose.
    env.CUDA_DEVICE_ORDER ??= "PCI_BUS_ID";
  }
  // Same seed everywhere: vLLM derives the root block hash from it (vllm-interfaces §2.2).
  env.PYTHONHASHSEED = pythonHashSeed;
  env.PYTHONUNBUFFERED = "1";
  if (instance.nixlPort !== null) {
    env.VLLM_NIXL_SIDE_CHANNEL_HOST = NIXL_SIDE_CHANNEL_HOST;
    env.VLLM_NIXL_SIDE_CHANNEL_PORT = String(instance.nixlPort);
  }
  return env;
}
