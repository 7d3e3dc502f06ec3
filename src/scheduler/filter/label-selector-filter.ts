// Keeps endpoints whose labels match a Kubernetes-style selector: every matchLabels pair and every
// matchExpression (In, NotIn, Exists, DoesNotExist) must hold; an empty selector keeps all. Reads labels.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY } from "../data-keys.ts";
import type { Filter, PluginDeps } from "../types.ts";

export const TYPE = "label-selector-filter";

const Expression = z
  .strictObject({
    key: z.string().min(1).describe("label name"),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]).describe("how the label is tested"),
    values: z.array(z.string()).default([]).describe("label values for In / NotIn"),
  })
  .refine((e) => (e.operator === "In" || e.operator === "NotIn") === e.values.length > 0, {
    message: "In and NotIn need values; Exists and DoesNotExist take none",
    path: ["values"],
  });

export const Params = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).default({}).describe("labels that must equal these values"),
  matchExpressions: z.array(Expression).default([]).describe("set-based requirements, all must hold"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  const required = Object.entries(params.matchLabels);
  const expressions = params.matchExpressions.map((e) => ({ ...e, valueSet: new Set(e.values) }));

  function matches(endpoint: EndpointSnapshot): boolean {
    const labels = endpoint.descriptor.labels;
    for (const [key, value] of required) if (labels[key] !== value) return false;
    for (const expression of expressions) {
      const value = Object.hasOwn(labels, expression.key) ? labels[expression.key] : undefined;
      if (!holds(expression.operator, value, expression.valueSet)) return false;
    }
    return true;
  }

  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY],
    filter: function filterByLabels(_request, endpoints) {
      return endpoints.every(matches) ? endpoints : endpoints.filter(matches);
    },
  } satisfies Filter;
}

/** Kubernetes semantics: NotIn and DoesNotExist hold for an absent label. */
function holds(operator: string, value: string | undefined, values: ReadonlySet<string>): boolean {
  switch (operator) {
    case "In":
      return value !== undefined && values.has(value);
    case "NotIn":
      return value === undefined || !values.has(value);
    case "Exists":
      return value !== undefined;
    default:
      return value === undefined;
  }
}
