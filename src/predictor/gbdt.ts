// Gradient-boosted regression trees with histogram splits (the XGBoost/LightGBM "hist" method llm-d's
// predictor uses, §5.1): squared or absolute error on the caller's target, row and column subsampling,
// L2 on leaves. Trees are stored complete (gbdt-model.ts) so prediction is a fixed-length walk.

import { binEdges, binRows } from "./binning.ts";
import type { GbdtModel } from "./gbdt-model.ts";

export interface GbdtParams {
  readonly trees: number;
  readonly maxDepth: number;
  readonly learningRate: number;
  readonly minSamplesLeaf: number;
  /** L2 penalty on leaf values. */
  readonly lambda: number;
  /** Fraction of rows each tree sees. */
  readonly subsample: number;
  /** Fraction of features each tree may split on. */
  readonly colsample: number;
  /** Histogram bins per feature, 2..256. */
  readonly maxBins: number;
  /**
   * l2: squared error, leaves at the Newton step. l1: absolute error; splits on the sign of the residual
   * and leaves refit to the median residual (LightGBM's L1), which on a log target approximates MAPE.
   */
  readonly loss: "l1" | "l2";
}

interface Nodes {
  feature: number[];
  bin: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** Fits `y` from `n` rows of `width` features packed in `x`. `rng` is uniform in [0,1). */
export function fitGbdt(
  x: Float64Array,
  y: Float64Array,
  n: number,
  width: number,
  params: GbdtParams,
  rng: () => number,
): GbdtModel {
  const edges = binEdges(x, n, width, params.maxBins);
  const bins = binRows(x, n, width, edges);
  const binCounts = edges.map((e) => e.length + 1);
  let base = 0;
  for (let i = 0; i < n; i++) base += y[i] as number;
  base = n > 0 ? base / n : 0;
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const nodes: Nodes = { feature: [], bin: [], threshold: [], left: [], right: [], value: [] };
  const depth = params.maxDepth;
  const internal = (1 << depth) - 1;
  const treeCount = n > 0 ? params.trees : 0;
  const model: GbdtModel = {
    family: "gbdt",
    base,
    depth,
    treeCount,
    feature: new Int32Array(treeCount * internal),
    threshold: new Float64Array(treeCount * internal).fill(Number.POSITIVE_INFINITY),
    leaf: new Float64Array(treeCount * (internal + 1)),
  };
  const perm = new Int32Array(n);
  const grower = new TreeGrower(bins, grad, width, binCounts, edges, params, nodes, perm);
  grower.residualOf = (row) => (y[row] as number) - (pred[row] as number);
  for (let t = 0; t < treeCount; t++) {
    for (let i = 0; i < n; i++) {
      const residual = (pred[i] as number) - (y[i] as number);
      grad[i] = params.loss === "l2" ? residual : residual > 0 ? 1 : residual < 0 ? -1 : 0;
    }
    let count = 0;
    for (let i = 0; i < n; i++) if (params.subsample >= 1 || rng() < params.subsample) perm[count++] = i;
    const allowed = new Uint8Array(width);
    for (let f = 0; f < width; f++) allowed[f] = params.colsample >= 1 || rng() < params.colsample ? 1 : 0;
    for (const list of Object.values(nodes)) list.length = 0;
    const root = grower.grow(count, allowed);
    for (let i = 0; i < n; i++) pred[i] = (pred[i] as number) + leafOf(nodes, root, bins, i * width);
    storeComplete(model, t, nodes, root, 0, 0);
  }
  return model;
}

/** Copies grown node `id` to position `pos` at `level` of complete tree `t`; a leaf fills its whole subtree. */
function storeComplete(
  model: GbdtModel,
  t: number,
  nodes: Nodes,
  id: number,
  pos: number,
  level: number,
): void {
  const internal = (1 << model.depth) - 1;
  const feature = nodes.feature[id] as number;
  if (level === model.depth) {
    model.leaf[t * (internal + 1) + pos - internal] = nodes.value[id] as number;
    return;
  }
  if (feature < 0) {
    // Unsplit: the node stays a pass-left (feature 0, threshold +∞) and every leaf below carries the value.
    storeComplete(model, t, nodes, id, 2 * pos + 1, level + 1);
    storeComplete(model, t, nodes, id, 2 * pos + 2, level + 1);
    return;
  }
  model.feature[t * internal + pos] = feature;
  model.threshold[t * internal + pos] = nodes.threshold[id] as number;
  storeComplete(model, t, nodes, nodes.left[id] as number, 2 * pos + 1, level + 1);
  storeComplete(model, t, nodes, nodes.right[id] as number, 2 * pos + 2, level + 1);
}

class TreeGrower {
  private allowed: Uint8Array = new Uint8Array(0);
  /** Target minus current prediction of a training row (the l1 leaf refit reads it). */
  residualOf: (row: number) => number = () => 0;
  /** Histogram layout: gradient sums at [offset[f] + bin], counts at [totalBins + offset[f] + bin]. */
  private readonly offset: Int32Array;
  private readonly totalBins: number;

