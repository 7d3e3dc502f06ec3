import { describe, expect, test } from "bun:test";
import { createBuiltinTokenizer } from "../../../src/kvcache/tokenize/index.ts";
import { OutputText } from "../../../src/sim/server/output-text.ts";

const tokenizer = createBuiltinTokenizer();
const ids = (text: string) => tokenizer.encode(text, false);

function output(stops: string[], includeStop = false, minTokens = 0): OutputText {
  return new OutputText(tokenizer, {
    stops,
    includeStopStrInOutput: includeStop,
    hiddenTokenIds: new Set([tokenizer.eosTokenId ?? 0]),
    minTokens,
  });
}

describe("OutputText", () => {
  test("streams deltas that add up to the decoded text", () => {
    const text = output([]);
    let streamed = "";
    for (const id of ids("hello there world")) {
      expect(text.push(id)).toBeNull();
      streamed += text.takeDelta(false);
    }
    streamed += text.takeDelta(true);
    expect(streamed).toBe("hello there world");
  });

  test("withholds text that may still become a stop string, then truncates at it", () => {
    const text = output(["STOP"]);
    const tokens = ids("abcSTOPxyz");
    const first = tokens[0] as number;
    expect(text.push(first)).toBeNull();
    // "abc" could be followed by "STO…": the last three characters wait.
    expect(text.takeDelta(false)).toBe("");
    let match = null;
    for (const id of tokens.slice(1)) match ??= text.push(id);
    expect(match).toEqual({ stop: "STOP" });
    expect(text.takeDelta(true)).toBe("abc");
    expect(text.fullText()).toBe("abc");
  });

  test("include_stop_str_in_output keeps the stop string", () => {
    const text = output(["STOP"], true);
    for (const id of ids("abcSTOP")) text.push(id);
    expect(text.fullText()).toBe("abcSTOP");
  });

  test("stop strings are not checked before min_tokens", () => {
    const text = output(["abc"], false, 5);
    for (const id of ids("abcdef")) expect(text.push(id)).toBeNull();
  });

  test("hidden ids (EOS) count as tokens but add no text", () => {
    const text = output([]);
    text.push(tokenizer.eosTokenId ?? 0);
    expect(text.tokenIds.length).toBe(1);
    expect(text.fullText()).toBe("");
  });
});
