import { describe, expect, test } from "bun:test";
import type { EndpointSnapshot } from "../../../src/pool/index.ts";
import { create, Params } from "../../../src/scheduler/profile-handler/disagg-profile-handler.ts";
import type { ProfileHandlerContext } from "../../../src/scheduler/types.ts";
import { endpoint, pluginDeps, request } from "../builders.ts";

const PROFILES = ["decode", "prefill"];

function handler(params: Record<string, unknown> = { deciders: { prefill: "pd" } }) {
  return create("disagg", Params.parse(params), pluginDeps());
}

/** A context whose decider answers `answer` and records the decode endpoint it was shown. */
function deciding(answer: boolean): ProfileHandlerContext & { shown: string[] } {
  const shown: string[] = [];
  return {
    shown,
    decide(name, _request, decodeEndpoint) {
      shown.push(`${name}:${decodeEndpoint.descriptor.id}`);
      return answer;
    },
  };
}

function results(entries: Record<string, EndpointSnapshot | null>) {
  return new Map(Object.entries(entries));
}

describe("disagg-profile-handler", () => {
  test("runs the decode profile first, alone", () => {
    expect(handler().pick(request(), PROFILES, new Map(), deciding(true))).toEqual(["decode"]);
  });

  test("asks the decider with the chosen decode endpoint, then runs prefill when it agrees", () => {
    const context = deciding(true);
    expect(handler().pick(request(), PROFILES, results({ decode: endpoint("d1") }), context)).toEqual([
      "prefill",
    ]);
    expect(context.shown).toEqual(["pd:d1"]);
  });

  test("stops after decode when the decider says no, or when decode found nothing", () => {
    expect(handler().pick(request(), PROFILES, results({ decode: endpoint("d1") }), deciding(false))).toEqual(
      [],
    );
    const context = deciding(true);
    expect(handler().pick(request(), PROFILES, results({ decode: null }), context)).toEqual([]);
    expect(context.shown).toEqual([]);
  });

  test("stops once prefill has run", () => {
    const done = results({ decode: endpoint("d1"), prefill: endpoint("p1") });
    expect(handler().pick(request(), PROFILES, done, deciding(true))).toEqual([]);
  });

  test("without a prefill decider the prefill stage is disabled", () => {
    const context = deciding(true);
    expect(handler({}).pick(request(), PROFILES, results({ decode: endpoint("d1") }), context)).toEqual([]);
    expect(context.shown).toEqual([]);
    expect(handler({}).references).toEqual([{ param: "profiles.decode", name: "decode", kind: "profile" }]);
  });

  test("decode is primary; the prefill profile is named only when it found an endpoint", () => {
    const both = results({ decode: endpoint("d1"), prefill: endpoint("p1") });
    expect(handler().processResults(request(), both)).toBe("decode");
    expect(handler().prefillProfile(request(), both)).toBe("prefill");
    const decodeOnly = results({ decode: endpoint("d1"), prefill: null });
    expect(handler().prefillProfile(request(), decodeOnly)).toBeNull();
    expect(
      handler().processResults(request(), results({ decode: null, prefill: endpoint("p1") })),
    ).toBeNull();
  });

  test("honours renamed profiles and declares what it refers to", () => {
    const renamed = handler({ profiles: { decode: "d", prefill: "p" }, deciders: { prefill: "my-decider" } });
    expect(renamed.pick(request(), ["d", "p"], new Map(), deciding(true))).toEqual(["d"]);
    expect(renamed.pick(request(), ["d", "p"], results({ d: endpoint("x") }), deciding(true))).toEqual(["p"]);
    expect(renamed.references).toEqual([
      { param: "profiles.decode", name: "d", kind: "profile" },
      { param: "profiles.prefill", name: "p", kind: "profile" },
      { param: "deciders.prefill", name: "my-decider", kind: "decider" },
    ]);
    expect(renamed.maxProfiles).toBe(2);
  });

  test("rejects llm-d's legacy flat parameters", () => {
    expect(Params.safeParse({ decodeProfile: "decode" }).success).toBe(false);
    expect(Params.safeParse({ deciders: { encode: "x" } }).success).toBe(false);
  });
});
