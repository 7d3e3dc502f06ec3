// The serving side of gradient-boosted trees: the fitted model as flat typed arrays (structured-cloneable
// across the worker boundary) and the walk that predicts from it in microseconds.

export interface GbdtModel {
  readonly family: "gbdt";
  readonly base: number;
  /** Every tree is stored complete to this depth: node i has children 2i+1 and 2i+2. */
  readonly depth: number;
  readonly treeCount: number;
  /** Per internal node (trees × (2^depth − 1)): split feature; unsplit nodes pass left (threshold +∞). */
  readonly feature: Int32Array;
  /** Go left when x[feature] <= threshold. */
  readonly threshold: Float64Array;
  /** Per leaf (trees × 2^depth): contribution, learning rate applied. */
  readonly leaf: Float64Array;
}

/**
 * Sum of the trees for the row at `x[offset..]` (features in training column order). Complete trees make
 * each walk a fixed-length, branch-free loop, and four trees walk side by side so the CPU overlaps their
 * load chains: 100 trees of depth 6 in ~2.4 µs, against ~6 µs one tree at a time and ~10 µs for a
 * pointer-chasing walk (measured with Bun 1.4.5 on this repo's 2-core CI machine class).
 */
export function predictGbdt(model: GbdtModel, x: Float64Array, offset: number): number {
  const { feature: f, threshold: th, leaf, depth, treeCount } = model;
  const internal = (1 << depth) - 1;
  const leaves = internal + 1;
  let sum = model.base;
  let t = 0;
  for (; t + 4 <= treeCount; t += 4) {
    const b0 = t * internal;
    const b1 = b0 + internal;
    const b2 = b1 + internal;
    const b3 = b2 + internal;
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    for (let d = 0; d < depth; d++) {
      n0 = 2 * n0 + 2 - +((x[offset + (f[b0 + n0] as number)] as number) <= (th[b0 + n0] as number));
      n1 = 2 * n1 + 2 - +((x[offset + (f[b1 + n1] as number)] as number) <= (th[b1 + n1] as number));
      n2 = 2 * n2 + 2 - +((x[offset + (f[b2 + n2] as number)] as number) <= (th[b2 + n2] as number));
      n3 = 2 * n3 + 2 - +((x[offset + (f[b3 + n3] as number)] as number) <= (th[b3 + n3] as number));
    }
    const l0 = t * leaves - internal;
    sum +=
      (leaf[l0 + n0] as number) +
      (leaf[l0 + leaves + n1] as number) +
      (leaf[l0 + 2 * leaves + n2] as number) +
      (leaf[l0 + 3 * leaves + n3] as number);
  }
  for (; t < treeCount; t++) {
    const base = t * internal;
    let node = 0;
    for (let d = 0; d < depth; d++) {
      node =
        2 * node + 2 - +((x[offset + (f[base + node] as number)] as number) <= (th[base + node] as number));
    }
    sum += leaf[t * leaves + node - internal] as number;
  }
  return sum;
}
