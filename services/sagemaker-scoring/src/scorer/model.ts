import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '../errors';

export const SUPPORTED_OBJECTIVES = [
  'binary:logistic',
  'reg:squarederror',
  'reg:logistic',
  'multi:softprob',
] as const;
export type Objective = (typeof SUPPORTED_OBJECTIVES)[number];

/** One regression tree in flat arrays (node i's children are node indexes; -1 = leaf). */
export interface FlatTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly feature: Int32Array;
  /** float32 split thresholds; for a leaf, its value */
  readonly value: Float32Array;
  readonly defaultLeft: Uint8Array;
  /** the output (class) the tree adds to */
  readonly group: number;
}

/** An XGBoost gbtree model reduced to what prediction needs. */
export interface TreeModel {
  /** where it came from, for messages */
  readonly source: string;
  readonly objective: Objective;
  readonly numFeature: number;
  /** 1 for the regression/binary objectives, num_class for multi:softprob */
  readonly numOutputs: number;
  /** the margin every output starts from (base_score, turned into a margin for logistic objectives) */
  readonly baseMargin: Float32Array;
  readonly trees: readonly FlatTree[];
  /** the XGBoost version that saved the model */
  readonly version: readonly number[];
}

const f32 = Math.fround;

/** Reads and checks an XGBoost JSON model file (`Booster.save_model('x.json')`, XGBoost >= 1.7). */
export async function loadModel(file: string): Promise<TreeModel> {
  const text = await readFile(file, 'utf8');
  return parseModel(text, file);
}

/** Parses the text of an XGBoost JSON model; `source` names it in errors. */
export function parseModel(text: string, source: string): TreeModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(
      source,
      '(file)',
      `is not XGBoost JSON: ${(error as Error).message} (save the model with Booster.save_model('model.json'); binary and UBJSON models are not read)`,
    );
  }
  return modelOfJson(json, source);
}

/** The model in an already parsed XGBoost JSON document (a caller that needs the JSON too parses it once). */
export function modelOfJson(json: unknown, source: string): TreeModel {
  const learner = field(json, 'learner', source, 'learner');
  const booster = field(learner, 'gradient_booster', source, 'learner.gradient_booster');
  const boosterName = field(booster, 'name', source, 'learner.gradient_booster.name');
  if (boosterName !== 'gbtree')
    throw new ModelFormatError(
      source,
      'learner.gradient_booster.name',
      `is ${JSON.stringify(boosterName)}; only gbtree boosters are supported (not gblinear or dart)`,
    );

  const objectiveName = field(
    field(learner, 'objective', source, 'learner.objective'),
    'name',
    source,
    'learner.objective.name',
  );
  if (!(SUPPORTED_OBJECTIVES as readonly unknown[]).includes(objectiveName))
    throw new ModelFormatError(
      source,
      'learner.objective.name',
      `is ${JSON.stringify(objectiveName)}; supported objectives: ${SUPPORTED_OBJECTIVES.join(', ')}`,
    );
  const objective = objectiveName as Objective;

  const params = field(learner, 'learner_model_param', source, 'learner.learner_model_param');
  const numClass = integerParam(params, 'num_class', source);
  const numFeature = integerParam(params, 'num_feature', source);
  const numTarget = 'num_target' in (params as object) ? integerParam(params, 'num_target', source) : 1;
  if (numTarget > 1)
    throw new ModelFormatError(
      source,
      'learner.learner_model_param.num_target',
      `is ${numTarget}; multi-target models are not supported`,
    );
  const numOutputs = objective === 'multi:softprob' ? numClass : 1;
  if (objective === 'multi:softprob' && numClass < 2)
    throw new ModelFormatError(
      source,
      'learner.learner_model_param.num_class',
      `is ${numClass}; multi:softprob needs at least 2 classes`,
    );

  const baseScores = parseBaseScore(
    field(params, 'base_score', source, 'learner.learner_model_param.base_score'),
    source,
  );
  if (baseScores.length !== 1 && baseScores.length !== numOutputs)
    throw new ModelFormatError(
      source,
      'learner.learner_model_param.base_score',
      `has ${baseScores.length} values for ${numOutputs} outputs`,
    );
  const baseMargin = new Float32Array(numOutputs);
  for (let k = 0; k < numOutputs; k++)
    baseMargin[k] = probToMargin(objective, baseScores[baseScores.length === 1 ? 0 : k]!, source);

  const model = field(booster, 'model', source, 'learner.gradient_booster.model');
  const rawTrees = field(model, 'trees', source, 'learner.gradient_booster.model.trees');
  const treeInfo = field(model, 'tree_info', source, 'learner.gradient_booster.model.tree_info');
  if (!Array.isArray(rawTrees) || !Array.isArray(treeInfo) || rawTrees.length !== treeInfo.length)
    throw new ModelFormatError(
      source,
      'learner.gradient_booster.model.tree_info',
      'must be an array with one entry per tree',
    );
  const trees = rawTrees.map((tree, t) =>
    flattenTree(tree, Number(treeInfo[t]), numOutputs, numFeature, source, t),
  );
  const version = Array.isArray((json as { version?: unknown }).version)
    ? ((json as { version: number[] }).version as number[])
    : [];
  return { source, objective, numFeature, numOutputs, baseMargin, trees, version };
}

