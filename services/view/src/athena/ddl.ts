import { type LakeCatalog, quoteIdentifier, type ViewDefinition } from '../catalog';
import { normalizeViewSql, validateViewSql } from '../sql/validate';
import { athenaType, type LakeTable } from '../tables';

/**
 * `CREATE OR REPLACE VIEW "<name>" AS <select>` in Athena's (Trino) form. The view name is
 * validated and quoted; the SELECT goes through the dialect gate again, so nothing unchecked
 * reaches Athena even when the statement arrives in a Lambda payload.
 */
export function createViewStatement(view: Pick<ViewDefinition, 'name' | 'sql'>): string {
  const { sql } = validateViewSql(view.name, view.sql);
  return `CREATE OR REPLACE VIEW ${quoteIdentifier(view.name)} AS\n${normalizeViewSql(sql)}`;
}

/** Every view's statement, in dependency order. */
export function createViewStatements(catalog: Pick<LakeCatalog, 'views'>): { view: string; sql: string }[] {
  return catalog.views.map((v) => ({ view: v.name, sql: createViewStatement(v) }));
}

/**
 * `CREATE EXTERNAL TABLE` for one lake table (Hive DDL, as Athena's console shows it). The
 * tables live in Terraform (Glue catalog), so this is their reference form, kept in golden
 * files, and a way to recreate a table by hand in an account without Terraform.
 */
export function createTableStatement(table: LakeTable, lakeBucket: string): string {
  const column = (c: { name: string; type: string }) => `  \`${c.name}\` ${athenaType(c.type)}`;
  const lines = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${table.name}\` (`,
    table.columns.map(column).join(',\n'),
    ')',
  ];
  if (table.partitionKeys.length > 0)
    lines.push(`PARTITIONED BY (\n${table.partitionKeys.map(column).join(',\n')}\n)`);
  if (table.format === 'parquet') {
    lines.push('STORED AS PARQUET');
  } else if (table.format === 'jsonl') {
    lines.push("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
  } else {
    lines.push(`ROW FORMAT DELIMITED FIELDS TERMINATED BY '${table.delimiter}'`, 'STORED AS TEXTFILE');
  }
  lines.push(`LOCATION 's3://${lakeBucket}/${table.prefix}'`);
  const properties: [string, string][] = [];
  if (table.format === 'parquet') properties.push(['parquet.compression', 'ZSTD']);
  if (table.header) properties.push(['skip.header.line.count', '1']);
  if (properties.length > 0)
    lines.push(`TBLPROPERTIES (${properties.map(([k, v]) => `'${k}' = '${v}'`).join(', ')})`);
  return lines.join('\n');
}
