import { describe, expect, test } from "bun:test";
import {
  instanceBaseName,
  looksLikePath,
  planPlacement,
  resolveEngineKind,
} from "../../src/supervisor/placement.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";

function place(
  input: Parameters<typeof configOf>[0],
  options: { gpus?: number; isVllmAvailable?: boolean } = {},
) {
  const config = configOf(input);
  return planPlacement({
    engines: config.engines,
    supervisor: config.supervisor,
    discovery: fakeGpus(options.gpus ?? 8),
    isVllmAvailable: options.isVllmAvailable ?? true,
    reservedPorts: [{ port: 8000, owner: "the gateway", path: "gateway.port" }],
    pathExists: (path) => path === "/models/present",
  });
}

const PD = {
  engines: [
    { model: "meta-llama/Llama-3.1-8B-Instruct", replicas: 2, tensor_parallel_size: 2, role: "prefill" },
    { model: "meta-llama/Llama-3.1-8B-Instruct", replicas: 2, tensor_parallel_size: 2, role: "decode" },
  ],
  supervisor: { engine: "vllm" },
};

describe("resolveEngineKind", () => {
  test.each([
    ["auto", "none", true, true, "vllm"],
    ["auto", "none", false, true, "sim"],
    ["auto", "none", true, false, "sim"],
    ["vllm", "none", false, false, "vllm"],
    ["auto", "sim", true, true, "sim"],
  ] as const)(
    "%s (entry override %s, GPUs %p, vllm on PATH %p) runs %s",
    (setting, override, hasGpus, hasVllm, expected) => {
      const entry = override === "none" ? undefined : override;
      expect(resolveEngineKind(setting, entry, hasGpus, hasVllm)).toBe(expected);
    },
  );
});

