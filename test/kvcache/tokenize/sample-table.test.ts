// The sampling table: printable words first, in vocabulary order, never special tokens.
import { describe, expect, test } from "bun:test";
import {
  buildSampleTable,
  pickFromTable,
  type VocabularyView,
} from "../../../src/kvcache/tokenize/sample-table.ts";

// Raw entries use the ByteLevel "Ġ" for a leading space, as GPT-style vocabularies do.
const RAW = ["<s>", "Ġthe", "ing", "Ġ123", "Ġand", "\n", "ĠX", "Ġcat", "é"];

function vocabulary(raw: readonly string[]): VocabularyView {
  return {
    vocabSize: raw.length,
    isSpecial: (id) => id === 0,
    rawToken: (id) => raw[id],
    decodeOne: (id) => (raw[id] ?? "").replace("Ġ", " "),
  };
}

describe("buildSampleTable", () => {
  test("puts space-led lowercase words first, then other letter-only tokens, up to the size", () => {
    expect([...buildSampleTable(vocabulary(RAW), 10)]).toEqual([1, 4, 7, 2, 6]);
    expect([...buildSampleTable(vocabulary(RAW), 2)]).toEqual([1, 4]);
  });

  test("is empty for a vocabulary without letter tokens", () => {
    expect(buildSampleTable(vocabulary(["<s>", "1", "."]), 10).length).toBe(0);
  });
});

describe("pickFromTable", () => {
  test("maps [0,1) across the table and clamps outside it", () => {
    const table = Int32Array.from([10, 20, 30, 40]);
    expect([0, 0.25, 0.5, 0.99].map((r) => pickFromTable(table, r))).toEqual([10, 20, 30, 40]);
    expect(pickFromTable(table, -3)).toBe(10);
    expect(pickFromTable(table, 1)).toBe(40);
  });
});