  constructor(
    private readonly bins: Uint8Array,
    private readonly grad: Float64Array,
    private readonly width: number,
    private readonly binCounts: readonly number[],
    private readonly edges: readonly Float64Array[],
    private readonly params: GbdtParams,
    private readonly nodes: Nodes,
    private readonly perm: Int32Array,
  ) {
    this.offset = new Int32Array(width);
    let total = 0;
    binCounts.forEach((bins, f) => {
      this.offset[f] = total;
      total += bins;
    });
    this.totalBins = total;
  }

  grow(count: number, allowed: Uint8Array): number {
    this.allowed = allowed;
    const hist = this.histogram(0, count);
    return this.node(0, count, 0, hist);
  }

  private histogram(start: number, end: number): Float64Array {
    const { bins, grad, width, perm, offset, totalBins } = this;
    const hist = new Float64Array(totalBins * 2);
    for (let k = start; k < end; k++) {
      const row = perm[k] as number;
      const g = grad[row] as number;
      const base = row * width;
      for (let f = 0; f < width; f++) {
        const slot = (offset[f] as number) + (bins[base + f] as number);
        hist[slot] = (hist[slot] as number) + g;
        hist[totalBins + slot] = (hist[totalBins + slot] as number) + 1;
      }
    }
    return hist;
  }

  private node(start: number, end: number, depth: number, hist: Float64Array): number {
    const { params, width, offset, totalBins } = this;
    const count = end - start;
    let total = 0;
    const firstEnd = width > 1 ? (offset[1] as number) : totalBins;
    for (let b = 0; b < firstEnd; b++) total += hist[b] as number;
    const lambda = params.lambda;
    const parentScore = (total * total) / (count + lambda);
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = -1;
    if (depth < params.maxDepth && count >= 2 * params.minSamplesLeaf) {
      for (let f = 0; f < width; f++) {
        if (this.allowed[f] === 0) continue;
        let gLeft = 0;
        let nLeft = 0;
        const last = (this.binCounts[f] as number) - 1;
        const at = offset[f] as number;
        for (let b = 0; b < last; b++) {
          gLeft += hist[at + b] as number;
          nLeft += hist[totalBins + at + b] as number;
          const nRight = count - nLeft;
          if (nLeft < params.minSamplesLeaf) continue;
          if (nRight < params.minSamplesLeaf) break;
          const gRight = total - gLeft;
          const gain =
            (gLeft * gLeft) / (nLeft + lambda) + (gRight * gRight) / (nRight + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
          }
        }
      }
    }
    const id = this.nodes.feature.length;
    if (bestFeature < 0) {
      const step = params.loss === "l2" ? -total / (count + lambda) : this.medianResidual(start, end);
      this.push(-1, 0, 0, step * params.learningRate);
      return id;
    }
    this.push(bestFeature, bestBin, this.edges[bestFeature]?.[bestBin] ?? 0, 0);
    const mid = this.partition(start, end, bestFeature, bestBin);
    const isLeftSmaller = mid - start <= end - mid;
    const small = isLeftSmaller ? this.histogram(start, mid) : this.histogram(mid, end);
    // Histogram subtraction: the larger child is the parent minus the smaller one.
    for (let i = 0; i < hist.length; i++) hist[i] = (hist[i] as number) - (small[i] as number);
    const leftHist = isLeftSmaller ? small : hist;
    const rightHist = isLeftSmaller ? hist : small;
    const leftId = this.node(start, mid, depth + 1, leftHist);
    const rightId = this.node(mid, end, depth + 1, rightHist);
    this.nodes.left[id] = leftId;
    this.nodes.right[id] = rightId;
    return id;
  }

  private medianResidual(start: number, end: number): number {
    if (end <= start) return 0;
    const residuals = new Float64Array(end - start);
    for (let k = start; k < end; k++) residuals[k - start] = this.residualOf(this.perm[k] as number);
    residuals.sort();
    return residuals[(residuals.length - 1) >> 1] as number;
  }

  private push(feature: number, bin: number, threshold: number, value: number): void {
    const n = this.nodes;
    n.feature.push(feature);
    n.bin.push(bin);
    n.threshold.push(threshold);
    n.left.push(-1);
    n.right.push(-1);
    n.value.push(value);
  }

  /** Moves rows with bin <= `bin` on `feature` before the others; returns the boundary. */
  private partition(start: number, end: number, feature: number, bin: number): number {
    const { perm, bins, width } = this;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if ((bins[(perm[i] as number) * width + feature] as number) <= bin) i++;
      else {
        const swap = perm[i] as number;
        perm[i] = perm[j] as number;
        perm[j] = swap;
        j--;
      }
    }
    return i;
  }
}

/** Walks a tree over binned features (training rows). */
function leafOf(nodes: Nodes, root: number, bins: Uint8Array, base: number): number {
  let node = root;
  let f = nodes.feature[node] as number;
  while (f >= 0) {
    node =
      (bins[base + f] as number) <= (nodes.bin[node] as number)
        ? (nodes.left[node] as number)
        : (nodes.right[node] as number);
    f = nodes.feature[node] as number;
  }
  return nodes.value[node] as number;
}
