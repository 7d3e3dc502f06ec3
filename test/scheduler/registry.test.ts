import { describe, expect, test } from "bun:test";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";
import * as queueScorer from "../../src/scheduler/scorer/queue-scorer.ts";
import { pluginDeps } from "./builders.ts";

describe("PluginRegistry", () => {
  test("lists every built-in type once with its kind and stability", () => {
    const registry = createBuiltinRegistry();
    const types = registry.list().map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
    expect(registry.get("queue-scorer")).toMatchObject({ kind: "scorer", stability: "stable" });
    expect(registry.get("approx-prefix-cache-producer")).toMatchObject({ kind: "producer" });
  });

  test("registering a type twice throws", () => {
    const registry = createBuiltinRegistry();
    expect(() => registry.register("scorer", "stable", queueScorer)).toThrow("registered twice");
  });

  test("build validates parameters with the plugin's strict schema", () => {
    const registration = createBuiltinRegistry().get("token-load-scorer");
    const bad = registration?.build("t", { queueThresholdTokens: 0, extra: true }, pluginDeps());
    expect(bad?.ok).toBe(false);
    if (bad !== undefined && !bad.ok)
      expect(bad.issues.map((i) => i.code).sort()).toEqual(["too_small", "unrecognized_keys"]);
    const good = registration?.build("t", undefined, pluginDeps());
    expect(good?.ok && good.plugin.typedName).toEqual({ type: "token-load-scorer", name: "t" });
  });
});
