/** A column a stage writes, with its lake type (string, int, bigint, double, boolean, date, timestamp, decimal(p,s)). */
export interface ContractColumn {
  readonly name: string;
  readonly type: string;
}

/** What a scoring stage writes for a dataset: its columns, and how a row is flagged. */
export interface ScoredContract {
  /** in file order: the id column, then one score column per model output */
  readonly columns: readonly ContractColumn[];
  /** a row is flagged when its score (`flagColumn`'s, or the single score) is >= threshold */
  readonly threshold: number;
  /**
   * The score column `flagged` compares with the threshold: a multi-class model's named class
   * (the scoring stage's `flagClass`).
   * @default the single score column; with several classes and none named, no row is flagged (null)
   */
  readonly flagColumn?: string;
  /** the model's outputs: 1 for regression and binary classification, k for k classes */
  readonly classes: number;
}

/**
 * The facts about one dataset that stages publish for other stages, as typed data: what
 * spark-etl writes to curated/ and features/, what scoring writes to scored/. view (tables,
 * Athena DDL, the twin's DuckDB tables) reads them here instead of re-deriving them.
 */
export interface DatasetContract {
  readonly dataset: string;
  /** curated/ data columns in order (declared, then derived), each with the type the ETL writes */
  readonly curated?: readonly ContractColumn[];
  /** features/ CSV columns (no header): the id, then each feature */
  readonly features?: readonly ContractColumn[];
  readonly scored?: ScoredContract;
}

/** One stage's part of a dataset's contract (StageType.contract). */
export type DatasetContractPart = Partial<Omit<DatasetContract, 'dataset'>> & { readonly dataset: string };

/** A row is flagged at this score when the scoring stage sets no threshold. */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * Merges the parts stages publish into one contract per dataset. A part that two stages publish
 * differently (two scoring stages with different thresholds) is a conflict: `onConflict` names it.
 */
export function mergeDatasetContracts(
  parts: readonly { readonly stageId: string; readonly part: DatasetContractPart }[],
  onConflict: (stageId: string, message: string) => void,
): Record<string, DatasetContract> {
  const contracts: Record<string, DatasetContract> = {};
  const publishedBy = new Map<string, string>();
  for (const { stageId, part } of parts) {
    const merged: Record<string, unknown> = { ...(contracts[part.dataset] ?? { dataset: part.dataset }) };
    for (const [key, value] of Object.entries(part)) {
      if (key === 'dataset' || value === undefined) continue;
      const id = `${part.dataset}.${key}`;
      const earlier = publishedBy.get(id);
      if (earlier !== undefined && JSON.stringify(merged[key]) !== JSON.stringify(value)) {
        onConflict(
          stageId,
          `publishes ${key} of dataset ${part.dataset} differently from stage ${earlier} (${JSON.stringify(value)} vs ${JSON.stringify(merged[key])}); one dataset has one ${key}`,
        );
        continue;
      }
      publishedBy.set(id, stageId);
      merged[key] = value;
    }
    contracts[part.dataset] = merged as unknown as DatasetContract;
  }
  return contracts;
}
