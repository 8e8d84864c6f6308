/**
 * Every deployable stack, as plain data: tools (CI, `lakepipe affected`, bench) read this file
 * without loading cdktf or any stack class. The stack of an environment is `<id>-<env>`, its
 * Terraform JSON `cdktf.out/stacks/<id>-<env>/cdk.tf.json`, its state
 * `lakepipe/<env>/<id>-<env>.tfstate`. `ephemeral: false` is always-on storage (catalog tables
 * must keep answering in Athena while compute is destroyed); `ephemeral: true` is compute the
 * Jenkins pipeline creates and destroys. The state bucket (infra/bootstrap) is not listed: it
 * is created once per account, not per deploy.
 */
export const stackCatalog = [
  { id: 'shared-infra', project: 'shared-infra', ephemeral: false },
  { id: 'orchestration', project: 'orchestration', ephemeral: true },
  { id: 'ledger-api', project: 'ledger-api', ephemeral: true },
  { id: 'sourcing', project: 'sourcing', ephemeral: true },
  { id: 'spark-etl-catalog', project: 'spark-etl', ephemeral: false },
  { id: 'spark-etl', project: 'spark-etl', ephemeral: true },
  { id: 'sagemaker-scoring', project: 'sagemaker-scoring', ephemeral: true },
  { id: 'view-catalog', project: 'view', ephemeral: false },
  { id: 'view', project: 'view', ephemeral: true },
] as const;

export type StackCatalogEntry = (typeof stackCatalog)[number];
export type StackId = StackCatalogEntry['id'];

/** `<id>-<env>`: the Terraform stack name, its folder under cdktf.out/stacks and its state key. */
export function stackName(id: StackId, env: string): string {
  return `${id}-${env}`;
}