/** XGBoost keeps base_score as a probability for logistic objectives; the trees add to its logit. */
function probToMargin(objective: Objective, baseScore: number, source: string): number {
  if (objective === 'binary:logistic' || objective === 'reg:logistic') {
    const b = f32(baseScore);
    if (!(b > 0 && b < 1))
      throw new ModelFormatError(
        source,
        'learner.learner_model_param.base_score',
        `is ${baseScore}; a logistic objective needs 0 < base_score < 1`,
      );
    // XGBoost: -logf(1.0f / base_score - 1.0f), in float32
    return f32(-Math.log(f32(f32(1 / b) - 1)));
  }
  return f32(baseScore);
}

/** `"5E-1"` (XGBoost 1.x/2.x) or `"[5E-1]"` / `"[1E0,2E0]"` (XGBoost 3.x vector base scores). */
function parseBaseScore(value: unknown, source: string): number[] {
  const text = String(value).trim();
  const parts = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1).split(',') : [text];
  const numbers = parts.map((p) => Number(p.trim()));
  if (numbers.length === 0 || numbers.some((n, i) => parts[i]!.trim() === '' || !Number.isFinite(n)))
    throw new ModelFormatError(
      source,
      'learner.learner_model_param.base_score',
      `is ${JSON.stringify(value)}; expected a number`,
    );
  return numbers;
}

function flattenTree(
  tree: unknown,
  group: number,
  numOutputs: number,
  numFeature: number,
  source: string,
  index: number,
): FlatTree {
  const at = `learner.gradient_booster.model.trees[${index}]`;
  if (!Number.isInteger(group) || group < 0 || group >= numOutputs)
    throw new ModelFormatError(
      source,
      `learner.gradient_booster.model.tree_info[${index}]`,
      `is ${group}; expected a class between 0 and ${numOutputs - 1}`,
    );
  const param = field(tree, 'tree_param', source, `${at}.tree_param`) as Record<string, unknown>;
  if (Number(param.size_leaf_vector ?? 0) > 1)
    throw new ModelFormatError(
      source,
      `${at}.tree_param.size_leaf_vector`,
      'is above 1; vector-leaf (multi-output) trees are not supported',
    );
  const left = numberArray(tree, 'left_children', source, at);
  const right = numberArray(tree, 'right_children', source, at);
  const feature = numberArray(tree, 'split_indices', source, at);
  const conditions = numberArray(tree, 'split_conditions', source, at);
  const defaultLeft = numberArray(tree, 'default_left', source, at);
  const splitType = (tree as { split_type?: unknown }).split_type;
  const n = left.length;
  for (const [name, array] of [
    ['right_children', right],
    ['split_indices', feature],
    ['split_conditions', conditions],
    ['default_left', defaultLeft],
  ] as const) {
    if (array.length !== n)
      throw new ModelFormatError(source, `${at}.${name}`, `has ${array.length} entries; expected ${n}`);
  }
  if (Array.isArray(splitType) && splitType.some((s) => s !== 0))
    throw new ModelFormatError(
      source,
      `${at}.split_type`,
      'has a categorical split; only numerical splits are supported',
    );
  for (let i = 0; i < n; i++) {
    const isLeaf = left[i] === -1;
    if (isLeaf) continue;
    if (!(inTree(left[i]!, i, n) && inTree(right[i]!, i, n)))
      throw new ModelFormatError(source, `${at}.left_children[${i}]`, 'points outside the tree');
    if (!(feature[i]! >= 0 && feature[i]! < numFeature))
      throw new ModelFormatError(
        source,
        `${at}.split_indices[${i}]`,
        `is ${feature[i]}; the model has ${numFeature} features`,
      );
  }
  return {
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    feature: Int32Array.from(feature),
    value: Float32Array.from(conditions),
    defaultLeft: Uint8Array.from(defaultLeft),
    group,
  };
}

function inTree(child: number, parent: number, n: number): boolean {
  return Number.isInteger(child) && child >= 0 && child < n && child !== parent;
}

function field(parent: unknown, name: string, source: string, path: string): unknown {
  if (parent === null || typeof parent !== 'object' || !(name in parent))
    throw new ModelFormatError(
      source,
      path,
      'is missing; this is not an XGBoost JSON model (save it with Booster.save_model("model.json"))',
    );
  return (parent as Record<string, unknown>)[name];
}

function integerParam(params: unknown, name: string, source: string): number {
  const path = `learner.learner_model_param.${name}`;
  const raw = field(params, name, source, path);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ModelFormatError(source, path, `is ${JSON.stringify(raw)}; expected a whole number`);
  return value;
}

function numberArray(tree: unknown, name: string, source: string, at: string): number[] {
  const value = field(tree, name, source, `${at}.${name}`);
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
    throw new ModelFormatError(source, `${at}.${name}`, 'must be an array of numbers');
  return value as number[];
}
