import { assertSafeName, isSafeName } from '@lakepipe/lake';
import { DEFAULT_THRESHOLD, type PipelineModel } from '@lakepipe/workflow';
import { UnknownRelationError, ViewConfigError, ViewSqlError } from './errors';
import { validateViewSql } from './sql/validate';
import {
  currentViewName,
  datasetTables,
  type LakeTable,
  latestViewName,
  rejectsSummaryViewName,
  tableName,
} from './tables';

export interface ViewDefinition {
  readonly name: string;
  /** one SELECT in the dialect both engines share (validated), without `;` */
  readonly sql: string;
  readonly description?: string;
  readonly origin: 'built-in' | 'declared';
  /** the dataset a built-in view belongs to */
  readonly dataset?: string;
  /** the tables and views the SELECT reads */
  readonly dependsOn: readonly string[];
}

/** Every table and view of a pipeline, views in dependency order (a view after what it reads). */
export interface LakeCatalog {
  readonly tables: readonly LakeTable[];
  readonly views: readonly ViewDefinition[];
}

/** What the catalog needs of a pipeline (a PipelineModel fits): the datasets' contracts give the stages' columns. */
export type CatalogSource = Pick<PipelineModel, 'datasets' | 'views' | 'stages' | 'contracts'> & {
  readonly sourceFile?: string;
};

/** A SQL-safe double-quoted identifier; throws InvalidNameError for anything else. */
export function quoteIdentifier(name: string): string {
  return `"${assertSafeName('identifier', name)}"`;
}

/** A finite number as a SQL literal both engines read as a number. */
export function numberLiteral(value: number, what: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ViewConfigError([`${what} must be a finite number (got ${JSON.stringify(value)})`]);
  return String(value);
}

/** How `<dataset>_latest` flags a row: the threshold the scoring stage published in the dataset's contract. */
interface ScoringSettings {
  readonly threshold: number;
  /** the class column a multi-class score is flagged on (the scoring stage's `flagClass`) */
  readonly flagColumn?: string;
}

/** `flagged`: the single score (or the named class's) >= threshold; several classes and none named: null. */
function flaggedSql(scoreColumns: readonly string[], threshold: string, settings?: ScoringSettings): string {
  if (settings?.flagColumn !== undefined) return `s.${quoteIdentifier(settings.flagColumn)} >= ${threshold}`;
  return scoreColumns.length === 1 ? `${scoreColumns[0]} >= ${threshold}` : 'CAST(NULL AS BOOLEAN)';
}

/** `<dataset>_latest`: the newest run's curated rows, each with its score and flag (null when not scored). */
export function latestViewSql(
  table: { curated: LakeTable; scored: LakeTable },
  idColumn: string,
  settings?: ScoringSettings,
): string {
  const curated = quoteIdentifier(table.curated.name);
  const scored = quoteIdentifier(table.scored.name);
  const id = quoteIdentifier(idColumn);
  const scoreColumns = table.scored.columns.slice(1).map((c) => `s.${quoteIdentifier(c.name)}`);
  const threshold = numberLiteral(settings?.threshold ?? DEFAULT_THRESHOLD, 'threshold');
  // One score column (or the named class): flagged = score >= threshold.
  const flagged = flaggedSql(scoreColumns, threshold, settings);
  return [
    `SELECT c.*, ${scoreColumns.join(', ')}, ${flagged} AS "flagged"`,
    `FROM ${curated} AS c`,
    `LEFT JOIN ${scored} AS s`,
    `  ON s."id" = c.${id} AND s."run" = c."run_id"`,
    `WHERE c."run_id" = (SELECT MAX("run_id") FROM ${curated})`,
  ].join('\n');
}

/**
 * `<dataset>_current`: the table an analyst means by "the data": for each value of the dataset's
 * `unique` column, its row from the newest run that had it (`unique` holds per run; this view makes
 * it hold across runs), with that run's score and flag. `_latest` stays "the newest run only".
 */
