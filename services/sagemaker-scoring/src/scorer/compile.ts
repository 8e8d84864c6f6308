import { ModelFormatError } from '../errors';
import type { FlatTree, TreeModel } from './model';

/**
 * Adds every tree's leaf to the margins of rows [start, end): `x` holds `numFeature` float32
 * values per row (NaN = missing), `out` holds `numOutputs` margins per row, pre-filled with the
 * base margin. Accumulation is float32, tree by tree in model order, as XGBoost's CPU predictor does.
 */
export type MarginKernel = (x: Float32Array, start: number, end: number, out: Float32Array) => void;

/**
 * Nodes per generated function. Small functions, each looping over a block of rows, get
 * optimised by V8 within the first block; a few large ones stay in the interpreter for seconds.
 */
const NODES_PER_FUNCTION = 256;
/** Rows per block: the block's features and margins stay in the CPU cache across the trees. */
const ROWS_PER_BLOCK = 2048;

/**
 * Compiles the trees into straight-line JavaScript: one nested `if` per split, the float32
 * threshold inlined, the missing-value direction folded into the comparison (`v < t` sends NaN
 * right, `!(v >= t)` sends it left). Returns the source of an expression that evaluates to a
 * MarginKernel, so worker threads can compile the same code.
 */
export function compileMarginSource(model: TreeModel): string {
  const chunks: FlatTree[][] = [[]];
  let nodes = 0;
  for (const tree of model.trees) {
    if (nodes > 0 && nodes + tree.left.length > NODES_PER_FUNCTION) {
      chunks.push([]);
      nodes = 0;
    }
    chunks.at(-1)!.push(tree);
    nodes += tree.left.length;
  }
  const functions = chunks
    .filter((c) => c.length > 0)
    .map((trees, i) => chunkSource(`chunk${i}`, trees, model));
  const calls = functions.map((_, i) => `chunk${i}(x, b, e, out);`).join('\n      ');
  return [
    '(function () {',
    "  'use strict';",
    '  const f = Math.fround;',
    ...functions,
    '  return function margins(x, start, end, out) {',
    `    for (let b = start; b < end; b += ${ROWS_PER_BLOCK}) {`,
    `      const e = Math.min(end, b + ${ROWS_PER_BLOCK});`,
    `      ${calls}`,
    '    }',
    '  };',
    '})()',
  ].join('\n');
}

/** Evaluates compiled source (from compileMarginSource) into a callable kernel. */
export function kernelFromSource(source: string): MarginKernel {
  // The source is generated from validated numbers and indexes only (see compileMarginSource).
  return new Function(`return ${source};`)() as MarginKernel;
}

function chunkSource(name: string, trees: readonly FlatTree[], model: TreeModel): string {
  const groups = [...new Set(trees.map((t) => t.group))].sort((a, b) => a - b);
  const used = [...new Set(trees.flatMap((t) => usedFeatures(t)))].sort((a, b) => a - b);
  const nf = model.numFeature;
  const no = model.numOutputs;
  // Each feature the trees test is read once per row into a local.
  const features = used.map((k) => `const v${k} = x[o + ${k}];`).join(' ');
  const load = groups.map((g) => `let s${g} = out[r * ${no} + ${g}];`).join(' ');
  const store = groups.map((g) => `out[r * ${no} + ${g}] = s${g};`).join(' ');
  const body = trees.map((tree) => treeSource(tree, model.source)).join('\n      ');
  return `  function ${name}(x, start, end, out) {
    for (let r = start; r < end; r++) {
      const o = r * ${nf};
      ${features}
      ${load}
      ${body}
      ${store}
    }
  }`;
}

function usedFeatures(tree: FlatTree): number[] {
  const used: number[] = [];
  for (let i = 0; i < tree.left.length; i++) if (tree.left[i] !== -1) used.push(tree.feature[i]!);
  return used;
}

function treeSource(tree: FlatTree, source: string): string {
  const parts: string[] = [];
  const visit = (node: number, depth: number): void => {
    if (depth > tree.left.length)
      throw new ModelFormatError(source, 'learner.gradient_booster.model.trees', 'contains a cycle');
    if (tree.left[node] === -1) {
      parts.push(`s${tree.group} = f(s${tree.group} + ${num(tree.value[node]!)});`);
      return;
    }
    const v = `v${tree.feature[node]}`;
    const t = num(tree.value[node]!);
    parts.push(tree.defaultLeft[node] ? `if (!(${v} >= ${t})) {` : `if (${v} < ${t}) {`);
    visit(tree.left[node]!, depth + 1);
    parts.push('} else {');
    visit(tree.right[node]!, depth + 1);
    parts.push('}');
  };
  visit(0, 0);
  return parts.join(' ');
}

/** A float32 value as a JS literal that reads back to exactly that value. */
function num(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** The same computation walking the flat arrays: the reference the compiled code is tested against. */
export function interpretMargins(
  model: TreeModel,
  x: Float32Array,
  start: number,
  end: number,
  out: Float32Array,
): void {
  const nf = model.numFeature;
  const no = model.numOutputs;
  for (let r = start; r < end; r++) {
    const o = r * nf;
    for (const tree of model.trees) {
      let node = 0;
      while (tree.left[node] !== -1) {
        const v = x[o + tree.feature[node]!]!;
        const goLeft = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v < tree.value[node]!;
        node = goLeft ? tree.left[node]! : tree.right[node]!;
      }
      const k = r * no + tree.group;
      out[k] = Math.fround(out[k]! + tree.value[node]!);
    }
  }
}
