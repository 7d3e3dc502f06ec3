// Builds the scheduling plan (plugin instances, profiles, producers, handler) from the `scheduler:` config,
// reporting every problem at once with its config path: unknown types, duplicate names, invalid
// parameters, dangling pluginRefs, misplaced weights or pickers, and unmet `consumes`.
import type { SchedulerConfig } from "../config/index.ts";
import { resolveHandlerReferences } from "./handler-references.ts";
import { paramProblems, type SchedulerConfigProblem } from "./param-problems.ts";
import type { PluginRegistry } from "./registry.ts";
import type {
  AnyPlugin,
  DataKey,
  Filter,
  PdDecider,
  Picker,
  PluginDeps,
  PluginKind,
  Producer,
  ProfileHandler,
  Scorer,
} from "./types.ts";

export interface WeightedScorer {
  readonly scorer: Scorer;
  readonly weight: number;
}

export interface ProfilePlan {
  readonly name: string;
  readonly filters: readonly Filter[];
  readonly scorers: readonly WeightedScorer[];
  /** Names of `scorers`, in order (explanations index scores by them). */
  readonly scorerNames: readonly string[];
  /** Weights of `scorers`, in order (explanations name the scorer that decided). */
  readonly scorerWeights: readonly number[];
  readonly picker: Picker;
}

export interface SchedulingPlan {
  /** In dependency order: each runs after the producers of what it consumes. */
  readonly producers: readonly Producer[];
  readonly profiles: ReadonlyMap<string, ProfilePlan>;
  readonly profileNames: readonly string[];
  readonly handler: ProfileHandler;
  /** Decider plugins the handler refers to, by name. */
  readonly deciders: ReadonlyMap<string, PdDecider>;
  /** Every instance, configured or auto-added, for the engine's hooks. */
  readonly plugins: readonly AnyPlugin[];
}

export type PlanConfig = Pick<SchedulerConfig, "plugins" | "schedulingProfiles">;

/** Plugins the engine adds when a config leaves them out (llm-d auto-injection, §1.5). */
const AUTO_PICKER = "max-score-picker";
const AUTO_HANDLER = "single-profile-handler";
const AUTO_HEALTH_FILTER = "health-filter";
/** Reserved for the weighted sum in explanations. */
const RESERVED_NAME = "total";

interface Instance {
  readonly plugin: AnyPlugin;
  readonly kind: PluginKind;
  readonly path: string;
}

