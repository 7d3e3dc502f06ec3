// The `llmux sim` flag table: vLLM's `vllm serve` flags the simulator honours (names as in
// vllm/engine/arg_utils.py and vllm/entrypoints/openai/cli_args.py), the --sim-* flags and llmux's own.

/** value: one value; list: one or more values (argparse nargs="+"); bool: --x / --no-x; json: JSON or dotted. */
export type FlagKind = "value" | "list" | "bool" | "json";

export interface FlagSpec {
  readonly kind: FlagKind;
  /** Shown by --help; flags without help are accepted but not listed (vLLM flags the sim ignores). */
  readonly help?: string;
  readonly group: "vllm" | "sim" | "llmux";
}

const v = (help?: string): FlagSpec => ({ kind: "value", group: "vllm", ...(help ? { help } : {}) });
const b = (help?: string): FlagSpec => ({ kind: "bool", group: "vllm", ...(help ? { help } : {}) });
const list = (help: string): FlagSpec => ({ kind: "list", group: "vllm", help });
const s = (help: string): FlagSpec => ({ kind: "value", group: "sim", help });

/** Every flag the sim knows, by long name without the leading dashes. */
export const SIM_FLAGS: Readonly<Record<string, FlagSpec>> = {
  model: v("model name or directory (also the positional argument)"),
  host: v("listen address (vLLM default: all interfaces)"),
  port: v("listen port (default 8000)"),
  "served-model-name": list("names the model is served under; metrics use the first"),
  tokenizer: v("tokenizer directory (tokenizer.json + tokenizer_config.json)"),
  "block-size": v("tokens per KV block (default 16)"),
  "max-model-len": v("context length (accepts 32k / 32K); default: the profile's"),
  "max-num-seqs": v("requests per batch; default: the profile's"),
  "max-num-batched-tokens": v("token budget per step; default: the profile's"),
  "gpu-memory-utilization": v("fraction of GPU memory for the engine (default 0.92); scales KV blocks"),
  "enable-prefix-caching": b("prefix caching (default on; --no-enable-prefix-caching turns it off)"),
  "prefix-caching-hash-algo": v(
    "sha256_cbor | xxhash_cbor; sha256 (vLLM's default) and xxhash run as *_cbor",
  ),
  "kv-events-config": {
    kind: "json",
    group: "vllm",
    help: "KV events: JSON, or dotted --kv-events-config.KEY VALUE",
  },
  "kv-transfer-config": { kind: "json", group: "vllm", help: "P/D connector: JSON, or dotted form" },
  "kv-offloading-size": v("CPU KV tier size in GiB"),
  "kv-offloading-backend": v(),
  "enable-lora": b("serve LoRA adapters"),
  "lora-modules": list("LoRA adapters: name=path or JSON {name, path, base_model_name}"),
  "max-loras": v("LoRA adapters per batch (default 1)"),
  "max-lora-rank": v(),
  "max-cpu-loras": v(),
  "api-key": list("API keys required on /v1, /v2 and /inference (env VLLM_API_KEY)"),
  "enable-prompt-tokens-details": b("usage.prompt_tokens_details.cached_tokens"),
  "enable-force-include-usage": b("usage chunk on every stream"),
  "enable-server-load-tracking": b("count in-flight requests for /load"),
  "enable-request-id-headers": b("echo X-Request-Id on responses"),
  "enable-sleep-mode": b("allow /sleep (dev mode)"),
  "scheduling-policy": v("fcfs | priority (default fcfs)"),
  "data-parallel-size": v("engines in this process (default 1)"),
  "data-parallel-rank": v("global rank of the first engine (default 0)"),
  "tensor-parallel-size": v("reported in P/D params (default 1)"),
  "kv-cache-dtype": v("reported in cache_config_info (default auto)"),
  seed: v("default for --sim-seed"),
  "shutdown-timeout": v("seconds running requests may finish after SIGTERM (default 0)"),
  config: v("YAML file of vllm serve flags (command-line flags win)"),
  "sim-profile": s("latency/capacity preset (default h100-llama3-8b; tests use tiny-cpu)"),
  "sim-kv-blocks": s("GPU KV blocks per engine, overriding the profile"),
  "sim-seed": s("seed of the simulated model output"),
  "sim-time-scale": s("run N times faster than real time (default 1)"),
  "sim-kv-events-layout": s("array | map (default map, vLLM >= 0.26)"),
  "sim-startup-delay": s("seconds before the port listens (default: profile's, time-scaled)"),
  "sim-fail-after": s("answer 500 to every request after N requests"),
  "sim-crash-after": s("exit non-zero N seconds after starting to serve"),
  "sim-error-rate": s("FRACTION[:STATUS]: that share of requests get STATUS (default 500)"),
  "sim-stall": s("streams stop producing after N tokens and stay open"),
  "sim-kv-events-gap-every": s(
    "withhold every Nth KV-event batch from PUB (replay still has it), to test gap recovery",
  ),
  "log-level": { kind: "value", group: "llmux", help: "trace|debug|info|warn|error|fatal|silent" },
  "log-format": { kind: "value", group: "llmux", help: "json|pretty" },
  set: { kind: "value", group: "llmux", help: "llmux config override key.path=value (repeatable)" },
  "llmux-config": { kind: "value", group: "llmux", help: "llmux config file (for logging settings)" },
  help: { kind: "bool", group: "llmux", help: "show help" },
};

/** Single-dash spellings (argparse aliases). */
export const SIM_FLAG_ALIASES: Readonly<Record<string, string>> = {
  tp: "tensor-parallel-size",
  dp: "data-parallel-size",
  h: "help",
  c: "llmux-config",
};

/** Flags that may repeat and accumulate (all others: the last occurrence wins, as in argparse). */
export const REPEATABLE_FLAGS: ReadonlySet<string> = new Set(["set"]);

/** The flags section of `llmux sim --help`, generated from the table. */
export function simFlagsHelp(): string {
  const lines: string[] = [];
  for (const group of ["vllm", "sim"] as const) {
    lines.push(group === "vllm" ? "vllm serve flags:" : "Simulator flags:");
    for (const [name, spec] of Object.entries(SIM_FLAGS)) {
      if (spec.group !== group || spec.help === undefined) continue;
      const alias = Object.entries(SIM_FLAG_ALIASES).find(([, long]) => long === name)?.[0];
      const left = `${alias ? `-${alias}, ` : "    "}--${name}${spec.kind === "bool" ? "" : " <v>"}`;
      lines.push(`  ${left.padEnd(34)} ${spec.help}`);
    }
    lines.push("");
  }
  lines.push("Other vllm serve flags are accepted with a warning.");
  return lines.join("\n");
}
