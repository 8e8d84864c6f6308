import type { FlatTree, TreeModel } from './model';

/**
 * Trees deeper than this are scored by the compiled kernel (compile.ts) instead: a perfect tree
 * of depth d holds 2^d leaves.
 */
export const MAX_PERFECT_DEPTH = 12;

/** Rows interleaved by the kernel: independent walks the CPU overlaps (8 measured best). */
const LANES = 8;
/** Rows per block: the block's features and margins stay in L1 while every tree walks them. */
const ROWS_PER_BLOCK = 64;

/**
 * The trees padded to perfect binary trees (breadth-first, node i's children at 2i+1 and 2i+2)
 * in flat typed arrays on shared memory, so worker threads read them without a copy. A leaf above
 * the tree's full depth fills every leaf slot below it, so the padding splits never change a
 * result. Walking a perfect tree is a fixed number of steps without a data-dependent branch: the
 * direction is arithmetic on the comparison, which random features cannot mispredict.
 */
export interface PerfectForest {
  readonly numFeature: number;
  readonly numOutputs: number;
  /** per tree: its depth, where its splits and leaves start, the output it adds to */
  readonly depth: Int32Array;
  readonly nodeStart: Int32Array;
  readonly leafStart: Int32Array;
  readonly group: Int32Array;
  /** per split: feature index * 2 + default_left (where a missing value goes) */
  readonly split: Int32Array;
  /** per split: the float32 threshold; a value below it goes left */
  readonly threshold: Float64Array;
  /** per leaf slot: the float32 leaf value */
  readonly leaf: Float64Array;
}

/** The model as a PerfectForest, or undefined when a tree is deeper than MAX_PERFECT_DEPTH. */
export function perfectForest(model: TreeModel): PerfectForest | undefined {
  const depths = model.trees.map(treeDepth);
  if (depths.some((d) => d > MAX_PERFECT_DEPTH)) return undefined;
  const trees = model.trees.length;
  let nodes = 0;
  let leaves = 0;
  for (const d of depths) {
    nodes += (1 << d) - 1;
    leaves += 1 << d;
  }
  const forest: PerfectForest = {
    numFeature: model.numFeature,
    numOutputs: model.numOutputs,
    depth: sharedInt32(trees),
    nodeStart: sharedInt32(trees),
    leafStart: sharedInt32(trees),
    group: sharedInt32(trees),
    split: sharedInt32(nodes),
    threshold: new Float64Array(new SharedArrayBuffer(nodes * 8)),
    leaf: new Float64Array(new SharedArrayBuffer(leaves * 8)),
  };
  let nodeAt = 0;
  let leafAt = 0;
  model.trees.forEach((tree, t) => {
    const depth = depths[t]!;
    forest.depth[t] = depth;
    forest.nodeStart[t] = nodeAt;
    forest.leafStart[t] = leafAt;
    forest.group[t] = tree.group;
    fillPerfect(tree, forest, nodeAt, leafAt, depth);
    nodeAt += (1 << depth) - 1;
    leafAt += 1 << depth;
  });
  return forest;
}

function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}

function treeDepth(tree: FlatTree): number {
  // iterative, over validated child indexes (model.ts): a cycle would have been refused by compile
  let deepest = 0;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > tree.left.length) return Number.POSITIVE_INFINITY; // a cycle: not a tree
    if (tree.left[node] === -1) deepest = Math.max(deepest, depth);
    else stack.push([tree.left[node]!, depth + 1], [tree.right[node]!, depth + 1]);
  }
  return deepest;
}

function fillPerfect(tree: FlatTree, forest: PerfectForest, nodeAt: number, leafAt: number, depth: number) {
  const stack: [node: number, position: number, level: number][] = [[0, 0, 0]];
  while (stack.length > 0) {
    const [node, position, level] = stack.pop()!;
    if (tree.left[node] === -1) {
      // every leaf slot under this position gets the leaf's value
      const span = 1 << (depth - level);
      const first = (position - ((1 << level) - 1)) * span;
      forest.leaf.fill(tree.value[node]!, leafAt + first, leafAt + first + span);
      continue;
    }
    forest.split[nodeAt + position] = tree.feature[node]! * 2 + (tree.defaultLeft[node] ? 1 : 0);
    forest.threshold[nodeAt + position] = tree.value[node]!;
    stack.push(
      [tree.left[node]!, 2 * position + 1, level + 1],
      [tree.right[node]!, 2 * position + 2, level + 1],
    );
  }
}

/**
 * Source of `(forest) => MarginKernel` for a forest whose trees have these depths (see compile.ts
 * for the contract), evaluated on the calling thread and in each worker. Per block of rows, tree by
 * tree in model order, LANES rows walk the tree together; a step goes to child 2i+1 when
 * `v < threshold` or v is missing and default_left is set, else to 2i+2. Each depth the forest has
 * gets its own walk with the levels written out (no loop counter, no data-dependent branch: ~9 %
 * faster than one loop over the depth). Leaves add to the margin in float32, as XGBoost accumulates.
 */
export function perfectKernelSource(depths: readonly number[]): string {
  const distinct = [...new Set(depths)].sort((a, b) => a - b);
  const l = Array.from({ length: LANES }, (_, i) => i);
  const step = (s: string) =>
    `{ const k${s} = nb + i${s}; const s${s} = split[k${s}]; const v${s} = x[o${s} + (s${s} >> 1)]; ` +
    `i${s} = 2 * i${s} + 2 - ((+(v${s} < threshold[k${s}])) | ((+(v${s} !== v${s})) & s${s})); }`;
  const walk = (depth: number) => `function walk${depth}(x, b, e, out, nb, lb, g) {
    let r = b;
    for (; r + ${LANES} <= e; r += ${LANES}) {
      ${l.map((i) => `const o${i} = (r + ${i}) * nf; let i${i} = 0;`).join(' ')}
      ${Array.from({ length: depth }, () => l.map((i) => step(String(i))).join('\n      ')).join('\n      ')}
      ${l.map((i) => `out[(r + ${i}) * no + g] = Math.fround(out[(r + ${i}) * no + g] + leaf[lb + i${i}]);`).join('\n      ')}
    }
    for (; r < e; r++) {
      const o_ = r * nf; let i_ = 0;
      for (let d = 0; d < ${depth}; d++) ${step('_')}
      out[r * no + g] = Math.fround(out[r * no + g] + leaf[lb + i_]);
    }
  }`;
  return `(function (forest) {
  'use strict';
  const depth = forest.depth, nodeStart = forest.nodeStart, leafStart = forest.leafStart, group = forest.group;
  const split = forest.split, threshold = forest.threshold, leaf = forest.leaf;
  const trees = depth.length, nf = forest.numFeature, no = forest.numOutputs;
  ${distinct.map(walk).join('\n  ')}
  return function margins(x, start, end, out) {
    for (let b = start; b < end; b += ${ROWS_PER_BLOCK}) {
      const e = Math.min(end, b + ${ROWS_PER_BLOCK});
      for (let t = 0; t < trees; t++) {
        const D = depth[t], nb = nodeStart[t], lb = leafStart[t] - ((1 << D) - 1), g = group[t];
        switch (D) {
          ${distinct.map((d) => `case ${d}: walk${d}(x, b, e, out, nb, lb, g); break;`).join('\n          ')}
        }
      }
    }
  };
})`;
}
