import { describe, expect, test } from "bun:test";
import { create, Params } from "../../../src/scheduler/profile-handler/single-profile-handler.ts";
import { endpoint, pluginDeps, request } from "../builders.ts";

describe("single-profile-handler", () => {
  const handler = create("single", Params.parse({}), pluginDeps());

  test("runs the one profile once, then stops", () => {
    expect(handler.pick(request(), ["default"], new Map())).toEqual(["default"]);
    expect(handler.pick(request(), ["default"], new Map([["default", endpoint("a")]]))).toEqual([]);
  });

  test("makes the profile primary when it found an endpoint", () => {
    expect(handler.processResults(request(), new Map([["default", endpoint("a")]]))).toBe("default");
    expect(handler.processResults(request(), new Map([["default", null]]))).toBeNull();
    expect(handler.maxProfiles).toBe(1);
  });
});