export function currentViewSql(
  table: { curated: LakeTable; scored: LakeTable },
  keyColumn: string,
  settings?: ScoringSettings,
): string {
  const curated = quoteIdentifier(table.curated.name);
  const scored = quoteIdentifier(table.scored.name);
  const key = quoteIdentifier(keyColumn);
  const columns = [...table.curated.columns, ...table.curated.partitionKeys].map(
    (c) => `c.${quoteIdentifier(c.name)}`,
  );
  const scoreColumns = table.scored.columns.slice(1).map((c) => `s.${quoteIdentifier(c.name)}`);
  const threshold = numberLiteral(settings?.threshold ?? DEFAULT_THRESHOLD, 'threshold');
  const flagged = flaggedSql(scoreColumns, threshold, settings);
  return [
    `SELECT ${[...columns, ...scoreColumns].join(', ')}, ${flagged} AS "flagged"`,
    'FROM (',
    `  SELECT *, ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY "run_id" DESC) AS "newest_first"`,
    `  FROM ${curated}`,
    ') AS c',
    `LEFT JOIN ${scored} AS s`,
    `  ON s."id" = c.${key} AND s."run" = c."run_id"`,
    'WHERE c."newest_first" = 1',
  ].join('\n');
}

/** `<dataset>_rejects_summary`: rejected rows by run, column and rule. */
export function rejectsSummaryViewSql(rejected: LakeTable): string {
  return [
    'SELECT "run_id", "reason_column", "reason_rule", COUNT(*) AS "rejected_rows"',
    `FROM ${quoteIdentifier(rejected.name)}`,
    'GROUP BY "run_id", "reason_column", "reason_rule"',
  ].join('\n');
}

/**
 * Builds and checks every table and view of a pipeline: names are safe and unique, every
 * view's SQL is in the shared dialect and reads only tables and views that exist, and there
 * are no cycles. Collects every problem and throws one ViewConfigError; a single SQL problem
 * is thrown as its own ViewSqlError / UnknownRelationError.
 */
