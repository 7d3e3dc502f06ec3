import { expect, test } from "bun:test";
import { debit, levelAt, waitMs } from "../../../src/flow/rate-limit/token-bucket.ts";

test("a bucket refills at its capacity per minute, capped at capacity", () => {
  expect(levelAt(undefined, 60, 0)).toBe(60);
  expect(levelAt({ tokens: 0, updatedMs: 0 }, 60, 1000)).toBe(1);
  expect(levelAt({ tokens: 59.5, updatedMs: 0 }, 60, 10_000)).toBe(60);
});

test("waiting time to a level, and debt capped at one minute's allowance", () => {
  expect(waitMs(0.5, 1, 60)).toBe(500);
  expect(waitMs(3, 1, 60)).toBe(0);
  expect(debit(10, 500, 60)).toBe(-60);
  expect(debit(10, 5, 60)).toBe(5);
});
