import { describe, expect, test } from "bun:test";
import { parseSimArgs, SimArgsError } from "../../src/sim/index.ts";

const parse = (argv: string[], env: Record<string, string> = {}) => parseSimArgs(argv, { env });

function errorOf(argv: string[], env: Record<string, string> = {}): string {
  try {
    parse(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SimArgsError);
    return (error as Error).message;
  }
  throw new Error("expected a SimArgsError");
}

describe("parseSimArgs defaults", () => {
  test("uses vLLM's defaults", () => {
    const args = parse(["meta-llama/Llama-3.1-8B"]);
    expect(args.model).toBe("meta-llama/Llama-3.1-8B");
    expect(args.servedModelNames).toEqual(["meta-llama/Llama-3.1-8B"]);
    expect(args.host).toBeNull();
    expect(args.port).toBe(8000);
    expect(args.blockSize).toBe(16);
    expect(args.gpuMemoryUtilization).toBe(0.92);
    expect(args.enablePrefixCaching).toBe(true);
    expect(args.requestedHashAlgo).toBe("sha256");
    expect(args.prefixCachingHashAlgo).toBe("sha256_cbor");
    expect(args.schedulingPolicy).toBe("fcfs");
    expect(args.dataParallelSize).toBe(1);
    expect(args.tensorParallelSize).toBe(1);
    expect(args.apiKeys).toEqual([]);
    expect(args.sim.profile).toBe("h100-llama3-8b");
    expect(args.sim.timeScale).toBe(1);
    expect(args.sim.kvEventsLayout).toBe("map");
    expect(args.warnings).toEqual([]);
  });

  test("reads vLLM's environment with its defaults", () => {
    const defaults = parse(["m"]).env;
    expect(defaults).toEqual({
      pythonHashSeed: undefined,
      useIntBlockHashes: true,
      sideChannelHost: "localhost",
      sideChannelPort: 5600,
      devMode: false,
    });
    const env = parse(["m"], {
      PYTHONHASHSEED: "0",
      VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES: "0",
      VLLM_NIXL_SIDE_CHANNEL_HOST: "10.0.0.2",
      VLLM_NIXL_SIDE_CHANNEL_PORT: "5601",
      VLLM_SERVER_DEV_MODE: "1",
    }).env;
    expect(env).toEqual({
      pythonHashSeed: "0",
      useIntBlockHashes: false,
      sideChannelHost: "10.0.0.2",
      sideChannelPort: 5601,
      devMode: true,
    });
  });
});

