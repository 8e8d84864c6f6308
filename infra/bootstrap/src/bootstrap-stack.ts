import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type EnvConfig, standardTags } from '@lakepipe/constructs';
import { HardenedBucket } from '@lakepipe/shared-infra';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

export interface BootstrapStackProps {
  readonly config: EnvConfig;
  /**
   * Days old state versions are kept (every apply writes a new version).
   * @default 90 days
   */
  readonly stateVersionRetentionDays?: number;
}

/**
 * The Terraform state bucket of an account (`config.stateBucket`), the one stack with a local
 * backend: it must exist before any other stack can keep its state in S3. Applied once per
 * account by hand (infra/bootstrap/README.md); never part of a deploy.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: HardenedBucket;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { config } = props;
    new AwsProvider(this, 'aws', {
      region: config.region,
      allowedAccountIds: [config.accountId],
      defaultTags: [{ tags: standardTags(config, 'bootstrap') }],
    });
    new LocalBackend(this, { path: `terraform.${id}.tfstate` });

    this.stateBucket = new HardenedBucket(this, 'state-bucket', {
      bucketName: config.stateBucket,
      lifecycleRules: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.stateVersionRetentionDays ?? 90 }],
        },
      ],
      // losing the bucket loses every stack's state: never destroyed by Terraform, in any env
      preventDestroy: true,
    });
    new TerraformOutput(this, 'state-bucket-name', { value: this.stateBucket.bucketName });
  }
}
