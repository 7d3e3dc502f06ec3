// --kv-events-config parsing (vllm-interfaces.md §1.3), DP endpoint offsets (§1.7) and the bind rule (§1.2).
import { describe, expect, test } from "bun:test";
import {
  bindAddressFor,
  kvEventsSocketMode,
  offsetEndpointPort,
  parseKvEventsConfig,
} from "../../src/sim/kv-events-config.ts";

describe("parseKvEventsConfig", () => {
  test("defaults match vLLM's KVEventsConfig", () => {
    expect(parseKvEventsConfig(undefined, [])).toEqual({
      enableKvCacheEvents: false,
      publisher: "null",
      endpoint: "tcp://*:5557",
      replayEndpoint: null,
      bufferSteps: 10_000,
      hwm: 100_000,
      maxQueueSize: 100_000,
      topic: "",
    });
  });

  test("publisher defaults to zmq when events are enabled", () => {
    expect(parseKvEventsConfig('{"enable_kv_cache_events":true}', []).publisher).toBe("zmq");
    const explicit = parseKvEventsConfig('{"enable_kv_cache_events":true,"publisher":"null"}', []);
    expect(explicit.publisher).toBe("null");
  });

  test("reads every key from JSON", () => {
    const json = JSON.stringify({
      enable_kv_cache_events: true,
      publisher: "zmq",
      endpoint: "tcp://*:6000",
      replay_endpoint: "tcp://*:6001",
      buffer_steps: 50,
      hwm: 7,
      max_queue_size: 0,
      topic: "kv@sim-0@qwen",
    });
    expect(parseKvEventsConfig(json, [])).toEqual({
      enableKvCacheEvents: true,
      publisher: "zmq",
      endpoint: "tcp://*:6000",
      replayEndpoint: "tcp://*:6001",
      bufferSteps: 50,
      hwm: 7,
      maxQueueSize: 0,
      topic: "kv@sim-0@qwen",
    });
  });

  test("dotted flags parse values like vLLM's argparse (JSON, human-readable ints, else text)", () => {
    const config = parseKvEventsConfig(undefined, [
      ["enable_kv_cache_events", "true"],
      ["topic", "kv@a@b"],
      ["buffer_steps", "2k"],
      ["hwm", "1K"],
      ["replay_endpoint", "tcp://*:5558"],
    ]);
    expect(config.enableKvCacheEvents).toBe(true);
    expect(config.topic).toBe("kv@a@b");
    expect(config.bufferSteps).toBe(2000);
    expect(config.hwm).toBe(1024);
    expect(config.replayEndpoint).toBe("tcp://*:5558");
  });

  test("dotted flags override the JSON keys they name and keep the others", () => {
    const config = parseKvEventsConfig('{"enable_kv_cache_events":true,"topic":"a"}', [["topic", "b"]]);
    expect(config.enableKvCacheEvents).toBe(true);
    expect(config.topic).toBe("b");
  });

  test("accepts pydantic-lax scalars: numeric strings and boolean words", () => {
    const config = parseKvEventsConfig('{"enable_kv_cache_events":"yes","buffer_steps":"12"}', []);
    expect(config.enableKvCacheEvents).toBe(true);
    expect(config.bufferSteps).toBe(12);
  });

  test.each([
    ['{"enable_kv_cache_events":true,"bogus":1}', "bogus"],
    ['{"buffer_steps":"many"}', "buffer_steps"],
    ['{"buffer_steps":-1}', "buffer_steps"],
    ['{"publisher":"kafka"}', "publisher"],
    ['{"topic":5}', "topic"],
    ['{"hwm":1.5}', "hwm"],
  ])("rejects %s naming %s", (json, key) => {
    expect(() => parseKvEventsConfig(json, [])).toThrow(key);
  });

  test("an unknown dotted key is an error naming it", () => {
    expect(() => parseKvEventsConfig(undefined, [["buffer-steps", "5"]])).toThrow(
      'unknown key "buffer-steps"',
    );
  });

  test("reports every problem at once", () => {
    let message = "";
    try {
      parseKvEventsConfig('{"hwm":"x","extra":true}', []);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("--kv-events-config");
    expect(message).toContain("hwm");
    expect(message).toContain('unknown key "extra"');
  });

  test("rejects text that is not a JSON object", () => {
    expect(() => parseKvEventsConfig("{nope", [])).toThrow("not valid JSON");
    expect(() => parseKvEventsConfig("[1,2]", [])).toThrow("expected a JSON object");
  });

  test("the result is frozen", () => {
    expect(Object.isFrozen(parseKvEventsConfig(undefined, []))).toBe(true);
  });
});

describe("offsetEndpointPort", () => {
  test.each([
    ["tcp://*:5557", 0, "tcp://*:5557"],
    ["tcp://*:5557", 2, "tcp://*:5559"],
    ["tcp://127.0.0.1:6000", 3, "tcp://127.0.0.1:6003"],
    ["tcp://[::1]:5557", 1, "tcp://[::1]:5558"],
    ["inproc://cache", 1, "inproc://cache_dp1"],
    ["", 4, ""],
    ["ipc:///tmp/kv", 0, "ipc:///tmp/kv"],
    ["tcp-without-colon", 1, "tcp-without-colon"],
  ])("%s at rank %d → %s", (endpoint, rank, expected) => {
    expect(offsetEndpointPort(endpoint, rank)).toBe(expected);
  });

  test("an ipc endpoint at rank > 0 is vLLM's ValueError", () => {
    expect(() => offsetEndpointPort("ipc:///tmp/kv", 1)).toThrow("must contain 'inproc' or 'tcp'");
  });

  test("a tcp endpoint without a numeric port fails like Python's int()", () => {
    expect(() => offsetEndpointPort("tcp://host", 1)).toThrow("invalid literal for int()");
  });
});

describe("bind or connect", () => {
  test.each([
    ["tcp://*:5557", "bind"],
    ["tcp://[::]:5557", "bind"],
    ["ipc:///tmp/kv", "bind"],
    ["inproc://kv", "bind"],
    ["tcp://127.0.0.1:5557", "connect"],
    ["tcp://collector.example:5557", "connect"],
  ] as const)("%s → %s", (endpoint, mode) => {
    expect(kvEventsSocketMode(endpoint)).toBe(mode);
  });

  test("bindAddressFor accepts tcp and rejects ipc/inproc with a clear error", () => {
    expect(bindAddressFor("tcp://*:5557")).toBe("tcp://*:5557");
    expect(() => bindAddressFor("ipc:///tmp/kv")).toThrow("only tcp:// endpoints");
  });
});
