import { describe, expect, test } from "bun:test";
import { parseSloHeaders, sloHeadersOf } from "../../../src/scheduler/latency/slo-headers.ts";

describe("SLO headers", () => {
  test("reads x-llmux-slo-ttft-ms and x-llmux-slo-tpot-ms", () => {
    const headers = new Headers({ "x-llmux-slo-ttft-ms": "250", "x-llmux-slo-tpot-ms": "40.5" });
    expect(parseSloHeaders(headers)).toEqual({ ok: true, ttftMs: 250, tpotMs: 40.5 });
  });

  test("accepts llm-d's names; the llmux name wins when both are sent", () => {
    expect(parseSloHeaders(new Headers({ "x-llm-d-slo-ttft-ms": "300" }))).toEqual({
      ok: true,
      ttftMs: 300,
      tpotMs: null,
    });
    const both = new Headers({ "x-llm-d-slo-ttft-ms": "300", "x-llmux-slo-ttft-ms": "100" });
    expect(parseSloHeaders(both)).toMatchObject({ ttftMs: 100 });
  });

  test.each([["0"], ["-5"], ["fast"], ["1e3"], ["3600001"]])(
    "rejects %p for the gateway to answer 400",
    (value) => {
      expect(parseSloHeaders(new Headers({ "x-llmux-slo-tpot-ms": value }))).toMatchObject({
        ok: false,
        header: "x-llmux-slo-tpot-ms",
      });
      expect(sloHeadersOf(new Headers({ "x-llmux-slo-tpot-ms": value }))).toEqual({
        ttftMs: null,
        tpotMs: null,
      });
    },
  );
});
