// Keeps endpoints that can prefill: role label prefill | encode-prefill | prefill-decode | both |
// encode-prefill-decode, or, when unlabeled, descriptor role prefill | both. Reads descriptor.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY } from "../data-keys.ts";
import type { Filter, PluginDeps } from "../types.ts";
import { PREFILL_ROLES, roleOf } from "./role.ts";

export const TYPE = "prefill-filter";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY],
    filter: function filterPrefillers(_request, endpoints) {
      return endpoints.every(canPrefill) ? endpoints : endpoints.filter(canPrefill);
    },
  } satisfies Filter;
}

function canPrefill(endpoint: EndpointSnapshot): boolean {
  return PREFILL_ROLES.has(roleOf(endpoint));
}
