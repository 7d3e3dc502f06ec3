// Drops endpoints that are unhealthy or whose circuit is open; keeps half-open ones (the gateway claims
// the single probe slot for the one it picks). Reads health and circuit state.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { HEALTH_KEY } from "../data-keys.ts";
import type { Filter, PluginDeps } from "../types.ts";

export const TYPE = "health-filter";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [HEALTH_KEY],
    filter: function filterHealthy(_request, endpoints) {
      return endpoints.every(isServable) ? endpoints : endpoints.filter(isServable);
    },
  } satisfies Filter;
}

function isServable(endpoint: EndpointSnapshot): boolean {
  return endpoint.isHealthy && endpoint.circuit !== "open";
}
