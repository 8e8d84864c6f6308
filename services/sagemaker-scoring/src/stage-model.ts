import { readFileSync } from 'node:fs';
import { ModelFileError, ModelFormatError } from './errors';
import { readModelFile, resolveModel } from './model-file';

/** The attributes of a scoring stage this module reads (stage-type.ts's schema). */
interface ModelAttributes {
  readonly dataset: string;
  readonly model?: string;
  readonly flagClass?: number | string;
  readonly classNames?: readonly string[];
}

/** What a stage's model writes after the id: its score columns, and the class `flagged` is on. */
export interface ScoredOutputs {
  /** `score` for one output; `score_<k>` or `score_<className>` per class */
  readonly columns: readonly string[];
  /** 0-based output `flagged` compares (a multi-class `flagClass`); absent: the single score, or none */
  readonly flagIndex?: number;
  /** columns[flagIndex] */
  readonly flagColumn?: string;
}

/** How many outputs the stage's model has: read from a local file; an s3:// model (or an unreadable file) by its classNames, else 1. */
function modelOutputs(attributes: ModelAttributes, pipelineFile: string | undefined): number {
  const location = resolveModel(attributes.model, pipelineFile);
  if (location.kind === 'file') {
    try {
      return readModelFile(location.file).model.numOutputs;
    } catch {
      // validate reports the file; the contract falls back like an s3:// model
    }
  }
  return attributes.classNames?.length ?? 1;
}

/** The score columns a stage writes and the class its rows are flagged on. */
export function scoredOutputs(attributes: ModelAttributes, pipelineFile: string | undefined): ScoredOutputs {
  const outputs = modelOutputs(attributes, pipelineFile);
  if (outputs === 1) return { columns: ['score'] };
  const names =
    attributes.classNames?.length === outputs
      ? attributes.classNames.map((n) => `score_${n}`)
      : Array.from({ length: outputs }, (_, k) => `score_${k}`);
  const flagIndex = classIndex(attributes.flagClass, attributes.classNames, outputs);
  return flagIndex === undefined
    ? { columns: names }
    : { columns: names, flagIndex, flagColumn: names[flagIndex]! };
}

function classIndex(
  flagClass: number | string | undefined,
  classNames: readonly string[] | undefined,
  outputs: number,
): number | undefined {
  if (flagClass === undefined) return undefined;
  const index = typeof flagClass === 'number' ? flagClass : (classNames?.indexOf(flagClass) ?? -1);
  return index >= 0 && index < outputs ? index : undefined;
}

type Problem = { readonly path: readonly (string | number)[]; readonly message: string };

/**
 * `lakepipe validate`'s checks of a stage's model against its dataset: the file is there and is an
 * XGBoost model with a supported objective, it reads as many features as the dataset declares (and
 * the same names, in order, where the model stores `feature_names`), and `flagClass`/`classNames` fit
 * its classes. An s3:// model is checked at deploy time by SageMaker: only the attributes are checked.
 */
export function modelProblems(
  attributes: ModelAttributes,
  features: readonly string[],
  pipelineFile: string | undefined,
): Problem[] {
  const at = attributes.model === undefined ? ['dataset'] : ['model'];
  const label = attributes.model === undefined ? 'the shipped model' : JSON.stringify(attributes.model);
  const location = resolveModel(attributes.model, pipelineFile);
  const ds = JSON.stringify(attributes.dataset);
  if (location.kind === 's3') {
    if (typeof attributes.flagClass === 'string' && attributes.classNames === undefined)
      return [
        {
          path: ['flagClass'],
          message: `flagClass ${JSON.stringify(attributes.flagClass)} names a class, but the stage declares no classNames`,
        },
      ];
    return classProblems(attributes, attributes.classNames?.length ?? 1, label);
  }
  let read: ReturnType<typeof readModelFile>;
  try {
    read = readModelFile(location.file, attributes.model ?? location.file);
  } catch (error) {
    if (error instanceof ModelFileError) return [{ path: at, message: error.message }];
    if (error instanceof ModelFormatError)
      return [{ path: at, message: `model ${label} cannot be used: ${error.message}` }];
    throw error;
  }
  const { model, featureNames } = read;
  const problems: Problem[] = [];
  if (model.numFeature !== features.length)
    problems.push({
      path: at,
      message: `model ${label} reads ${model.numFeature} features, but dataset ${ds} declares ${features.length} (${features.join(', ')})`,
    });
  else if (featureNames?.some((name, i) => name !== features[i])) {
    const i = featureNames.findIndex((name, k) => name !== features[k]);
    problems.push({
      path: at,
      message: `model ${label} was trained on features ${featureNames.join(', ')}; dataset ${ds} declares ${features.join(', ')} (feature ${i + 1}: model ${JSON.stringify(featureNames[i])}, dataset ${JSON.stringify(features[i])}); the features must be the same, in the same order`,
    });
  }
  problems.push(...classProblems(attributes, model.numOutputs, `model ${label} (${model.objective})`));
  return problems;
}

function classProblems(attributes: ModelAttributes, outputs: number, label: string): Problem[] {
  const problems: Problem[] = [];
  if (outputs === 1) {
    if (attributes.flagClass !== undefined)
      problems.push({
        path: ['flagClass'],
        message: `${label} has one score, not classes: remove flagClass (threshold applies to the score)`,
      });
    if (
      attributes.classNames !== undefined &&
      attributes.model !== undefined &&
      !attributes.model.startsWith('s3://')
    )
      problems.push({
        path: ['classNames'],
        message: `${label} has one score, not classes: remove classNames`,
      });
    return problems;
  }
  if (attributes.classNames !== undefined && attributes.classNames.length !== outputs)
    problems.push({
      path: ['classNames'],
      message: `names ${attributes.classNames.length} classes; ${label} has ${outputs}`,
    });
  const flag = attributes.flagClass;
  if (typeof flag === 'number' && flag >= outputs)
    problems.push({
      path: ['flagClass'],
      message: `is class ${flag}; ${label} has classes 0 to ${outputs - 1}`,
    });
  if (typeof flag === 'string' && !(attributes.classNames ?? []).includes(flag))
    problems.push({
      path: ['flagClass'],
      message: `names class ${JSON.stringify(flag)}, which is not one of classNames (${(attributes.classNames ?? []).join(', ') || 'none declared'})`,
    });
  return problems;
}

/**
 * The local model file a stage scores with on the twin (and `lakepipe score`): its `model:` resolved
 * against pipeline.yaml's folder. An s3:// model is a ModelFileError naming the stage and the line.
 */
export function stageModel(
  stageId: string,
  attributes: Pick<ModelAttributes, 'model'>,
  pipelineFile: string | undefined,
): string {
  const location = resolveModel(attributes.model, pipelineFile);
  if (location.kind === 'file') return location.file;
  const where = pipelineFile === undefined ? '' : ` (${pipelineFile}${lineOf(pipelineFile, location.uri)})`;
  throw new ModelFileError(
    location.uri,
    `of stage ${stageId}${where} is in S3: the local twin scores with a local file; download it (aws s3 cp ${location.uri} .), unpack xgboost-model from model.tar.gz, and set model: to its path`,
  );
}

/** `:<line>` of the first line naming `text` in the file, or nothing. */
function lineOf(file: string, text: string): string {
  try {
    const index = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(text));
    return index < 0 ? '' : `:${index + 1}`;
  } catch {
    return '';
  }
}