export function buildPlan(
  config: PlanConfig,
  registry: PluginRegistry,
  deps: PluginDeps,
): { ok: true; plan: SchedulingPlan } | { ok: false; problems: SchedulerConfigProblem[] } {
  const problems: SchedulerConfigProblem[] = [];
  const declared = new Map<string, string>();
  const instances = new Map<string, Instance>();
  const autoInstances = new Map<string, AnyPlugin>();

  function autoPlugin(type: string): AnyPlugin {
    let plugin = autoInstances.get(type);
    if (plugin === undefined) {
      const built = registry.get(type)?.build(type, {}, deps);
      if (built === undefined || !built.ok) throw new Error(`auto-added plugin ${type} cannot be built`);
      plugin = built.plugin;
      autoInstances.set(type, plugin);
    }
    return plugin;
  }

  config.plugins.forEach((spec, i) => {
    const path = `scheduler.plugins[${i}]`;
    const name = spec.name ?? spec.type;
    const namePath = spec.name === undefined ? `${path}.type` : `${path}.name`;
    const registration = registry.get(spec.type);
    if (registration === undefined) {
      const known = registry.list().map((r) => r.type);
      problems.push({
        path: `${path}.type`,
        message: `unknown plugin type "${spec.type}"; known: ${known.join(", ")}`,
      });
    }
    if (name === RESERVED_NAME) problems.push({ path: namePath, message: `"${RESERVED_NAME}" is reserved` });
    const earlier = declared.get(name);
    if (earlier !== undefined) {
      problems.push({ path: namePath, message: `duplicate plugin name "${name}" (also ${earlier})` });
      return;
    }
    declared.set(name, path);
    if (registration === undefined) return;
    const built = registration.build(name, spec.parameters, deps);
    if (!built.ok) {
      problems.push(...paramProblems(`${path}.parameters`, built.issues, spec.parameters ?? {}));
      return;
    }
    instances.set(name, { plugin: built.plugin, kind: registration.kind, path });
  });

  const profileSpecs =
    config.schedulingProfiles.length > 0 ? config.schedulingProfiles : [defaultProfile(instances)];
  const profiles = new Map<string, ProfilePlan>();
  const used = new Set<Instance>();
  profileSpecs.forEach((spec, k) => {
    const path = `scheduler.schedulingProfiles[${k}]`;
    if (profiles.has(spec.name))
      problems.push({ path: `${path}.name`, message: `duplicate profile name "${spec.name}"` });
    const filters: Filter[] = [];
    const scorers: WeightedScorer[] = [];
    let picker: Picker | null = null;
    const seen = new Set<string>();
    spec.plugins.forEach((ref, m) => {
      const refPath = `${path}.plugins[${m}]`;
      const instance = instances.get(ref.pluginRef);
      if (!declared.has(ref.pluginRef)) {
        problems.push({
          path: `${refPath}.pluginRef`,
          message: `no plugin named "${ref.pluginRef}" in scheduler.plugins`,
        });
        return;
      }
      if (seen.has(ref.pluginRef)) {
        problems.push({
          path: `${refPath}.pluginRef`,
          message: `"${ref.pluginRef}" is already in this profile`,
        });
        return;
      }
      seen.add(ref.pluginRef);
      if (instance === undefined) return; // its own problem is already reported
      if (ref.weight !== undefined && instance.kind !== "scorer") {
        problems.push({
          path: `${refPath}.weight`,
          message: `weight applies to scorers only; "${ref.pluginRef}" is a ${instance.kind}`,
        });
      }
      used.add(instance);
      const plugin = instance.plugin;
      if (instance.kind === "filter") filters.push(plugin as Filter);
      else if (instance.kind === "scorer")
        scorers.push({ scorer: plugin as Scorer, weight: ref.weight ?? 1 });
      else if (instance.kind === "picker" && picker === null) picker = plugin as Picker;
      else if (instance.kind === "picker") {
        problems.push({
          path: `${refPath}.pluginRef`,
          message: `a profile has one picker; "${ref.pluginRef}" would be a second`,
        });
      } else {
        problems.push({
          path: `${refPath}.pluginRef`,
          message: `"${ref.pluginRef}" is a ${instance.kind}; profiles list filters, scorers and a picker`,
        });
      }
    });
    // Every profile drops unhealthy and circuit-open endpoints, whatever its config says.
    if (!filters.some((f) => f.typedName.type === AUTO_HEALTH_FILTER))
      filters.unshift(autoPlugin(AUTO_HEALTH_FILTER) as Filter);
    profiles.set(spec.name, {
      name: spec.name,
      filters,
      scorers,
      scorerNames: scorers.map((s) => s.scorer.typedName.name),
      scorerWeights: scorers.map((s) => s.weight),
      picker: picker ?? (autoPlugin(AUTO_PICKER) as Picker),
    });
  });

  const handlers = [...instances.values()].filter((i) => i.kind === "profile-handler");
  for (const extra of handlers.slice(1)) {
    problems.push({
      path: `${extra.path}.type`,
      message: `only one profile handler may be configured (also ${handlers[0]?.path})`,
    });
  }
  const handler = (handlers[0]?.plugin ?? autoPlugin(AUTO_HANDLER)) as ProfileHandler;
  if (profiles.size > handler.maxProfiles) {
    problems.push({
      path: "scheduler.schedulingProfiles",
      message: `profile handler "${handler.typedName.name}" runs at most ${handler.maxProfiles} profile(s); ${profiles.size} configured`,
    });
  }

  const references = resolveHandlerReferences(
    handler,
    handlers[0]?.path ?? null,
    instances,
    new Set(profiles.keys()),
    problems,
  );
  const producers = [...instances.values()].filter((i) => i.kind === "producer");
  const referenced = [...instances.values()].filter((i) => references.plugins.includes(i.plugin));
  const consumers = [...used, ...producers, ...handlers.slice(0, 1), ...referenced];
  const isIndexed = deps.prefixIndex !== undefined;
  const producerPlugins = resolveProducers(producers, consumers, registry, autoPlugin, isIndexed, problems);
  if (problems.length > 0) return { ok: false, problems };
  const plugins = [
    ...new Set<AnyPlugin>([...autoInstances.values(), ...[...instances.values()].map((i) => i.plugin)]),
  ];
  return {
    ok: true,
    plan: {
      producers: producerPlugins,
      profiles,
      profileNames: [...profiles.keys()],
      handler,
      deciders: references.deciders,
      plugins,
    },
  };
}

