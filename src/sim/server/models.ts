// Served model names and LoRA adapters as vLLM's OpenAIServingModels resolves them: the request's
// `model` picks a base name or an adapter; responses name the first served name or the adapter.
import type { LoraModule } from "../cli-args.ts";
import { modelNotFound } from "./errors.ts";

export interface ResolvedModel {
  /** The `model` field of responses: the adapter name, or the first served name. */
  readonly responseName: string;
  /** The adapter to run with, or null for the base model. */
  readonly loraName: string | null;
}

export interface ModelRegistry {
  /** Resolves a request's `model` (absent means the base model); throws vLLM's 404 otherwise. */
  resolve(model: string | null | undefined): ResolvedModel;
  /** The /v1/models list. */
  list(nowSeconds: number): { readonly object: "list"; readonly data: readonly Record<string, unknown>[] };
}

export interface ModelRegistryOptions {
  readonly modelPath: string;
  readonly servedNames: readonly string[];
  readonly loras: readonly LoraModule[];
  readonly maxModelLen: number;
  /** Random ids of the permission entries (vLLM: `modelperm-{uuid hex}`). */
  readonly newId: () => string;
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const baseName = options.servedNames[0] ?? options.modelPath;
  const bases = new Set(options.servedNames);
  const loras = new Map(options.loras.map((lora) => [lora.name, lora]));
  return {
    resolve(model) {
      if (model === null || model === undefined || bases.has(model)) {
        return { responseName: baseName, loraName: null };
      }
      if (loras.has(model)) return { responseName: model, loraName: model };
      throw modelNotFound(model);
    },
    list(nowSeconds) {
      const created = Math.floor(nowSeconds);
      const card = (id: string, root: string, parent: string | null, maxModelLen: number | null) => ({
        id,
        object: "model",
        created,
        owned_by: "vllm",
        root,
        parent,
        max_model_len: maxModelLen,
        permission: [permission(options.newId(), created)],
      });
      const data = [
        ...options.servedNames.map((name) => card(name, options.modelPath, null, options.maxModelLen)),
        ...options.loras.map((lora) => card(lora.name, lora.path, lora.baseModelName ?? baseName, null)),
      ];
      return { object: "list", data };
    },
  };
}

function permission(id: string, created: number): Record<string, unknown> {
  return {
    id: `modelperm-${id}`,
    object: "model_permission",
    created,
    allow_create_engine: false,
    allow_sampling: true,
    allow_logprobs: true,
    allow_search_indices: false,
    allow_view: true,
    allow_fine_tuning: false,
    organization: "*",
    group: null,
    is_blocking: false,
  };
}
