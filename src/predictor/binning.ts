// Histogram binning for tree training: split thresholds per feature (quantiles) and each row's bin.

/** Split thresholds per feature: every distinct value when few, else quantiles; the maximum is never one. */
export function binEdges(x: Float64Array, n: number, width: number, maxBins: number): Float64Array[] {
  const step = Math.max(1, Math.floor(n / 20_000));
  const size = Math.ceil(n / step);
  return Array.from({ length: width }, (_, f) => {
    const values = new Float64Array(size);
    for (let i = 0, k = 0; i < n; i += step, k++) values[k] = x[i * width + f] as number;
    values.sort();
    const max = values[size - 1] as number;
    const edges: number[] = [];
    let distinct = 0;
    for (let i = 0; i < size && distinct <= maxBins; i++)
      if (i === 0 || values[i] !== values[i - 1]) distinct++;
    if (distinct <= maxBins) {
      for (let i = 0; i < size; i++) {
        const v = values[i] as number;
        if (v < max && (i === 0 || v !== values[i - 1])) edges.push(v);
      }
      return Float64Array.from(edges);
    }
    for (let q = 1; q < maxBins; q++) {
      const v = values[Math.floor((q * size) / maxBins)] as number;
      if (v !== edges[edges.length - 1] && v < max) edges.push(v);
    }
    return Float64Array.from(edges);
  });
}

export function binRows(
  x: Float64Array,
  n: number,
  width: number,
  edges: readonly Float64Array[],
): Uint8Array {
  const bins = new Uint8Array(n * width);
  for (let f = 0; f < width; f++) {
    const e = edges[f] as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = x[i * width + f] as number;
      // First edge >= v (binary search): rows equal to an edge fall left of it.
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((e[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      bins[i * width + f] = lo;
    }
  }
  return bins;
}
