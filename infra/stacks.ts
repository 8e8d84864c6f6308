/**
 * Every deployable stack, as plain data: tools (CI, `lakepipe affected`, bench) read this file
 * without loading cdktf or any stack class. The stack of an environment is `<id>-<env>`, its
 * Terraform JSON `cdktf.out/stacks/<id>-<env>/cdk.tf.json`, its state
 * `lakepipe/<env>/<id>-<env>.tfstate`. The state bucket (infra/bootstrap) is not listed: it is
 * created once per account, not per deploy.
 *
 * `ephemeral: true` marks a stack that costs money while it merely exists (billed per hour, idle or
 * not) and is therefore created on demand by the nightly job and destroyed after the run. None of
 * today's stacks is: Lambdas, API Gateway, Step Functions, EventBridge rules, the Glue job and the
 * SageMaker model are billed per use; the Glue DPUs and the SageMaker transform instances exist only
 * while an execution runs; logs, alarms and the data services (ledger API, the object-created
 * trigger and the schedule) must stay up in every environment. See ADR 0003 and docs/delivery.md.
 */
export const stackCatalog = [
  { id: 'shared-infra', project: 'shared-infra', ephemeral: false },
  { id: 'orchestration', project: 'orchestration', ephemeral: false },
  { id: 'ledger-api', project: 'ledger-api', ephemeral: false },
  { id: 'sourcing', project: 'sourcing', ephemeral: false },
  { id: 'spark-etl-catalog', project: 'spark-etl', ephemeral: false },
  { id: 'spark-etl', project: 'spark-etl', ephemeral: false },
  { id: 'sagemaker-scoring', project: 'sagemaker-scoring', ephemeral: false },
  { id: 'view-catalog', project: 'view', ephemeral: false },
  { id: 'view', project: 'view', ephemeral: false },
] as const;

export type StackCatalogEntry = (typeof stackCatalog)[number];
export type StackId = StackCatalogEntry['id'];

/** `<id>-<env>`: the Terraform stack name, its folder under cdktf.out/stacks and its state key. */
export function stackName(id: StackId, env: string): string {
  return `${id}-${env}`;
}