/** llm-d: with no schedulingProfiles, one `default` profile holds every filter, scorer and picker. */
function defaultProfile(instances: ReadonlyMap<string, Instance>): PlanConfig["schedulingProfiles"][number] {
  const plugins = [...instances.entries()]
    .filter(([, i]) => i.kind === "filter" || i.kind === "scorer" || i.kind === "picker")
    .map(([name]) => ({ pluginRef: name }));
  return { name: "default", plugins };
}

/**
 * Checks every consumed data key has one producer, auto-adding a key's default producer when none is
 * configured (its index-fed one when the node runs a prefix index), and orders producers so each runs
 * after the producers of what it consumes.
 */
function resolveProducers(
  configured: readonly Instance[],
  consumers: readonly Instance[],
  registry: PluginRegistry,
  autoPlugin: (type: string) => AnyPlugin,
  hasPrefixIndex: boolean,
  problems: SchedulerConfigProblem[],
): Producer[] {
  const producerOf = new Map<DataKey<unknown>, Producer>();
  const all: Producer[] = [];
  function addProducer(producer: Producer, path: string | null): void {
    for (const key of producer.produces) {
      const other = producerOf.get(key);
      if (other !== undefined && path !== null) {
        problems.push({
          path: `${path}.type`,
          message: `"${producer.typedName.name}" produces "${key.name}" like "${other.typedName.name}"; one producer per data key`,
        });
      } else producerOf.set(key, producer);
    }
    all.push(producer);
  }
  for (const instance of configured) addProducer(instance.plugin as Producer, instance.path);
  const pending: { plugin: AnyPlugin; path: string | null }[] = consumers.map((i) => ({
    plugin: i.plugin,
    path: i.path,
  }));
  while (pending.length > 0) {
    const { plugin, path } = pending.pop() as { plugin: AnyPlugin; path: string | null };
    for (const key of plugin.consumes) {
      if (key.fromSnapshot || producerOf.has(key)) continue;
      const type = (hasPrefixIndex ? key.defaultProducerWithIndex : undefined) ?? key.defaultProducer;
      if (type !== null && registry.get(type)?.kind === "producer") {
        const producer = autoPlugin(type) as Producer;
        addProducer(producer, null);
        pending.push({ plugin: producer, path: null });
        continue;
      }
      problems.push({
        path: path === null ? "scheduler.plugins" : `${path}.type`,
        message: `"${plugin.typedName.name}" consumes "${key.name}", which no configured plugin produces`,
      });
    }
  }
  return orderProducers(all, producerOf, problems);
}

function orderProducers(
  producers: readonly Producer[],
  producerOf: ReadonlyMap<DataKey<unknown>, Producer>,
  problems: SchedulerConfigProblem[],
): Producer[] {
  const ordered: Producer[] = [];
  const remaining = new Set(producers);
  while (remaining.size > 0) {
    const ready = [...remaining].find((p) =>
      p.consumes.every((key) => {
        const source = producerOf.get(key);
        return source === undefined || source === p || !remaining.has(source);
      }),
    );
    if (ready === undefined) {
      problems.push({ path: "scheduler.plugins", message: "producers consume each other's data in a cycle" });
      return ordered;
    }
    ordered.push(ready);
    remaining.delete(ready);
  }
  return ordered;
}
