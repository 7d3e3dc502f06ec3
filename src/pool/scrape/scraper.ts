// Scrapes every pooled engine's /metrics on an interval into the pool's EngineMetrics: one timer per
// endpoint, at most one scrape in flight per endpoint, tick-based backoff while an endpoint fails.
import type { Logger } from "../../telemetry/index.ts";
import type { EndpointPool } from "../endpoint-pool.ts";
import { parsePrometheusText } from "./prometheus-text.ts";
import { extractVllmMetrics, VLLM_METRIC_FAMILIES } from "./vllm-metrics.ts";

/** Smallest accepted interval: below it the scrape itself (~1-5 ms with HTTP) becomes the load. */
export const MIN_SCRAPE_INTERVAL_MS = 25;
const DEFAULT_MAX_BACKOFF_MS = 1000;
// The classic text format (prometheus_client picks OpenMetrics only when asked) and no gzip: vLLM
// compresses in its API server process, which costs it more than 60 KB over loopback costs us.
const SCRAPE_HEADERS = { accept: "text/plain;version=0.0.4", "accept-encoding": "identity" };

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface MetricsScraperOptions {
  readonly pool: EndpointPool;
  /** Period of each endpoint's scrapes; at least MIN_SCRAPE_INTERVAL_MS. */
  readonly intervalMs: number;
  /** Bound on one scrape (response and body). */
  readonly timeoutMs: number;
  /** Gateway clock in ms; stamps EngineMetrics.scrapedAtMs when a page has been read. */
  readonly now: () => number;
  readonly logger: Logger;
  readonly fetchImpl?: FetchLike;
  /** Longest pause between attempts while an endpoint keeps failing (default 1000 ms). */
  readonly maxBackoffMs?: number;
}

export interface EndpointScrapeStats {
  readonly id: string;
  readonly isFailing: boolean;
  readonly consecutiveFailures: number;
  readonly lastSuccessAtMs: number | null;
}

export interface MetricsScraperStats {
  readonly endpoints: number;
  /** Scrapes finished, successful or not. */
  readonly scrapes: number;
  readonly failures: number;
  /** Unparseable lines, summed over every page read. */
  readonly parseProblems: number;
  /** Ticks skipped because the endpoint's previous scrape was still running. */
  readonly overlapSkips: number;
  /** Ticks skipped while an endpoint backs off after failures. */
  readonly backoffSkips: number;
  readonly lastParseMs: number;
  readonly maxParseMs: number;
  readonly perEndpoint: readonly EndpointScrapeStats[];
}

export interface MetricsScraper {
  /** Stops every loop and aborts scrapes in flight; no setMetrics happens afterwards. */
  stop(): void;
  stats(): MetricsScraperStats;
}

interface EndpointLoop {
  readonly id: string;
  readonly url: string;
  readonly controller: AbortController;
  timer: ReturnType<typeof setInterval> | null;
  isInFlight: boolean;
  consecutiveFailures: number;
  ticksToSkip: number;
  failingSinceMs: number;
  lastSuccessAtMs: number | null;
  missingKey: string;
  hasProblems: boolean;
}

