// `engines:` section: the models the supervisor launches on this host, with vLLM's own option names.
import { z } from "zod";

export const LoraModuleSchema = z.strictObject({
  name: z.string().min(1),
  path: z.string().min(1),
});

export const EngineSpecSchema = z.strictObject({
  model: z.string().min(1).describe("Hugging Face id or local model directory"),
  served_model_name: z.array(z.string().min(1)).min(1).optional(),
  replicas: z.number().int().min(1).default(1),
  tensor_parallel_size: z.number().int().min(1).default(1),
  role: z.enum(["prefill", "decode", "both"]).default("both"),
  gpu_memory_utilization: z.number().gt(0).max(1).optional(),
  max_model_len: z.number().int().min(16).optional(),
  cpu_offload_gb: z
    .number()
    .min(0)
    .optional()
    .describe("CPU tier of the prefix cache (--kv-offloading-size)"),
  lora_modules: z.array(LoraModuleSchema).default([]),
  extra_args: z.array(z.string()).default([]).describe("appended to the engine command line"),
  env: z.record(z.string(), z.string()).default({}),
  gpus: z.array(z.number().int().min(0)).optional().describe("pin to these GPU indices"),
  engine: z.enum(["vllm", "sim"]).optional().describe("override supervisor.engine for this entry"),
});

export const EnginesSchema = z.array(EngineSpecSchema);

export type EngineSpec = z.infer<typeof EngineSpecSchema>;
