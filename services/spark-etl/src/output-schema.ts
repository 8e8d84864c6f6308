import type { ManifestColumn } from '@lakepipe/lake';
import type { DatasetContractPart } from '@lakepipe/workflow';
import type { TransformModel } from './spec/model';
import { typeName } from './spec/types';

/**
 * The columns of curated/ Parquet, in the order both engines write them: the declared and derived
 * columns (partition columns last), then the lineage columns run_id and source_file.
 */
export function curatedSchemaOf(model: TransformModel): ManifestColumn[] {
  const data = [
    ...model.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
    ...model.derived.map((d) => ({ name: d.name, type: typeName(d.type) })),
  ];
  const partitions = model.partitionBy.map((p) => data.find((c) => c.name === p)!);
  return [
    ...data.filter((c) => !model.partitionBy.includes(c.name)),
    { name: 'run_id', type: 'string' },
    { name: 'source_file', type: 'string' },
    ...partitions,
  ];
}

/** The columns of features/ CSV (no header): the id column, then each feature, as the model reads them. */
export function featuresSchemaOf(model: TransformModel): ManifestColumn[] {
  if (!model.idColumn || model.features.length === 0) return [];
  const typeOf = (name: string) => {
    const column = model.columns.find((c) => c.name === name) ?? model.derived.find((d) => d.name === name);
    return column ? typeName(column.type) : 'string';
  };
  return [model.idColumn, ...model.features].map((name) => ({ name, type: typeOf(name) }));
}

/** The schema the ETL's manifest records: curated and, when the dataset has features, features. */
export function etlOutputSchema(model: TransformModel): Record<string, ManifestColumn[]> {
  const features = featuresSchemaOf(model);
  return { curated: curatedSchemaOf(model), ...(features.length > 0 ? { features } : {}) };
}

/**
 * What spark-etl publishes about its dataset for other stages (PipelineModel.contracts): the
 * curated data columns (declared, then derived, each with the type the ETL casts it to: `d * 2`
 * is a double) and the features columns. view builds its tables and the Athena DDL from these.
 */
export function etlContract(model: TransformModel): DatasetContractPart {
  const features = featuresSchemaOf(model);
  return {
    dataset: model.dataset,
    curated: [
      ...model.columns.map((c) => ({ name: c.name, type: typeName(c.type) })),
      ...model.derived.map((d) => ({ name: d.name, type: typeName(d.type) })),
    ],
    ...(features.length > 0 ? { features } : {}),
  };
}
