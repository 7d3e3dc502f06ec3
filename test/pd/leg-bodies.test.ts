// The exact bodies of the two legs (vllm-interfaces.md §4.2–4.3), field by field.
import { describe, expect, test } from "bun:test";
import {
  isDisaggregable,
  kvTransferParamsOf,
  PREFILL_KV_TRANSFER_PARAMS,
  toDecodeBody,
  toPrefillBody,
} from "../../src/pd/leg-bodies.ts";

const REMOTE_DECODE = {
  do_remote_decode: true,
  do_remote_prefill: false,
  remote_engine_id: null,
  remote_block_ids: null,
  remote_host: null,
  remote_port: null,
};

describe("toPrefillBody", () => {
  test("chat: one token, no stream, no minimums, remote-decode params; everything else kept", () => {
    const body = {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 300,
      min_tokens: 20,
      min_completion_tokens: 5,
      temperature: 0.3,
      ignore_eos: true,
    };
    expect(toPrefillBody("/v1/chat/completions", body)).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: false,
      max_tokens: 1,
      max_completion_tokens: 1,
      temperature: 0.3,
      ignore_eos: true,
      kv_transfer_params: REMOTE_DECODE,
    });
  });

  test("chat: max_completion_tokens alone is capped and max_tokens set, as llm-d's sidecar does", () => {
    const prefill = toPrefillBody("/v1/chat/completions", { model: "m", max_completion_tokens: 99 });
    expect(prefill).toMatchObject({ max_tokens: 1, max_completion_tokens: 1, stream: false });
  });

  test("completions: max_tokens only; max_completion_tokens appears only if the client sent it", () => {
    expect(toPrefillBody("/v1/completions", { model: "m", prompt: "p" })).toEqual({
      model: "m",
      prompt: "p",
      stream: false,
      max_tokens: 1,
      kv_transfer_params: REMOTE_DECODE,
    });
    expect(
      toPrefillBody("/v1/completions", { model: "m", prompt: "p", max_completion_tokens: 9 }),
    ).toMatchObject({
      max_tokens: 1,
      max_completion_tokens: 1,
    });
  });

  test("responses: max_output_tokens 1 and store false; no chat-only caps added", () => {
    expect(
      toPrefillBody("/v1/responses", {
        model: "m",
        input: "q",
        stream: true,
        max_output_tokens: 64,
        store: true,
      }),
    ).toEqual({
      model: "m",
      input: "q",
      stream: false,
      store: false,
      max_output_tokens: 1,
      kv_transfer_params: REMOTE_DECODE,
    });
  });

  test("replaces client kv_transfer_params and never mutates the client body", () => {
    const body = { model: "m", prompt: "p", max_tokens: 5, kv_transfer_params: { x: 1 }, stream: true };
    const frozen = Object.freeze({ ...body });
    const prefill = toPrefillBody("/v1/completions", frozen);
    expect(prefill.kv_transfer_params).toEqual(REMOTE_DECODE);
    expect(prefill.kv_transfer_params).not.toBe(PREFILL_KV_TRANSFER_PARAMS);
    expect(frozen).toEqual(body);
  });
});

describe("toDecodeBody", () => {
  test("the original body, stream and limits included, plus the prefill params passed through as is", () => {
    const params = {
      do_remote_prefill: true,
      do_remote_decode: false,
      remote_block_ids: [[1, 2, 3]],
      remote_engine_id: "e",
      remote_request_id: "r",
      remote_host: "127.0.0.1",
      remote_port: 5600,
      tp_size: 1,
      remote_num_tokens: 40,
      unknown_future_key: { nested: true },
    };
    const body = {
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 9,
      min_tokens: 2,
    };
    const decode = toDecodeBody(body, params);
    expect(decode).toEqual({ ...body, kv_transfer_params: params });
    expect(decode.kv_transfer_params).toBe(params);
  });
});

describe("kvTransferParamsOf", () => {
  test("takes the top-level object; none, null or a non-object mean none", () => {
    expect(kvTransferParamsOf({ kv_transfer_params: { a: 1 } })).toEqual({ a: 1 });
    expect(kvTransferParamsOf({ kv_transfer_params: null })).toBeNull();
    expect(kvTransferParamsOf({ kv_transfer_params: [1] })).toBeNull();
    expect(kvTransferParamsOf({})).toBeNull();
    expect(kvTransferParamsOf("x")).toBeNull();
  });
});

describe("isDisaggregable", () => {
  test("one choice of one prompt (text or token ids) can be handed over; n > 1 or several prompts cannot", () => {
    expect(isDisaggregable({ messages: [] })).toBe(true);
    expect(isDisaggregable({ prompt: "p", n: 1 })).toBe(true);
    expect(isDisaggregable({ prompt: [1, 2, 3] })).toBe(true);
    expect(isDisaggregable({ messages: [], n: 2 })).toBe(false);
    expect(isDisaggregable({ prompt: ["a", "b"] })).toBe(false);
    expect(isDisaggregable({ prompt: [[1], [2]] })).toBe(false);
  });
});
