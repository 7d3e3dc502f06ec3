import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { planPlacement } from "../../src/supervisor/placement.ts";
import type { Plan } from "../../src/supervisor/types.ts";
import { buildLaunchSpec, kvEventsTopic, simCommand } from "../../src/supervisor/vllm-argv.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";

function planOf(engines: unknown[], engine: "vllm" | "sim"): Plan {
  const config = configOf({ engines, supervisor: { engine, python_hash_seed: "42" } });
  const { plan, problems } = planPlacement({
    engines: config.engines,
    supervisor: config.supervisor,
    discovery: fakeGpus(engine === "vllm" ? 8 : 0),
    isVllmAvailable: true,
    pathExists: () => true,
  });
  expect(problems).toEqual([]);
  return plan;
}

describe("buildLaunchSpec", () => {
  test("a role-both vLLM engine gets a CPU KV tier, LoRA modules and no NIXL settings", () => {
    const plan = planOf(
      [
        {
          model: "Qwen/Qwen3-8B",
          cpu_offload_gb: 32.5,
          lora_modules: [
            { name: "a", path: "/loras/a" },
            { name: "b", path: "org/b" },
          ],
          extra_args: ["--enforce-eager"],
          env: { HF_HOME: "/data/hf" },
        },
      ],
      "vllm",
    );
    const instance = plan.instances[0];
    if (instance === undefined) throw new Error("no instance");
    const spec = buildLaunchSpec(instance, { ...plan, vllmCommand: ["vllm", "serve"] });
    expect(spec.argv).toEqual([
      "vllm",
      "serve",
      "Qwen/Qwen3-8B",
      "--host",
      "127.0.0.1",
      "--port",
      "8100",
      "--served-model-name",
      "Qwen/Qwen3-8B",
      "-tp",
      "1",
      "--kv-events-config",
      '{"enable_kv_cache_events":true,"publisher":"zmq","endpoint":"tcp://*:5557","replay_endpoint":"tcp://*:5558","topic":"kv@qwen3-8b-0@Qwen/Qwen3-8B"}',
      "--prefix-caching-hash-algo",
      "sha256_cbor",
      "--enable-prompt-tokens-details",
      "--kv-offloading-size",
      "32.5",
      "--enable-lora",
      "--lora-modules",
      "a=/loras/a",
      "b=org/b",
      "--enforce-eager",
    ]);
    expect(spec.env).toEqual({
      HF_HOME: "/data/hf",
      CUDA_VISIBLE_DEVICES: "0",
      CUDA_DEVICE_ORDER: "PCI_BUS_ID",
      PYTHONHASHSEED: "42",
      PYTHONUNBUFFERED: "1",
    });
  });

  test("a sim engine runs this program's sim subcommand with the same flags and no GPU variables", () => {
    const plan = planOf(
      [
        { model: "m", role: "prefill" },
        { model: "m", role: "decode", extra_args: ["--sim-profile", "tiny-cpu"] },
      ],
      "sim",
    );
    const decode = plan.instances[1];
    if (decode === undefined) throw new Error("no instance");
    const spec = buildLaunchSpec(decode, plan, { simCommand: ["llmux", "sim"] });
    expect(spec.argv.slice(0, 3)).toEqual(["llmux", "sim", "m"]);
    expect(spec.argv).toContain('{"kv_connector":"NixlConnector","kv_role":"kv_both"}');
    expect(spec.argv.slice(-2)).toEqual(["--sim-profile", "tiny-cpu"]);
    expect(spec.env).toEqual({
      PYTHONHASHSEED: "42",
      PYTHONUNBUFFERED: "1",
      VLLM_NIXL_SIDE_CHANNEL_HOST: "127.0.0.1",
      VLLM_NIXL_SIDE_CHANNEL_PORT: "5601",
    });
  });

  test("the KV topic names the instance and the first served model name", () => {
    const plan = planOf([{ model: "/models/llama", served_model_name: ["llama", "default"] }], "sim");
    const instance = plan.instances[0];
    if (instance === undefined) throw new Error("no instance");
    expect(kvEventsTopic(instance)).toBe("kv@llama-0@llama");
  });
});

describe("simCommand", () => {
  test("from source, runs src/main.ts with this bun", () => {
    expect(simCommand()).toEqual([process.execPath, resolve(import.meta.dir, "../../src/main.ts"), "sim"]);
  });
});
