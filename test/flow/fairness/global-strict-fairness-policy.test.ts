import { expect, test } from "bun:test";
import { create, Params } from "../../../src/flow/fairness/global-strict-fairness-policy.ts";
import type { FlowView } from "../../../src/flow/index.ts";
import { request } from "../builders.ts";

test("global-strict-fairness-policy picks the flow whose head arrived first", () => {
  const policy = create("g", Params.parse({}), { now: () => 0 });
  const flows: FlowView[] = [7, 3, 5].map((seq, i) => ({
    fairnessId: `f${i}`,
    size: 1,
    head: () => ({ request: request(), enqueuedAtMs: 0, deadlineMs: 0, seq }),
  }));
  expect(policy.pick(flows, 0)).toBe(1);
});
