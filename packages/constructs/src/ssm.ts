import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config';
import { ssmParameterName } from './naming';

export { DEPLOYED_PARAMETERS, SHARED_PARAMETERS, type SharedParameter } from './parameters';

export interface PublishParameterProps {
  readonly config: EnvConfig;
  /** path under `/lakepipe/<env>/`, e.g. `SHARED_PARAMETERS.lakeBucketName` */
  readonly path: string;
  readonly value: string;
  readonly description: string;
}

/** Publishes a name or ARN as a String parameter at `/lakepipe/<env>/<path>`. */
export function publishParameter(scope: Construct, id: string, props: PublishParameterProps): SsmParameter {
  return new SsmParameter(scope, id, {
    name: ssmParameterName(props.config.name, props.path),
    type: 'String',
    value: props.value,
    description: props.description,
  });
}

export interface ReadParameterProps {
  readonly config: EnvConfig;
  /** path under `/lakepipe/<env>/`, e.g. `SHARED_PARAMETERS.ledgerTableArn` */
  readonly path: string;
}

/** Reads `/lakepipe/<env>/<path>` at plan time; returns the value as a Terraform token. */
export function readParameter(scope: Construct, id: string, props: ReadParameterProps): string {
  return new DataAwsSsmParameter(scope, id, { name: ssmParameterName(props.config.name, props.path) }).value;
}
