// Test helper: reads Prometheus text exposition (what /metrics and registry.metrics() return).

/** The lines of metric `name`, labelled or not, each without the name: `{a="b"} 1` or ` 1`. */
export function samplesOf(text: string, name: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

/** The value of one exact series (its name and labels as rendered, e.g. `x_total{a="b"}`); null when absent. */
export function seriesValue(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}
