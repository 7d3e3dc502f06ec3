// Hand-written plugins for engine tests: fixed scores, fixed filters, throwing plugins.
import type { EndpointSnapshot } from "../../src/pool/index.ts";
import type { Filter, Picker, Scorer } from "../../src/scheduler/types.ts";

export function fixedScorer(name: string, byId: Record<string, number>): Scorer {
  return {
    typedName: { type: "fixed-scorer", name },
    category: "balance",
    consumes: [],
    score: (_request, endpoints, _cycle, out) => {
      endpoints.forEach((e, i) => {
        out[i] = byId[e.descriptor.id] ?? 0;
      });
    },
  };
}

export function dropFilter(name: string, dropped: readonly string[]): Filter {
  return {
    typedName: { type: "drop-filter", name },
    consumes: [],
    filter: (_request, endpoints) =>
      endpoints.filter((e: EndpointSnapshot) => !dropped.includes(e.descriptor.id)),
  };
}

export function throwingScorer(name: string): Scorer {
  return {
    typedName: { type: "throwing-scorer", name },
    category: "balance",
    consumes: [],
    score: () => {
      throw new Error(`${name} broke`);
    },
  };
}

export function throwingFilter(name: string): Filter {
  return {
    typedName: { type: "throwing-filter", name },
    consumes: [],
    filter: () => {
      throw new Error(`${name} broke`);
    },
  };
}

export function fixedPicker(name: string, index: number): Picker {
  return { typedName: { type: "fixed-picker", name }, consumes: [], pick: () => index };
}