export function buildLakeCatalog(source: CatalogSource): LakeCatalog {
  const problems: string[] = [];
  const sqlErrors: Error[] = [];
  const where = source.sourceFile ? ` (${source.sourceFile})` : '';
  const tables: LakeTable[] = [];
  const builtIns: ViewDefinition[] = [];

  for (const [dataset, spec] of Object.entries(source.datasets)) {
    if (
      !isSafeName(dataset) ||
      !isSafeName(`curated_${dataset}`) ||
      !isSafeName(`${dataset}_rejects_summary`) ||
      !isSafeName(`${dataset}_current`)
    ) {
      problems.push(
        `dataset name ${JSON.stringify(dataset)} is not a safe identifier for its tables and views: use a lower-case letter, then lower-case letters, digits or _ (at most 47 characters)`,
      );
      continue;
    }
    for (const reserved of ['score', 'flagged']) {
      if (reserved in spec.columns || reserved in (spec.derive ?? {}))
        problems.push(
          `datasets.${dataset}.columns.${reserved} clashes with the column ${latestViewName(dataset)} adds`,
        );
    }
    const contract = source.contracts?.[dataset];
    const datasetSettings = contract?.scored
      ? {
          threshold: contract.scored.threshold,
          ...(contract.scored.flagColumn === undefined ? {} : { flagColumn: contract.scored.flagColumn }),
        }
      : undefined;
    const [raw, curated, rejected, features, scored] = datasetTables(dataset, spec, contract);
    tables.push(raw!, curated!, rejected!, features!, scored!);
    const idColumn = features!.columns[0]!.name;
    const uniqueColumn = Object.entries(spec.columns).find(([, c]) => c.unique)?.[0];
    const idName = uniqueColumn ?? idColumn;
    builtIns.push(
      {
        name: latestViewName(dataset),
        sql: latestViewSql({ curated: curated!, scored: scored! }, idName, datasetSettings),
        description: `${dataset}: curated rows of the newest run with their scores (flagged = ${datasetSettings?.flagColumn ?? 'score'} >= ${datasetSettings?.threshold ?? DEFAULT_THRESHOLD})`,
        origin: 'built-in',
        dataset,
        dependsOn: [curated!.name, scored!.name],
      },
      ...(uniqueColumn === undefined
        ? []
        : [
            {
              name: currentViewName(dataset),
              sql: currentViewSql({ curated: curated!, scored: scored! }, uniqueColumn, datasetSettings),
              description: `${dataset}: the newest row per ${uniqueColumn} across all runs, with its score`,
              origin: 'built-in' as const,
              dataset,
              dependsOn: [curated!.name, scored!.name],
            },
          ]),
      {
        name: rejectsSummaryViewName(dataset),
        sql: rejectsSummaryViewSql(rejected!),
        description: `${dataset}: rejected rows by run, column and rule`,
        origin: 'built-in',
        dataset,
        dependsOn: [rejected!.name],
      },
    );
  }

  const names = new Set<string>([...tables.map((t) => t.name), ...builtIns.map((v) => v.name)]);
  const declaredNames = Object.keys(source.views ?? {});
  for (const name of declaredNames) {
    if (!isSafeName(name))
      problems.push(
        `views.${name}: the name ${JSON.stringify(name)} is not a safe identifier (^[a-z][a-z0-9_]{0,62}$)`,
      );
    else if (names.has(name)) problems.push(`views.${name}: the name is taken by a built-in table or view`);
  }
  const known = new Set<string>([...names, ...declaredNames.filter(isSafeName)]);
  const declared: ViewDefinition[] = [];
  for (const [name, spec] of Object.entries(source.views ?? {})) {
    if (!isSafeName(name) || names.has(name)) continue;
    try {
      const validated = validateViewSql(name, spec.sql, { knownRelations: known });
      declared.push({
        name,
        sql: validated.sql,
        description: spec.description,
        origin: 'declared',
        dependsOn: validated.relations.map((r) => r.name),
      });
    } catch (error) {
      if (error instanceof ViewSqlError || error instanceof UnknownRelationError) {
        sqlErrors.push(error);
        problems.push(`views.${name}: ${error.message}${where}`);
      } else throw error;
    }
  }
  // Built-in SQL is generated, but goes through the same gate: a generator bug must not reach Athena.
  for (const view of builtIns) validateViewSql(view.name, view.sql, { knownRelations: known });

  if (problems.length === 1 && sqlErrors.length === 1) throw sqlErrors[0];
  if (problems.length > 0) throw new ViewConfigError(problems);
  return { tables, views: dependencyOrder([...builtIns, ...declared]) };
}

/** Views sorted so each comes after the views it reads; a cycle is a ViewConfigError naming it. */
function dependencyOrder(views: readonly ViewDefinition[]): ViewDefinition[] {
  const byName = new Map(views.map((v) => [v.name, v]));
  const ordered: ViewDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (view: ViewDefinition, path: string[]) => {
    if (state.get(view.name) === 'done') return;
    if (state.get(view.name) === 'visiting')
      throw new ViewConfigError([`views form a cycle: ${[...path, view.name].join(' -> ')}`]);
    state.set(view.name, 'visiting');
    for (const dep of view.dependsOn) {
      const depView = byName.get(dep);
      if (depView) visit(depView, [...path, view.name]);
    }
    state.set(view.name, 'done');
    ordered.push(view);
  };
  for (const view of views) visit(view, []);
  return ordered;
}

/** The named views and every view they read, in dependency order (what must exist before them). */
export function viewsWithDependencies(catalog: LakeCatalog, names: readonly string[]): ViewDefinition[] {
  const wanted = new Set<string>();
  const byName = new Map(catalog.views.map((v) => [v.name, v]));
  const add = (name: string) => {
    const view = byName.get(name);
    if (!view)
      throw new ViewConfigError([
        `view ${JSON.stringify(name)} does not exist; views: ${[...byName.keys()].join(', ')}`,
      ]);
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of view.dependsOn) if (byName.has(dep)) add(dep);
  };
  for (const name of names) add(name);
  return catalog.views.filter((v) => wanted.has(v.name));
}

/** The table named `<stage>_<dataset>`, or undefined. */
export function findTable(catalog: LakeCatalog, name: string): LakeTable | undefined {
  return catalog.tables.find((t) => t.name === name);
}

export { tableName };
