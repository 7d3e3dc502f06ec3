// The flow policy registry: fairness, ordering, saturation and admitter policies registered by type
// name, built from strict parameters (the same module shape as scheduler plugins, STYLE §B2).
import type { z } from "zod";
import type {
  Admitter,
  FairnessPolicy,
  FlowPolicyDeps,
  OrderingPolicy,
  SaturationDetector,
} from "./types.ts";

export type FlowPolicyKind = "fairness" | "ordering" | "saturation" | "admitter";
export type FlowPolicyStability = "alpha" | "beta" | "stable";

export interface FlowPolicyOfKind {
  fairness: FairnessPolicy;
  ordering: OrderingPolicy;
  saturation: SaturationDetector;
  admitter: Admitter;
}

export interface FlowPolicyModule<K extends FlowPolicyKind, P> {
  readonly TYPE: string;
  readonly Params: z.ZodType<P> & { readonly shape: Readonly<Record<string, z.core.$ZodType>> };
  create(name: string, params: P, deps: FlowPolicyDeps): FlowPolicyOfKind[K];
}

export type FlowPolicyBuild<K extends FlowPolicyKind> =
  | { readonly ok: true; readonly policy: FlowPolicyOfKind[K] }
  | { readonly ok: false; readonly issues: readonly z.core.$ZodIssue[] };

export interface FlowPolicyRegistration<K extends FlowPolicyKind = FlowPolicyKind> {
  readonly type: string;
  readonly kind: K;
  readonly stability: FlowPolicyStability;
  readonly params: z.ZodType;
  readonly parameterNames: readonly string[];
  build(name: string, rawParams: unknown, deps: FlowPolicyDeps): FlowPolicyBuild<K>;
}

/** Flow policy types by name. Registering a type twice is a programming error and throws. */
export class FlowPolicyRegistry {
  private readonly byType = new Map<string, FlowPolicyRegistration>();

  register<K extends FlowPolicyKind, P>(
    kind: K,
    stability: FlowPolicyStability,
    module: FlowPolicyModule<K, P>,
  ): void {
    if (this.byType.has(module.TYPE)) throw new Error(`flow policy type ${module.TYPE} is registered twice`);
    const registration: FlowPolicyRegistration<K> = {
      type: module.TYPE,
      kind,
      stability,
      params: module.Params,
      parameterNames: Object.keys(module.Params.shape),
      build: function buildFlowPolicy(name, rawParams, deps) {
        const parsed = module.Params.safeParse(rawParams ?? {});
        if (!parsed.success) return { ok: false, issues: parsed.error.issues };
        return { ok: true, policy: module.create(name, parsed.data, deps) };
      },
    };
    this.byType.set(module.TYPE, registration as unknown as FlowPolicyRegistration);
  }

  get(type: string): FlowPolicyRegistration | undefined {
    return this.byType.get(type);
  }

  list(): readonly FlowPolicyRegistration[] {
    return [...this.byType.values()];
  }
}
