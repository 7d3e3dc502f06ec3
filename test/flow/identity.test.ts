import { describe, expect, test } from "bun:test";
import { type FlowIdentityInput, resolveFlowIdentity } from "../../src/flow/index.ts";

function input(
  overrides: Partial<FlowIdentityInput> = {},
  headers: Record<string, string> = {},
): FlowIdentityInput {
  return {
    key: { name: "acme", priority: 3 },
    headers: new Headers(headers),
    isTrusted: false,
    priorityHeader: "x-llmux-priority",
    fairnessHeader: "x-llmux-fairness-id",
    defaultFairnessId: "default-flow",
    ...overrides,
  };
}

describe("resolveFlowIdentity", () => {
  test("takes priority and fairness id from the API key", () => {
    expect(resolveFlowIdentity(input())).toEqual({ ok: true, priority: 3, fairnessId: "acme" });
  });

  test("an open gateway puts keyless requests in the default flow at priority 0", () => {
    expect(resolveFlowIdentity(input({ key: null }))).toEqual({
      ok: true,
      priority: 0,
      fairnessId: "default-flow",
    });
  });

  test("ignores the headers from an untrusted source", () => {
    const headers = { "x-llmux-priority": "-5", "x-llmux-fairness-id": "someone-else" };
    expect(resolveFlowIdentity(input({}, headers))).toEqual({ ok: true, priority: 3, fairnessId: "acme" });
  });

  test("uses the headers from a trusted source", () => {
    const headers = { "x-llmux-priority": "-5", "x-llmux-fairness-id": "team-b" };
    expect(resolveFlowIdentity(input({ isTrusted: true }, headers))).toEqual({
      ok: true,
      priority: -5,
      fairnessId: "team-b",
    });
  });

  test.each([["high"], ["1.5"], ["1001"], [""], ["12345"]])("rejects trusted priority %p", (value) => {
    const result = resolveFlowIdentity(input({ isTrusted: true }, { "x-llmux-priority": value }));
    expect(result).toMatchObject({ ok: false, header: "x-llmux-priority" });
  });

  test("rejects a trusted fairness id that is blank or too long", () => {
    for (const value of ["  ", "x".repeat(129)]) {
      expect(resolveFlowIdentity(input({ isTrusted: true }, { "x-llmux-fairness-id": value }))).toMatchObject(
        {
          ok: false,
          header: "x-llmux-fairness-id",
        },
      );
    }
  });
});