describe("parseSimArgs spellings", () => {
  test("accepts --flag value, --flag=value, underscores and short aliases", () => {
    const args = parse(["--model=m", "--port", "9000", "--max_num_seqs=7", "-tp", "2", "-dp", "3"]);
    expect(args.model).toBe("m");
    expect(args.port).toBe(9000);
    expect(args.maxNumSeqs).toBe(7);
    expect(args.tensorParallelSize).toBe(2);
    expect(args.dataParallelSize).toBe(3);
  });

  test("takes one or more values for list flags and VLLM_API_KEY as the key fallback", () => {
    const args = parse(["m", "--served-model-name", "a", "b", "--port", "1"], { VLLM_API_KEY: "env-key" });
    expect(args.servedModelNames).toEqual(["a", "b"]);
    expect(args.apiKeys).toEqual(["env-key"]);
    expect(parse(["m", "--api-key", "k1", "k2"], { VLLM_API_KEY: "env" }).apiKeys).toEqual(["k1", "k2"]);
  });

  test("reads human-readable --max-model-len as vLLM does", () => {
    expect(parse(["m", "--max-model-len", "32k"]).maxModelLen).toBe(32_000);
    expect(parse(["m", "--max-model-len", "32K"]).maxModelLen).toBe(32_768);
    expect(parse(["m", "--max-model-len", "4096"]).maxModelLen).toBe(4096);
  });

  test("--no-enable-prefix-caching turns prefix caching off", () => {
    expect(parse(["m", "--no-enable-prefix-caching"]).enablePrefixCaching).toBe(false);
  });

  test("collects JSON and dotted config flags in order", () => {
    const args = parse([
      "m",
      "--kv-events-config",
      '{"enable_kv_cache_events":true}',
      "--kv-events-config.topic",
      "kv@a@m",
      "--kv-transfer-config.kv_role=kv_both",
    ]);
    expect(args.kvEventsConfigJson).toBe('{"enable_kv_cache_events":true}');
    expect(args.kvEventsConfigDotted).toEqual([["topic", "kv@a@m"]]);
    expect(args.kvTransferConfigDotted).toEqual([["kv_role", "kv_both"]]);
  });

  test("accepts unknown vLLM flags with a warning, consuming a value that is not a flag", () => {
    const args = parse(["m", "--enforce-eager", "--dtype", "bfloat16", "--swap-space=4", "--port", "8001"]);
    expect(args.port).toBe(8001);
    expect(args.warnings).toEqual([
      "unsupported vllm flag --enforce-eager ignored",
      "unsupported vllm flag --dtype bfloat16 ignored",
      "unsupported vllm flag --swap-space=4 ignored",
    ]);
  });

  test("parses LoRA modules as name=path and as JSON", () => {
    const args = parse([
      "m",
      "--enable-lora",
      "--lora-modules",
      "sql=/loras/sql",
      '{"name":"chat","path":"/loras/chat","base_model_name":"base"}',
    ]);
    expect(args.loraModules).toEqual([
      { name: "sql", path: "/loras/sql", baseModelName: null },
      { name: "chat", path: "/loras/chat", baseModelName: "base" },
    ]);
  });

  test("maps pickle-based hash algorithms to their CBOR twins with a warning", () => {
    const args = parse(["m", "--prefix-caching-hash-algo", "xxhash"]);
    expect(args.prefixCachingHashAlgo).toBe("xxhash_cbor");
    expect(args.warnings).toEqual([
      "--prefix-caching-hash-algo xxhash pickles in vLLM; the sim hashes with xxhash_cbor",
    ]);
    expect(parse(["m", "--prefix-caching-hash-algo", "sha256_cbor"]).warnings).toEqual([]);
  });

  test("reads the sim's own flags", () => {
    const args = parse([
      "m",
      "--sim-profile",
      "tiny-cpu",
      "--sim-kv-blocks",
      "64",
      "--sim-time-scale",
      "10",
      "--sim-error-rate",
      "0.25",
      "--sim-fail-after",
      "3",
      "--sim-stall",
      "5",
      "--sim-crash-after",
      "2.5",
      "--sim-startup-delay",
      "0",
      "--sim-kv-events-gap-every",
      "4",
      "--seed",
      "7",
    ]);
    expect(args.sim).toEqual({
      profile: "tiny-cpu",
      kvBlocks: 64,
      seed: 7,
      timeScale: 10,
      kvEventsLayout: "map",
      startupDelayS: 0,
      failAfterRequests: 3,
      crashAfterS: 2.5,
      errorRate: { fraction: 0.25, status: 500 },
      stallAfterTokens: 5,
      kvEventsGapEvery: 4,
    });
    expect(parse(["m", "--sim-error-rate", "0.5:503"]).sim.errorRate).toEqual({ fraction: 0.5, status: 503 });
  });

  test("reads vLLM's --config YAML, with command-line flags winning", () => {
    const yaml = "port: 9100\nmax-num-seqs: 8\nenable-prefix-caching: false\nserved-model-name: [x, y]\n";
    const args = parseSimArgs(["m", "--config", "serve.yaml", "--port", "9200"], {
      env: {},
      readFile: () => yaml,
    });
    expect(args.port).toBe(9200);
    expect(args.maxNumSeqs).toBe(8);
    expect(args.enablePrefixCaching).toBe(false);
    expect(args.servedModelNames).toEqual(["x", "y"]);
  });
});

describe("parseSimArgs errors name the flag", () => {
  test.each([
    [["m", "--port", "eighty"], '--port: expected a whole number (got "eighty")'],
    [["m", "--block-size", "0"], '--block-size: expected >= 1 (got "0")'],
    [["m", "--gpu-memory-utilization", "1.5"], '--gpu-memory-utilization: expected <= 1 (got "1.5")'],
    [["m", "--scheduling-policy", "lifo"], '--scheduling-policy: expected fcfs | priority (got "lifo")'],
    [["m", "--sim-error-rate", "2"], "--sim-error-rate: expected FRACTION[:STATUS]"],
    [["m", "--sim-kv-events-layout", "tree"], "--sim-kv-events-layout: expected array | map"],
    [["m", "--port"], "--port needs a value"],
    [["m", "--lora-modules", "a=/b"], "--lora-modules: needs --enable-lora"],
    [["m", "--enable-lora", "--lora-modules", "nopath"], "--lora-modules: expected name=path or JSON"],
    [["--port", "1"], "a model is required (positional or --model)"],
    [["m", "extra"], "unexpected argument 'extra'"],
  ])("%p", (argv, message) => {
    expect(errorOf(argv)).toContain(message);
  });

  test("a malformed env value names the variable", () => {
    expect(errorOf(["m"], { VLLM_NIXL_SIDE_CHANNEL_PORT: "x" })).toContain("VLLM_NIXL_SIDE_CHANNEL_PORT");
    expect(errorOf(["m"], { VLLM_SERVER_DEV_MODE: "maybe" })).toContain("VLLM_SERVER_DEV_MODE");
  });

  test("reports every bad flag at once", () => {
    const message = errorOf(["m", "--port", "x", "--block-size", "0"]);
    expect(message).toContain("--port:");
    expect(message).toContain("--block-size:");
  });
});
