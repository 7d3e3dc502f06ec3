// Prefers engines where the requested LoRA adapter is already active: 1.0 active, 0.8 free slot,
// 0.6 queued behind a full engine, 0 full (llm-d §2.3); no adapter requested → 1 everywhere.
// Reads LoRA metrics (running, waiting, max); unscraped engines score by their listed adapters.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, METRICS_KEY } from "../data-keys.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "lora-affinity-scorer";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "affinity",
    consumes: [DESCRIPTOR_KEY, METRICS_KEY],
    score: function scoreLoraAffinity(request, endpoints, _cycle, out) {
      const adapter = request.loraName;
      for (let i = 0; i < endpoints.length; i++) {
        out[i] = adapter === null ? 1 : adapterScore(endpoints[i] as EndpointSnapshot, adapter);
      }
    },
  } satisfies Scorer;
}

function adapterScore(endpoint: EndpointSnapshot, adapter: string): number {
  const metrics = endpoint.metrics;
  if (metrics === null) return endpoint.descriptor.loraAdapters.includes(adapter) ? 0.8 : 0;
  if (metrics.runningLoras.includes(adapter)) return 1;
  if (metrics.maxLoras === null || metrics.runningLoras.length < metrics.maxLoras) return 0.8;
  return metrics.waitingLoras.includes(adapter) ? 0.6 : 0;
}
