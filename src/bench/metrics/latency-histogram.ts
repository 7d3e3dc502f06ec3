// Log-bucketed latency histogram for inter-token latencies: millions of samples per run in a fixed
// array (1 % relative resolution from 1 µs to ~3 h), so ITL percentiles need no per-token storage.

const MIN_MS = 0.001;
/** Buckets grow by 1 %: quantiles are exact to within 1 % of the value. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e10 / MIN_MS) / LOG_GROWTH);

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS + 1);
  private total = 0;
  private sum = 0;

  record(valueMs: number): void {
    const index =
      valueMs <= MIN_MS ? 0 : Math.min(BUCKETS, 1 + Math.floor(Math.log(valueMs / MIN_MS) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.total += 1;
    this.sum += valueMs;
  }

  get count(): number {
    return this.total;
  }

  mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** The q-quantile (0..1): the geometric middle of the bucket holding it; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return i === 0 ? MIN_MS : MIN_MS * GROWTH ** (i - 0.5);
    }
    return MIN_MS * GROWTH ** BUCKETS;
  }
}
