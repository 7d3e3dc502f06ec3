// Resolves the names a profile handler's parameters refer to (profiles, decider plugins) when the config
// loads, so a typo fails `check-config` with its path instead of silently disabling a P/D stage.
import type { SchedulerConfigProblem } from "./param-problems.ts";
import type { AnyPlugin, PdDecider, PluginKind, ProfileHandler } from "./types.ts";

export interface ReferencedInstance {
  readonly plugin: AnyPlugin;
  readonly kind: PluginKind;
}

export interface ResolvedReferences {
  /** Decider plugins by name, for the engine's `decide`. */
  readonly deciders: ReadonlyMap<string, PdDecider>;
  /** Every referenced plugin, so its `consumes` are resolved like a profile plugin's. */
  readonly plugins: readonly AnyPlugin[];
}

/**
 * Checks each of `handler.references` against the declared plugins and profiles. `handlerPath` is the
 * handler's config path, or null for the auto-added handler (which has no references).
 */
export function resolveHandlerReferences(
  handler: ProfileHandler,
  handlerPath: string | null,
  instances: ReadonlyMap<string, ReferencedInstance>,
  profileNames: ReadonlySet<string>,
  problems: SchedulerConfigProblem[],
): ResolvedReferences {
  const deciders = new Map<string, PdDecider>();
  const plugins: AnyPlugin[] = [];
  for (const reference of handler.references ?? []) {
    const path = `${handlerPath ?? "scheduler.plugins"}.parameters.${reference.param}`;
    if (reference.kind === "profile") {
      if (!profileNames.has(reference.name)) {
        problems.push({ path, message: `no scheduling profile named "${reference.name}"` });
      }
      continue;
    }
    const instance = instances.get(reference.name);
    if (instance === undefined) {
      problems.push({ path, message: `no plugin named "${reference.name}" in scheduler.plugins` });
    } else if (instance.kind !== reference.kind) {
      problems.push({
        path,
        message: `"${reference.name}" is a ${instance.kind}; a ${reference.kind} is needed here`,
      });
    } else {
      plugins.push(instance.plugin);
      if (reference.kind === "decider") deciders.set(reference.name, instance.plugin as PdDecider);
    }
  }
  return { deciders, plugins };
}
