import type { CompileTarget, StagePermission } from '../stage-type';
import type { AslState } from './types';

/** The step key of the compiler's manifest read: a stage type may not use it for its own step. */
export const MANIFEST_STEP_KEY = 'manifest';

/** Where the manifest read puts the parsed manifest, under `$.<stageId>`. */
export const MANIFEST_FIELD = 'manifest';

/**
 * The one step the compiler adds after every stage that writes a manifest: an S3 GetObject of
 * `_manifests/run=<runId>/<stageId>.json` whose ResultSelector parses the Body, so the state
 * holds `$.<stageId>.manifest` (the attempt-succeeded step then keeps only its `counts`).
 */
export function manifestReadState(target: CompileTarget, stageId: string): AslState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
    Comment: `Read what ${stageId} did from _manifests/run=<runId>/${stageId}.json`,
    Parameters: {
      Bucket: target.lakeBucket,
      'Key.$': `States.Format('_manifests/run={}/${stageId}.json', $.runId)`,
    },
    ResultSelector: { [`${MANIFEST_FIELD}.$`]: 'States.StringToJson($.Body)' },
  };
}

/**
 * What the state machine's role needs for the manifest read of a stage: GetObject on that stage's
 * manifests only (decrypting uses the role's grant on the lake key).
 */
export function manifestReadPermission(target: CompileTarget, stageId: string): StagePermission {
  return {
    actions: ['s3:GetObject'],
    resources: [`arn:aws:s3:::${target.lakeBucket}/_manifests/run=*/${stageId}.json`],
  };
}
