// Prometheus text exposition (format 0.0.4) primitives for the sim's /metrics: metric families,
// fixed-bucket histograms and label escaping, written by hand to stay small and allocation-light.

/** One label set, in the order prometheus_client would print it. */
export type Labels = readonly (readonly [string, string])[];

/** A histogram with fixed upper bounds; `counts[i]` counts observations <= `bounds[i]` (not cumulative). */
export class Histogram {
  readonly bounds: readonly number[];
  private readonly counts: number[];
  private total = 0;
  private sum = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.total++;
    this.sum += value;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        (this.counts[i] as number)++;
        return;
      }
    }
  }

  /** Appends `_bucket`, `_sum` and `_count` samples (cumulative buckets, then +Inf). */
  write(out: string[], name: string, labels: Labels): void {
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i] as number;
      out.push(
        sample(`${name}_bucket`, [...labels, ["le", formatNumber(this.bounds[i] as number)]], cumulative),
      );
    }
    out.push(sample(`${name}_bucket`, [...labels, ["le", "+Inf"]], this.total));
    out.push(sample(`${name}_sum`, labels, this.sum));
    out.push(sample(`${name}_count`, labels, this.total));
  }
}

/** `# HELP` and `# TYPE` lines of one family. */
export function family(
  out: string[],
  name: string,
  type: "counter" | "gauge" | "histogram",
  help: string,
): void {
  out.push(`# HELP ${name} ${help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`);
  out.push(`# TYPE ${name} ${type}`);
}

/** One sample line. */
export function sample(name: string, labels: Labels, value: number): string {
  if (labels.length === 0) return `${name} ${formatNumber(value)}`;
  let text = "";
  for (const [key, labelValue] of labels) {
    text += `${text === "" ? "" : ","}${key}="${escapeLabel(labelValue)}"`;
  }
  return `${name}{${text}} ${formatNumber(value)}`;
}

/** Python's float repr as prometheus_client prints it: 1 -> "1.0", 0.25 -> "0.25". */
export function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** vLLM's `build_1_2_5_buckets(max_value)`: 1, 2, 5, 10, 20, 50, ... up to max_value. */
export function buckets125(maxValue: number): number[] {
  const out: number[] = [];
  for (let scale = 1; ; scale *= 10) {
    for (const mantissa of [1, 2, 5]) {
      if (mantissa * scale > maxValue) return out;
      out.push(mantissa * scale);
    }
  }
}
