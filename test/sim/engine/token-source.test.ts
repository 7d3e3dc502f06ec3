// Token source: reproducible streams, natural lengths, and the min_tokens mask.
import { describe, expect, test } from "bun:test";
import { defaultTokenSampler, TokenSource } from "../../../src/sim/engine/token-source.ts";
import { simRequest, tokenRange } from "./engine-fixture.ts";

function take(source: TokenSource, count: number): number[] {
  return Array.from({ length: count }, (_, i) => source.next(i));
}

describe("TokenSource", () => {
  test("the default sampler stays in the printable id range", () => {
    expect(defaultTokenSampler(0)).toBe(1000);
    expect(defaultTokenSampler(0.999999)).toBe(29_999);
  });

  test("the same request and seed give the same stream; another id gives another", () => {
    const request = simRequest("a", tokenRange(1, 8));
    const first = take(new TokenSource(request, 9, 100, defaultTokenSampler), 50);
    expect(take(new TokenSource(request, 9, 100, defaultTokenSampler), 50)).toEqual(first);
    expect(
      take(new TokenSource(simRequest("b", tokenRange(1, 8)), 9, 100, defaultTokenSampler), 50),
    ).not.toEqual(first);
  });

  test("no EOS when ignore_eos is set or the EOS id is unknown", () => {
    expect(
      new TokenSource(simRequest("a", [1], { eosTokenId: 2 }), 1, 100, defaultTokenSampler).eosIndex,
    ).toBe(-1);
    const unknown = simRequest("a", [1], { ignoreEos: false, eosTokenId: null });
    expect(new TokenSource(unknown, 1, 100, defaultTokenSampler).eosIndex).toBe(-1);
  });

  test("natural lengths are at least 16 tokens and at least min_tokens", () => {
    for (let i = 0; i < 200; i++) {
      const request = simRequest(`r${i}`, [1], {
        ignoreEos: false,
        eosTokenId: 2,
        minTokens: i % 3 === 0 ? 40 : 0,
      });
      const eosIndex = new TokenSource(request, 5, 10_000, defaultTokenSampler).eosIndex;
      expect(eosIndex).toBeGreaterThanOrEqual(request.minTokens > 0 ? 39 : 15);
    }
  });

  test("masks EOS and stop ids before min_tokens", () => {
    // This sampler only knows three ids, two of them banned early.
    const sampler = (r: number) => [2, 7, 500][Math.floor(r * 3)]!;
    const request = simRequest("a", [1], { eosTokenId: 2, stopTokenIds: [7], minTokens: 30 });
    const tokens = take(new TokenSource(request, 3, 100, sampler), 30);
    expect(tokens.every((token) => token !== 2 && token !== 7)).toBe(true);
  });
});
