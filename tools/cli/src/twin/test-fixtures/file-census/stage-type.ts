// A stage type built only through the public API (@lakepipe/workflow, @lakepipe/lake), the way
// docs/adding-a-stage-type.md describes: it proves a new type needs its own folder plus one
// line in the registry (here: the twin's `stageTypes` option, in a service: packages/stages).
import { lakePrefixes, runIdDate, writeStageManifest } from '@lakepipe/lake';
import { type StageType, safeNameSchema } from '@lakepipe/workflow';
import { z } from 'zod';

const fileCensusAttributes = z.strictObject({
  /** the dataset whose landed raw/ files of the run are counted */
  dataset: safeNameSchema,
});
export type FileCensusAttributes = z.infer<typeof fileCensusAttributes>;

/** `lakepipe-<env>-file-census`: the Lambda a cloud deployment would add in the type's own infra/. */
const functionArn = (target: { region: string; accountId: string; resourceName(c: string): string }) =>
  `arn:aws:lambda:${target.region}:${target.accountId}:function:${target.resourceName('file-census')}`;

/** `type: file-census`: counts the files and bytes a run landed in raw/<dataset>/ and writes its manifest. */
export const fileCensusStageType: StageType<FileCensusAttributes> = {
  type: 'file-census',
  description: 'counts the raw files and bytes a run landed for one dataset',
  attributes: fileCensusAttributes,
  counts: ['files', 'bytes'],
  validate: ({ attributes, datasets }) =>
    attributes.dataset in datasets
      ? []
      : [{ path: ['dataset'], message: `dataset "${attributes.dataset}" is not declared under datasets:` }],
  compile: ({ stageId, attributes, target }) => [
    {
      key: 'count',
      state: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Comment: `file-census: count raw/${attributes.dataset}/ of the run`,
        Parameters: {
          FunctionName: functionArn(target),
          Payload: { 'runId.$': '$.runId', stageId, dataset: attributes.dataset },
        },
      },
    },
  ],
  permissions: ({ target }) => [{ actions: ['lambda:InvokeFunction'], resources: [functionArn(target)] }],
  local: {
    count: async ({ runId, stageId, attributes }, context) => {
      const startedAt = new Date();
      const prefix = lakePrefixes.raw(attributes.dataset, runIdDate(runId), runId);
      const outputs: string[] = [];
      let bytes = 0;
      for await (const object of context.store.listAll(prefix)) {
        outputs.push(object.key);
        bytes += object.bytes;
      }
      // the one manifest writer: counts, the files with bytes and sha256, timings
      const manifest = await writeStageManifest(context.store, {
        runId,
        stageId,
        stageType: 'file-census',
        engine: 'local',
        counts: { files: outputs.length, bytes },
        outputs,
        startedAt,
      });
      return { Payload: manifest.counts };
    },
  },
};
