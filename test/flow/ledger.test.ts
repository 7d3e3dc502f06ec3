import { expect, test } from "bun:test";
import { DispatchLedger } from "../../src/flow/ledger.ts";

test("counts admitted requests and tokens until released, never below zero", () => {
  const ledger = new DispatchLedger();
  ledger.admit(150);
  ledger.admit(50);
  ledger.release(150);
  expect([ledger.requests, ledger.tokens]).toEqual([1, 50]);
  ledger.release(50);
  ledger.release(50);
  expect([ledger.requests, ledger.tokens]).toEqual([0, 0]);
});
