import { expect, test } from "bun:test";
import { usesLatencyPredictor } from "../../../src/scheduler/latency/latency-plugins.ts";

const plan = (...types: string[]) => ({
  plugins: types.map((type) => ({ type })),
  schedulingProfiles: [],
});

test("a plan reads latency predictions when it configures the producer or latency-scorer", () => {
  expect(usesLatencyPredictor(plan("latency-scorer"))).toBe(true);
  expect(usesLatencyPredictor(plan("predicted-latency-producer", "queue-scorer"))).toBe(true);
  expect(usesLatencyPredictor(plan("queue-scorer", "prefix-cache-scorer"))).toBe(false);
  expect(usesLatencyPredictor(plan())).toBe(false);
});
