// --kv-transfer-config parsing (vllm-interfaces.md §4.1).
import { describe, expect, test } from "bun:test";
import { engineIdForRank, parseKvTransferConfig } from "../../../src/sim/pd/kv-transfer-config.ts";

const fixedUuid = (): string => "00000000-0000-4000-8000-000000000000";

describe("parseKvTransferConfig", () => {
  test("no flag means no connector", () => {
    expect(parseKvTransferConfig(undefined, [])).toBeNull();
    expect(parseKvTransferConfig('{"kv_buffer_device":"cpu"}', [])).toBeNull();
  });

  test("the nixl_connector_usage.md config gets vLLM's defaults", () => {
    const json = '{"kv_connector":"NixlConnector","kv_role":"kv_both","kv_load_failure_policy":"fail"}';
    const config = parseKvTransferConfig(json, [], fixedUuid);
    expect(config).toEqual({
      kvConnector: "NixlConnector",
      kvRole: "kv_both",
      engineId: fixedUuid(),
      kvBufferDevice: "cuda",
      kvLoadFailurePolicy: "fail",
      kvLeaseDurationSeconds: 30,
      kvRecomputeThresholdTokens: 64,
      kvConnectorExtraConfig: {
        kv_lease_duration: 30,
        kv_recompute_threshold: 64,
        bidirectional_kv_xfer: false,
        decoder_kv_blocks_ttl: 480,
        backends: ["UCX"],
        enable_cross_layers_blocks: false,
      },
    });
  });

  test("a random uuid engine id by default", () => {
    const config = parseKvTransferConfig('{"kv_connector":"NixlConnector","kv_role":"kv_both"}', []);
    expect(config?.engineId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("dotted flags, nested extra-config keys and unknown extra keys pass through", () => {
    const config = parseKvTransferConfig(undefined, [
      ["kv_connector", "NixlConnector"],
      ["kv_role", "kv_producer"],
      ["engine_id", "p0"],
      ["kv_load_failure_policy", "recompute"],
      ["kv_connector_extra_config.kv_lease_duration", "2.5"],
      ["kv_connector_extra_config.kv_recompute_threshold", "0"],
      ["kv_connector_extra_config.backends+", "LIBFABRIC,UCX"],
      ["kv_connector_extra_config.vendor_knob", "x"],
    ]);
    expect(config?.engineId).toBe("p0");
    expect(config?.kvRole).toBe("kv_producer");
    expect(config?.kvLoadFailurePolicy).toBe("recompute");
    expect(config?.kvLeaseDurationSeconds).toBe(2.5);
    expect(config?.kvRecomputeThresholdTokens).toBe(0);
    expect(config?.kvConnectorExtraConfig.backends).toEqual(["LIBFABRIC", "UCX"]);
    expect(config?.kvConnectorExtraConfig.vendor_knob).toBe("x");
  });

  test("a connector without kv_role is vLLM's error", () => {
    expect(() => parseKvTransferConfig('{"kv_connector":"NixlConnector"}', [])).toThrow("kv_role: required");
  });

  test("connectors other than NixlConnector are rejected, not imitated", () => {
    const json = '{"kv_connector":"LMCacheConnectorV1","kv_role":"kv_both"}';
    expect(() => parseKvTransferConfig(json, [])).toThrow('"LMCacheConnectorV1" is not simulated');
  });

  test.each([
    ['{"kv_connector":"NixlConnector","kv_role":"kv_both","kv_roel":"x"}', 'unknown key "kv_roel"'],
    ['{"kv_connector":"NixlConnector","kv_role":"both"}', "kv_role"],
    [
      '{"kv_connector":"NixlConnector","kv_role":"kv_both","kv_load_failure_policy":"retry"}',
      "kv_load_failure_policy",
    ],
    [
      '{"kv_connector":"NixlConnector","kv_role":"kv_both","kv_connector_extra_config":{"kv_lease_duration":0}}',
      "kv_connector_extra_config.kv_lease_duration",
    ],
  ])("rejects %s naming the field", (json, expected) => {
    expect(() => parseKvTransferConfig(json, [])).toThrow(expected);
  });
});

describe("engineIdForRank", () => {
  test("data parallel ranks get a _dp suffix, a single engine keeps its id", () => {
    expect(engineIdForRank("e", 0, 1)).toBe("e");
    expect(engineIdForRank("e", 0, 2)).toBe("e_dp0");
    expect(engineIdForRank("e", 3, 4)).toBe("e_dp3");
  });
});
