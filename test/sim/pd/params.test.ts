// kv_transfer_params builders and validation (vllm-interfaces.md §4.2).
import { describe, expect, test } from "bun:test";
import { buildPrefillResponseParams, parseKvTransferParams } from "../../../src/sim/pd/params.ts";

const prefillResponse = buildPrefillResponseParams({
  blockIds: [[12, 13, 14]],
  engineId: "engine-p",
  requestId: "cmpl-1-0",
  host: "10.0.0.5",
  port: 5600,
  tpSize: 2,
  numTokens: 40,
});

describe("buildPrefillResponseParams", () => {
  test("has the keys NixlConnectorScheduler.request_finished returns", () => {
    expect(prefillResponse).toEqual({
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_block_ids: [[12, 13, 14]],
      remote_engine_id: "engine-p",
      remote_request_id: "cmpl-1-0",
      remote_host: "10.0.0.5",
      remote_port: 5600,
      tp_size: 2,
      remote_num_tokens: 40,
    });
  });
});

describe("parseKvTransferParams", () => {
  test("absent or null params ask for nothing", () => {
    expect(parseKvTransferParams(undefined)).toEqual({ ok: true, intent: { kind: "none" } });
    expect(parseKvTransferParams(null)).toEqual({ ok: true, intent: { kind: "none" } });
  });

  test("the proxy's prefill-leg params ask for a remote decode", () => {
    const raw = {
      do_remote_decode: true,
      do_remote_prefill: false,
      remote_engine_id: null,
      remote_block_ids: null,
      remote_host: null,
      remote_port: null,
    };
    expect(parseKvTransferParams(raw)).toEqual({ ok: true, intent: { kind: "remote_decode" } });
  });

  test("the prefill response, passed through, asks for a remote prefill", () => {
    expect(parseKvTransferParams(prefillResponse)).toEqual({
      ok: true,
      intent: {
        kind: "remote_prefill",
        source: {
          engineId: "engine-p",
          requestId: "cmpl-1-0",
          host: "10.0.0.5",
          port: 5600,
          blockIds: [[12, 13, 14]],
          tpSize: 2,
          numTokens: 40,
        },
      },
    });
  });

  test("a flat remote_block_ids list (older releases) is one KV group", () => {
    const result = parseKvTransferParams({ ...prefillResponse, remote_block_ids: [1, 2] });
    expect(result.ok && result.intent.kind === "remote_prefill" && result.intent.source.blockIds).toEqual([
      [1, 2],
    ]);
  });

  test("unknown keys pass", () => {
    expect(parseKvTransferParams({ ...prefillResponse, future_field: 1 }).ok).toBe(true);
  });

  test.each([
    ["a non-object", "yes", "kv_transfer_params"],
    ["a string port", { ...prefillResponse, remote_port: "5600" }, "kv_transfer_params.remote_port"],
    [
      "negative block ids",
      { ...prefillResponse, remote_block_ids: [[-1]] },
      "kv_transfer_params.remote_block_ids",
    ],
    ["both directions", { do_remote_decode: true, do_remote_prefill: true }, "cannot both be true"],
    ["a pull without a source", { do_remote_prefill: true }, "needs remote_engine_id, remote_request_id"],
  ])("rejects %s with a 400-style message", (_name, raw, expected) => {
    const result = parseKvTransferParams(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toContain(expected);
  });
});
