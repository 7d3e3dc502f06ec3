import { describe, expect, test } from "bun:test";
import { freshMetrics } from "../../src/scheduler/metrics-freshness.ts";
import { endpoint, NOW_MS } from "./builders.ts";

describe("freshMetrics", () => {
  test("returns metrics up to the staleness bound, null beyond it or when never scraped", () => {
    expect(
      freshMetrics(endpoint("a", { metrics: { scrapedAtMs: NOW_MS - 2000 } }), NOW_MS, 2000),
    ).not.toBeNull();
    expect(freshMetrics(endpoint("a", { metrics: { scrapedAtMs: NOW_MS - 2001 } }), NOW_MS, 2000)).toBeNull();
    expect(freshMetrics(endpoint("a", { metrics: null }), NOW_MS, 2000)).toBeNull();
  });
});