describe("planPlacement", () => {
  test("gives each P/D replica its own TP2 GPU pair and disjoint ports", () => {
    const { plan, problems } = place(PD);
    expect(problems).toEqual([]);
    expect(
      plan.instances.map((i) => [i.id, i.role, i.gpus, i.port, i.kvEventsPort, i.replayPort, i.nixlPort]),
    ).toEqual([
      ["llama-3.1-8b-instruct-prefill-0", "prefill", [0, 1], 8100, 5557, 5558, 5600],
      ["llama-3.1-8b-instruct-prefill-1", "prefill", [2, 3], 8101, 5559, 5560, 5601],
      ["llama-3.1-8b-instruct-decode-0", "decode", [4, 5], 8102, 5561, 5562, 5602],
      ["llama-3.1-8b-instruct-decode-1", "decode", [6, 7], 8103, 5563, 5564, 5603],
    ]);
  });

  test("honours gpus pins and fills the rest around them", () => {
    const { plan, problems } = place({
      engines: [
        { model: "a/one", replicas: 2 },
        { model: "b/two", tensor_parallel_size: 2, gpus: [0, 1] },
      ],
      supervisor: { engine: "vllm" },
    });
    expect(problems).toEqual([]);
    expect(plan.instances.map((i) => [i.id, i.gpus])).toEqual([
      ["one-0", [2]],
      ["one-1", [3]],
      ["two-0", [0, 1]],
    ]);
  });

  test("runs sim engines without GPUs and without NIXL ports for role both", () => {
    const { plan, problems } = place({ engines: [{ model: "Qwen/Qwen3-0.6B", replicas: 4 }] }, { gpus: 0 });
    expect(problems).toEqual([]);
    expect(plan.instances.map((i) => [i.id, i.engine, i.gpus, i.nixlPort])).toEqual([
      ["qwen3-0.6b-0", "sim", [], null],
      ["qwen3-0.6b-1", "sim", [], null],
      ["qwen3-0.6b-2", "sim", [], null],
      ["qwen3-0.6b-3", "sim", [], null],
    ]);
  });

  test("reports every problem at once, each with a fix", () => {
    const { problems } = place({
      engines: [
        { model: "org/big", replicas: 3, tensor_parallel_size: 4 },
        {
          model: "org/small",
          max_model_len: 4096,
          extra_args: [
            "--port",
            "9000",
            "-tp=2",
            "--kv-events-config.topic",
            "x",
            "--max_model_len",
            "8192",
            "--sim-profile",
            "tiny-cpu",
          ],
          env: { CUDA_VISIBLE_DEVICES: "3", PYTHONHASHSEED: "1" },
        },
        { model: "/models/missing", role: "prefill", tensor_parallel_size: 16 },
        { model: "org/pinned", gpus: [1, 9] },
      ],
      supervisor: { engine: "vllm", base_port: 5557 },
    });
    const summary = problems.map((p) => `${p.path}: ${p.message}`);
    expect(summary).toEqual([
      "engines[3].gpus: 2 GPU(s) pinned, but 1 replica(s) x tensor_parallel_size 1 need 1",
      "engines[3].gpus: GPU 9 is not visible (visible: 0, 1, 2, 3, 4, 5, 6, 7)",
      "engines[0].replicas: 3 replica(s) x tensor_parallel_size 4 need 12 GPUs; 7 of 8 are left",
      "engines[2].tensor_parallel_size: tensor_parallel_size 16 needs 16 GPUs per replica; 8 are visible",
      'engines[1].extra_args: "--port" conflicts with a flag llmux sets (--port)',
      'engines[1].extra_args: "-tp=2" conflicts with a flag llmux sets (--tensor-parallel-size)',
      'engines[1].extra_args: "--kv-events-config.topic" conflicts with a flag llmux sets (--kv-events-config)',
      'engines[1].extra_args: "--max_model_len" conflicts with a flag llmux sets (--max-model-len)',
      'engines[1].extra_args: "--sim-profile" is a simulator flag, but this entry runs vLLM',
      "engines[1].env.PYTHONHASHSEED: PYTHONHASHSEED is set by llmux for this engine",
      "engines[1].env.CUDA_VISIBLE_DEVICES: CUDA_VISIBLE_DEVICES is set by llmux for this engine",
      'engines[2].model: "/models/missing" does not exist on this host',
      "engines[2].role: /models/missing has prefill instances but no decode instances",
      "supervisor.kv_events_base_port: port 5557 is needed by both big-0 HTTP and big-0 KV events",
      "supervisor.base_port: 5 ports (5558, 5559, 5560, 5561, ...) are needed twice, e.g. 5558 by big-0 KV replay and big-1 HTTP",
    ]);
    for (const problem of problems) expect(problem.fix.length).toBeGreaterThan(10);
  });

  test("names the missing vllm command and the lack of GPUs", () => {
    const { problems } = place(
      { engines: [{ model: "org/m" }], supervisor: { engine: "vllm" } },
      { gpus: 0, isVllmAvailable: false },
    );
    expect(problems.map((p) => p.path)).toEqual(["supervisor.vllm_command", "supervisor.engine"]);
    expect(problems[0]?.fix).toContain("supervisor.engine: sim");
  });

  test("rejects an engine port that is the gateway's", () => {
    const { problems } = place({
      engines: [{ model: "org/m" }],
      supervisor: { engine: "sim", base_port: 8000 },
    });
    expect(problems.map((p) => p.message)).toEqual(["port 8000 is needed by both the gateway and m-0 HTTP"]);
  });

  test("rejects one served name for two models", () => {
    const { problems } = place({
      engines: [
        { model: "org/a", served_model_name: ["chat"] },
        { model: "org/b", served_model_name: ["chat"] },
      ],
      supervisor: { engine: "sim" },
    });
    expect(problems.map((p) => p.path)).toEqual(["engines[1].served_model_name"]);
  });

  test("rejects a ~ path, which vLLM would not expand", () => {
    const { problems } = place({ engines: [{ model: "~/models/x" }], supervisor: { engine: "sim" } });
    expect(problems.map((p) => p.fix)).toEqual(["use an absolute path"]);
  });
});

describe("instance names", () => {
  test.each([
    ["Qwen/Qwen3-0.6B", "both", "qwen3-0.6b"],
    ["/models/Llama 3@8B/", "prefill", "llama-3-8b-prefill"],
    ["./", "both", "engine"],
  ] as const)("%s (%s) → %s", (model, role, expected) => {
    const spec = configOf({ engines: [{ model, role }] }).engines[0];
    if (spec === undefined) throw new Error("no spec");
    expect(instanceBaseName(spec)).toBe(expected);
  });

  test("recognises local paths but not Hugging Face ids", () => {
    expect([
      looksLikePath("/m"),
      looksLikePath("./m"),
      looksLikePath("../m"),
      looksLikePath("org/m"),
    ]).toEqual([true, true, true, false]);
  });
});
