import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { CompileTarget } from '@lakepipe/workflow';
import { Aspects, type IAspect, S3Backend, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { compileTargetFor } from './compile-target';
import type { EnvConfig } from './env-config';
import { PROJECT, resourceName } from './naming';

export interface LakepipeStackProps {
  readonly config: EnvConfig;
  /** the `service` tag of every resource, e.g. `shared-infra`, `spark-etl` */
  readonly service: string;
  /**
   * The Terraform stack name; also names the state file `lakepipe/<env>/<stackName>.tfstate`.
   * @default the construct id
   */
  readonly stackName?: string;
}

/** The tags every taggable resource carries. */
export function standardTags(config: EnvConfig, service: string): Record<string, string> {
  return {
    project: PROJECT,
    environment: config.name,
    service,
    'managed-by': 'terraform+cdktf',
    'cost-center': config.costCenter,
  };
}

/** The Terraform versions every lakepipe stack accepts (`terraform.required_version`). */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.11.0';

/**
 * The base of every lakepipe stack: the AWS provider pinned to the environment's account and
 * region with default tags, the S3 remote state with native locking, and `name(component)`.
 */
export class LakepipeStack extends TerraformStack {
  readonly config: EnvConfig;
  readonly service: string;
  readonly stackName: string;
  readonly provider: AwsProvider;
  readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LakepipeStackProps);
  /** The id is `props.stackName`. */
  constructor(scope: Construct, props: LakepipeStackProps & { readonly stackName: string });
  constructor(
    scope: Construct,
    idOrProps: string | (LakepipeStackProps & { readonly stackName: string }),
    maybeProps?: LakepipeStackProps,
  ) {
    const props = typeof idOrProps === 'string' ? maybeProps! : idOrProps;
    const id = typeof idOrProps === 'string' ? idOrProps : idOrProps.stackName;
    super(scope, id);
    this.config = props.config;
    this.service = props.service;
    this.stackName = props.stackName ?? id;
    this.tags = standardTags(props.config, props.service);

    this.provider = new AwsProvider(this, 'aws', {
      region: props.config.region,
      allowedAccountIds: [props.config.accountId],
      defaultTags: [{ tags: { ...this.tags } }],
    });
    const backend = new S3Backend(this, {
      bucket: props.config.stateBucket,
      key: `${PROJECT}/${props.config.name}/${this.stackName}.tfstate`,
      region: props.config.region,
      encrypt: true,
    });
    // S3-native state locking (Terraform >= 1.10); the typed backend config predates it.
    backend.addOverride('use_lockfile', true);
    // use_lockfile is stable from Terraform 1.11: an older binary must refuse the stack, not ignore the lock
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    Aspects.of(this).add(new StandardTagsAspect(this.tags));
  }

  /** `lakepipe-<env>-<component>` */
  name(component: string): string {
    return resourceName(this.config.name, component);
  }

  /** The deterministic names and ARNs of this environment (lake bucket, ledger table, error topic). */
  get compileTarget(): CompileTarget {
    return compileTargetFor(this.config);
  }
}

/**
 * Default tags reach every resource created through a provider that carries them. A resource
 * bound to another AWS provider (an alias without default tags, e.g. for us-east-1) gets the
 * standard tags on the resource itself, so no taggable resource goes out untagged.
 */
export class StandardTagsAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !isTaggable(node)) return;
    if (providerCarriesTags(node.provider, this.tags)) return;
    const own = (node as unknown as { tagsInput?: Record<string, string> }).tagsInput ?? {};
    (node as unknown as { tags: Record<string, string> }).tags = { ...this.tags, ...own };
  }
}

/** True when the resource type has a `tags` argument (the generated class exposes `tagsInput`). */
export function isTaggable(resource: TerraformResource): boolean {
  return 'tagsInput' in resource;
}

/** Whether a resource's provider (its own, else the stack's default AWS provider) applies all `tags`. */
export function providerCarriesTags(
  provider: TerraformResource['provider'],
  tags: Readonly<Record<string, string>>,
): boolean {
  if (provider === undefined) return true; // the stack's default provider: LakepipeStack sets default_tags
  if (!(provider instanceof AwsProvider)) return false;
  const blocks = Array.isArray(provider.defaultTags) ? provider.defaultTags : [];
  const defaults: Record<string, string> = Object.assign({}, ...blocks.map((block) => block.tags ?? {}));
  return Object.entries(tags).every(([key, value]) => defaults[key] === value);
}
