// Keeps endpoints that can decode: role label decode | prefill-decode | both | encode-prefill-decode, or,
// when unlabeled, descriptor role decode | both (llm-d keeps unlabeled pods). Reads descriptor.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY } from "../data-keys.ts";
import type { Filter, PluginDeps } from "../types.ts";
import { DECODE_ROLES, roleOf } from "./role.ts";

export const TYPE = "decode-filter";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY],
    filter: function filterDecoders(_request, endpoints) {
      return endpoints.every(canDecode) ? endpoints : endpoints.filter(canDecode);
    },
  } satisfies Filter;
}

function canDecode(endpoint: EndpointSnapshot): boolean {
  return DECODE_ROLES.has(roleOf(endpoint));
}
