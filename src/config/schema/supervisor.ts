// `supervisor:` section: how engines are launched, health-gated, restarted and stopped.
import { z } from "zod";

export const SupervisorSchema = z.strictObject({
  engine: z
    .enum(["auto", "vllm", "sim"])
    .default("auto")
    .describe("auto = vllm when GPUs and the vllm command exist, else the built-in simulator"),
  vllm_command: z.array(z.string().min(1)).min(1).default(["vllm", "serve"]),
  sim_args: z
    .array(z.string())
    .default(["--sim-startup-delay", "2"])
    .describe("flags added to simulated engines only (before each entry's extra_args)"),
  host: z.string().min(1).default("127.0.0.1").describe("address engines listen on"),
  base_port: z.number().int().min(1024).max(65000).default(8100).describe("first engine HTTP port"),
  kv_events_base_port: z.number().int().min(1024).max(65000).default(5557),
  nixl_side_channel_base_port: z.number().int().min(1024).max(65000).default(5600),
  gpus: z
    .array(
      z.strictObject({
        index: z.number().int().min(0).describe("CUDA device index"),
        name: z.string().min(1).default("GPU"),
        uuid: z.string().min(1).optional(),
        memory_total_mib: z.number().int().min(1).optional(),
      }),
    )
    .optional()
    .describe("declare the GPUs instead of asking nvidia-smi (e.g. when it is not on PATH)"),
  python_hash_seed: z.string().min(1).default("0").describe("PYTHONHASHSEED shared by all engines"),
  readiness_timeout_s: z.number().int().min(1).default(600),
  stop_grace_s: z.number().int().min(0).default(10),
  max_restarts: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe("crashes within restart_window_s before giving up"),
  restart_window_s: z.number().int().min(1).default(600),
  state_dir: z
    .string()
    .min(1)
    .optional()
    .describe("where the pid file lives (default: $XDG_RUNTIME_DIR or /tmp)"),
});

export type SupervisorConfig = z.infer<typeof SupervisorSchema>;
