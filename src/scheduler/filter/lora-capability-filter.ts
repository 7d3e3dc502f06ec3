// Keeps endpoints able to serve the request's model: the base model, and the LoRA adapter when one is
// asked for (listed by the endpoint or active/waiting on the engine; optionally any engine with a free
// LoRA slot). Reads descriptor and LoRA metrics.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, METRICS_KEY } from "../data-keys.ts";
import type { Filter, PluginDeps, SchedulingRequest } from "../types.ts";

export const TYPE = "lora-capability-filter";

export const Params = z.strictObject({
  allowLoadingOnCapacity: z
    .boolean()
    .default(false)
    .describe("also keep engines that do not list the adapter but have a free LoRA slot (runtime loading)"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  function canServe(request: SchedulingRequest, endpoint: EndpointSnapshot): boolean {
    if (!endpoint.descriptor.models.includes(request.model)) return false;
    const adapter = request.loraName;
    if (adapter === null || endpoint.descriptor.loraAdapters.includes(adapter)) return true;
    const metrics = endpoint.metrics;
    if (metrics === null) return false;
    if (metrics.runningLoras.includes(adapter) || metrics.waitingLoras.includes(adapter)) return true;
    return (
      params.allowLoadingOnCapacity &&
      metrics.maxLoras !== null &&
      metrics.runningLoras.length < metrics.maxLoras
    );
  }

  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY, METRICS_KEY],
    filter: function filterLoraCapable(request, endpoints) {
      let allPass = true;
      for (const endpoint of endpoints) if (!canServe(request, endpoint)) allPass = false;
      return allPass ? endpoints : endpoints.filter((endpoint) => canServe(request, endpoint));
    },
  } satisfies Filter;
}