/** Starts scraping every endpoint in `pool`, following additions and removals through `pool.onChange`. */
export function startMetricsScraper(options: MetricsScraperOptions): MetricsScraper {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs < MIN_SCRAPE_INTERVAL_MS)
    throw new RangeError(`intervalMs must be at least ${MIN_SCRAPE_INTERVAL_MS}, got ${options.intervalMs}`);
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)
    throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`);
  const scraper = new Scraper(options);
  scraper.start();
  return scraper;
}

class Scraper implements MetricsScraper {
  private readonly loops = new Map<string, EndpointLoop>();
  private readonly counters = { scrapes: 0, failures: 0, parseProblems: 0, overlapSkips: 0, backoffSkips: 0 };
  private lastParseMs = 0;
  private maxParseMs = 0;
  private isStopped = false;
  private unsubscribe: () => void = () => {};
  private readonly fetchImpl: FetchLike;
  private readonly maxBackoffTicks: number;

  constructor(private readonly options: MetricsScraperOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxBackoffTicks = Math.max(0, Math.floor(maxBackoffMs / options.intervalMs));
  }

  start(): void {
    this.unsubscribe = this.options.pool.onChange(() => this.reconcile());
    this.reconcile();
  }

  stop(): void {
    this.isStopped = true;
    this.unsubscribe();
    for (const loop of [...this.loops.values()]) this.stopLoop(loop);
  }

  stats(): MetricsScraperStats {
    const perEndpoint = [...this.loops.values()].map((loop) => ({
      id: loop.id,
      isFailing: loop.consecutiveFailures > 0,
      consecutiveFailures: loop.consecutiveFailures,
      lastSuccessAtMs: loop.lastSuccessAtMs,
    }));
    return {
      endpoints: this.loops.size,
      ...this.counters,
      lastParseMs: this.lastParseMs,
      maxParseMs: this.maxParseMs,
      perEndpoint,
    };
  }

  /** Starts loops for new endpoints, restarts moved ones, stops removed ones. */
  private reconcile(): void {
    if (this.isStopped) return;
    const present = new Set<string>();
    for (const { descriptor } of this.options.pool.snapshot()) {
      present.add(descriptor.id);
      const url = `${descriptor.baseUrl}/metrics`;
      const loop = this.loops.get(descriptor.id);
      if (loop?.url === url) continue;
      if (loop !== undefined) this.stopLoop(loop);
      this.startLoop(descriptor.id, url);
    }
    for (const loop of [...this.loops.values()]) if (!present.has(loop.id)) this.stopLoop(loop);
  }

  private startLoop(id: string, url: string): void {
    const loop: EndpointLoop = {
      id,
      url,
      controller: new AbortController(),
      timer: null,
      isInFlight: false,
      consecutiveFailures: 0,
      ticksToSkip: 0,
      failingSinceMs: 0,
      lastSuccessAtMs: null,
      missingKey: "",
      hasProblems: false,
    };
    this.loops.set(id, loop);
    const scraper = this;
    loop.timer = setInterval(function scrapeTick() {
      scraper.tick(loop);
    }, this.options.intervalMs);
    this.tick(loop);
  }

  private stopLoop(loop: EndpointLoop): void {
    if (loop.timer !== null) clearInterval(loop.timer);
    loop.timer = null;
    loop.controller.abort();
    if (this.loops.get(loop.id) === loop) this.loops.delete(loop.id);
  }

  private tick(loop: EndpointLoop): void {
    if (loop.isInFlight) {
      this.counters.overlapSkips++;
      return;
    }
    if (loop.ticksToSkip > 0) {
      loop.ticksToSkip--;
      this.counters.backoffSkips++;
      return;
    }
    void this.scrapeOnce(loop);
  }

  private async scrapeOnce(loop: EndpointLoop): Promise<void> {
    loop.isInFlight = true;
    const isLeaving = () => loop.controller.signal.aborted;
    try {
      const signal = AbortSignal.any([loop.controller.signal, AbortSignal.timeout(this.options.timeoutMs)]);
      const response = await this.fetchImpl(loop.url, { signal, headers: SCRAPE_HEADERS });
      if (response.status !== 200) {
        await response.body?.cancel();
        if (!isLeaving()) this.failed(loop, `HTTP ${response.status}`, null);
        return;
      }
      const type = response.headers.get("content-type") ?? "";
      const text = await response.text();
      const scrapedAtMs = this.options.now();
      if (!isLeaving()) this.read(loop, text, type.startsWith("application/openmetrics-text"), scrapedAtMs);
    } catch (error) {
      // An abort from stopLoop is the endpoint leaving the pool, not a failure; a timeout is one.
      if (!isLeaving()) this.failed(loop, "request failed", error);
    } finally {
      loop.isInFlight = false;
      if (!isLeaving()) this.counters.scrapes++;
    }
  }

  private read(loop: EndpointLoop, text: string, isOpenMetrics: boolean, scrapedAtMs: number): void {
    const startedMs = performance.now();
    const parsed = parsePrometheusText(text, { onlyFamilies: VLLM_METRIC_FAMILIES, isOpenMetrics });
    const extraction = extractVllmMetrics(parsed, scrapedAtMs);
    this.lastParseMs = performance.now() - startedMs;
    this.maxParseMs = Math.max(this.maxParseMs, this.lastParseMs);
    this.counters.parseProblems += parsed.problemCount;
    if (parsed.problemCount > 0 && !loop.hasProblems) {
      const context = { endpoint: loop.id, problems: parsed.problemCount, first: parsed.firstProblem };
      this.options.logger.warn(context, "unparseable lines in engine /metrics");
    }
    loop.hasProblems = parsed.problemCount > 0;
    if (!extraction.hasLoad) {
      this.failed(loop, "no vLLM load metrics in the page", null);
      return;
    }
    this.noteMissing(loop, extraction.missingFamilies);
    this.options.pool.setMetrics(loop.id, extraction.metrics);
    if (loop.consecutiveFailures > 0) {
      const failingForMs = scrapedAtMs - loop.failingSinceMs;
      const context = { endpoint: loop.id, failures: loop.consecutiveFailures, failingForMs };
      this.options.logger.info(context, "engine metrics scrape recovered");
    }
    loop.consecutiveFailures = 0;
    loop.lastSuccessAtMs = scrapedAtMs;
  }

  /** Logs the set of absent families when it changes, as llm-d logs a missing family once (§1.6). */
  private noteMissing(loop: EndpointLoop, missing: readonly string[]): void {
    const key = missing.join(",");
    if (key === loop.missingKey) return;
    loop.missingKey = key;
    if (key === "") this.options.logger.info({ endpoint: loop.id }, "engine metrics complete again");
    else this.options.logger.warn({ endpoint: loop.id, missing }, "engine metrics missing from /metrics");
  }

  /** Counts a failure, logs only the first of a run, and backs off 0, 1, 3, 7, ... ticks (capped). */
  private failed(loop: EndpointLoop, reason: string, error: unknown): void {
    this.counters.failures++;
    loop.consecutiveFailures++;
    const exponent = Math.min(loop.consecutiveFailures - 1, 30);
    loop.ticksToSkip = Math.min(2 ** exponent - 1, this.maxBackoffTicks);
    if (loop.consecutiveFailures > 1) return;
    loop.failingSinceMs = this.options.now();
    const context = { endpoint: loop.id, url: loop.url, reason, ...(error === null ? {} : { err: error }) };
    this.options.logger.warn(context, "engine metrics scrape failing");
  }
}
