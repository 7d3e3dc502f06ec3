// How the node turns config and supervised instances into pool endpoints, configured models and
// the /ready report.
import type { Config, StaticEndpointConfig } from "../config/index.ts";
import type { ConfiguredModel, ReadinessReport } from "../gateway/index.ts";
import type { EndpointDescriptor, EndpointPool } from "../pool/index.ts";
import type { InstanceSnapshot, Plan } from "../supervisor/index.ts";

export function supervisedDescriptor(instance: InstanceSnapshot, plan: Plan): EndpointDescriptor {
  const planned = plan.instances.find((p) => p.id === instance.id);
  const model = instance.servedModelNames[0] ?? instance.model;
  return {
    id: instance.id,
    baseUrl: `http://${instance.host}:${instance.port}`,
    models: instance.servedModelNames,
    loraAdapters: planned?.spec.lora_modules.map((l) => l.name) ?? [],
    role: instance.role,
    labels: {},
    kvEvents: {
      endpoint: `tcp://${instance.host}:${instance.kvEventsPort}`,
      replayEndpoint: `tcp://${instance.host}:${instance.replayPort}`,
      topic: `kv@${instance.id}@${model}`,
    },
    source: "supervisor",
  };
}

export function staticDescriptor(endpoint: StaticEndpointConfig): EndpointDescriptor {
  const url = new URL(endpoint.url);
  return {
    id: endpoint.id ?? url.host,
    baseUrl: endpoint.url.replace(/\/+$/, ""),
    models: endpoint.models,
    loraAdapters: [],
    role: endpoint.role,
    labels: endpoint.labels,
    kvEvents:
      endpoint.kv_events === undefined
        ? null
        : {
            endpoint: endpoint.kv_events.endpoint,
            replayEndpoint: endpoint.kv_events.replay_endpoint ?? null,
            topic: endpoint.kv_events.topic,
          },
    source: "static",
  };
}

/** Model names the config promises (engines, their LoRA adapters, static endpoints). */
export function configuredModels(config: Config): ConfiguredModel[] {
  const models: ConfiguredModel[] = [];
  for (const engine of config.engines) {
    const base = engine.served_model_name?.[0] ?? engine.model;
    for (const name of engine.served_model_name ?? [engine.model]) models.push({ id: name, parent: null });
    for (const lora of engine.lora_modules) models.push({ id: lora.name, parent: base });
  }
  for (const endpoint of config.gateway.endpoints) {
    for (const model of endpoint.models) models.push({ id: model, parent: null });
  }
  return models;
}

/** Every model named in config must have at least one endpoint that can take requests. */
export function readiness(config: Config, pool: EndpointPool): ReadinessReport {
  const configured = new Set<string>();
  for (const engine of config.engines) configured.add(engine.served_model_name?.[0] ?? engine.model);
  for (const endpoint of config.gateway.endpoints) for (const model of endpoint.models) configured.add(model);
  const models = [...configured].map((model) => {
    const readyEndpoints = pool.candidates(model).length;
    return { model, readyEndpoints, detail: readyEndpoints > 0 ? "ok" : "no ready engine serves this model" };
  });
  return { isReady: models.length > 0 && models.every((m) => m.readyEndpoints > 0), models };
}
