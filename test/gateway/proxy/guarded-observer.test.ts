// The observer guard: missing callbacks are no-ops and a throwing callback is reported, not raised.
import { describe, expect, test } from "bun:test";
import { guardObserver } from "../../../src/gateway/proxy/guarded-observer.ts";

describe("guardObserver", () => {
  test("an empty observer accepts every callback", () => {
    const guarded = guardObserver({});
    guarded.onAttempt("e", 1);
    guarded.onToken(1);
    guarded.onFinish({ status: 200, endpointId: "e", attempts: 1, isClientAbort: false, errorCode: null });
  });

  test("a throwing callback goes to onCallbackError with its name", () => {
    const reported: [string, string][] = [];
    const guarded = guardObserver({
      onUsage() {
        throw new Error("bug");
      },
      onCallbackError: (callback, error) => reported.push([callback, (error as Error).message]),
    });
    guarded.onUsage({ promptTokens: 1, completionTokens: 1, cachedTokens: 0 });
    expect(reported).toEqual([["onUsage", "bug"]]);
  });

  test("without onCallbackError the error goes to stderr and is not raised", () => {
    const guarded = guardObserver({
      onFirstToken() {
        throw new Error("bug");
      },
    });
    const write = process.stderr.write;
    const lines: string[] = [];
    process.stderr.write = ((chunk: string) => {
      lines.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      guarded.onFirstToken(5);
    } finally {
      process.stderr.write = write;
    }
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "error",
      callback: "onFirstToken",
      error: "bug",
    });
  });
});
