// The plugin registry: plugin modules registered by type name with a kind and stability, and built into
// instances from validated parameters (llm-d's plugin registry, §1.4). builtin.ts fills the default one.
import type { z } from "zod";
import type { AnyPlugin, PluginDeps, PluginKind, PluginOfKind, PluginStability } from "./types.ts";

/** What every plugin module exports (STYLE §B2): the type name, a strict params schema and a factory. */
export interface PluginModule<K extends PluginKind, P> {
  readonly TYPE: string;
  /** A strict object schema: its shape names the parameters for docs and checks. */
  readonly Params: z.ZodType<P> & { readonly shape: Readonly<Record<string, z.core.$ZodType>> };
  create(name: string, params: P, deps: PluginDeps): PluginOfKind[K];
}

/** Outcome of building one instance: the plugin, or the schema's issues with its parameters. */
export type BuildOutcome =
  | { readonly ok: true; readonly plugin: AnyPlugin }
  | { readonly ok: false; readonly issues: readonly z.core.$ZodIssue[] };

export interface PluginRegistration {
  readonly type: string;
  readonly kind: PluginKind;
  readonly stability: PluginStability;
  readonly params: z.ZodType;
  readonly parameterNames: readonly string[];
  /** Validates `rawParams` with the plugin's schema and, when valid, creates the instance. */
  build(name: string, rawParams: unknown, deps: PluginDeps): BuildOutcome;
}

/** Plugin types by name. Registering a type twice is a programming error and throws. */
export class PluginRegistry {
  private readonly byType = new Map<string, PluginRegistration>();

  register<K extends PluginKind, P>(kind: K, stability: PluginStability, module: PluginModule<K, P>): void {
    if (this.byType.has(module.TYPE)) throw new Error(`plugin type ${module.TYPE} is registered twice`);
    this.byType.set(module.TYPE, {
      type: module.TYPE,
      kind,
      stability,
      params: module.Params,
      parameterNames: Object.keys(module.Params.shape),
      build: function buildPlugin(name, rawParams, deps) {
        const parsed = module.Params.safeParse(rawParams ?? {});
        if (!parsed.success) return { ok: false, issues: parsed.error.issues };
        return { ok: true, plugin: module.create(name, parsed.data, deps) };
      },
    });
  }

  get(type: string): PluginRegistration | undefined {
    return this.byType.get(type);
  }

  /** Every registration, in registration order. */
  list(): readonly PluginRegistration[] {
    return [...this.byType.values()];
  }
}
