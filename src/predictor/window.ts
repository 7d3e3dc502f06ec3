// Stratified sliding window of training samples (llm-d §5.1): one bounded ring per (queue, KV, prefix)
// bucket, so a burst of one regime cannot push rare regimes out; plus a held-back FIFO test set.
import { BUCKET_COUNT, bucketOf, ROW_WIDTH } from "./features.ts";

/** Rows packed `ROW_WIDTH` apart, `count` of them. */
export interface RowBlock {
  readonly rows: Float64Array;
  readonly count: number;
}

class Ring {
  readonly data: Float64Array;
  head = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.data = new Float64Array(capacity * ROW_WIDTH);
  }

  push(row: Float64Array): void {
    this.data.set(row, this.head * ROW_WIDTH);
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Copies the newest `take` rows into `out` at row `at`, as at most two contiguous runs. */
  copyNewest(take: number, out: Float64Array, at: number): void {
    const start = (this.head - take + this.capacity) % this.capacity;
    const firstRun = Math.min(take, this.capacity - start);
    out.set(this.data.subarray(start * ROW_WIDTH, (start + firstRun) * ROW_WIDTH), at * ROW_WIDTH);
    if (firstRun < take)
      out.set(this.data.subarray(0, (take - firstRun) * ROW_WIDTH), (at + firstRun) * ROW_WIDTH);
  }
}

export interface WindowOptions {
  readonly perBucket: number;
  readonly testCapacity: number;
  /** Fraction of samples held back for testing, 0..1. */
  readonly testRatio: number;
  /** Uniform in [0,1): decides which samples are held back. */
  readonly rng: () => number;
}

export class StratifiedWindow {
  private readonly buckets: (Ring | undefined)[] = new Array(BUCKET_COUNT);
  private readonly test: Ring;
  private trainingCount = 0;
  private bucketsUsed = 0;

  constructor(private readonly options: WindowOptions) {
    this.test = new Ring(options.testCapacity);
  }

  /** Files one sample row (ROW_WIDTH numbers); the array is copied. */
  add(row: Float64Array): void {
    if (this.options.rng() < this.options.testRatio) {
      this.test.push(row);
      return;
    }
    const index = bucketOf(row);
    let ring = this.buckets[index];
    if (ring === undefined) {
      ring = new Ring(this.options.perBucket);
      this.buckets[index] = ring;
      this.bucketsUsed++;
    }
    if (ring.count < ring.capacity) this.trainingCount++;
    ring.push(row);
  }

  get trainingSize(): number {
    return this.trainingCount;
  }

  get testSize(): number {
    return this.test.count;
  }

  get bucketsInUse(): number {
    return this.bucketsUsed;
  }

  /**
   * At most `maxRows` training rows, newest first within each bucket. When the window holds more, every
   * bucket gets an equal share and small buckets give their unused share to the others (water-filling),
   * so a rare regime keeps all of its samples.
   */
  trainingRows(maxRows: number): RowBlock {
    const rings = this.buckets.filter((ring): ring is Ring => ring !== undefined && ring.count > 0);
    rings.sort((a, b) => a.count - b.count);
    const total = Math.min(maxRows, this.trainingCount);
    const rows = new Float64Array(total * ROW_WIDTH);
    let remaining = total;
    let at = 0;
    rings.forEach((ring, i) => {
      const take = Math.min(ring.count, Math.floor(remaining / (rings.length - i)));
      ring.copyNewest(take, rows, at);
      at += take;
      remaining -= take;
    });
    return { rows: at === total ? rows : rows.slice(0, at * ROW_WIDTH), count: at };
  }

  testRows(): RowBlock {
    const rows = new Float64Array(this.test.count * ROW_WIDTH);
    this.test.copyNewest(this.test.count, rows, 0);
    return { rows, count: this.test.count };
  }
}
