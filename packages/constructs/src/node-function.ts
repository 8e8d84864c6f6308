import { existsSync } from 'node:fs';
import path from 'node:path';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { AssetType, Lazy, TerraformAsset, Token } from 'cdktf';
import { Construct } from 'constructs';
import { bundle } from './bundle';
import type { EnvConfig } from './env-config';
import { ConstructPropsError } from './errors';
import { resourceName } from './naming';

/** One IAM statement; `effect` defaults to Allow. */
export interface PolicyStatement {
  readonly sid?: string;
  /** @default Allow */
  readonly effect?: 'Allow' | 'Deny';
  /**
   * Who the statement applies to, for resource policies (bucket, key, topic), e.g.
   * `{ Service: 'events.amazonaws.com' }` or `'*'`.
   * @default no Principal element (identity policies)
   */
  readonly principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM condition block, e.g. `{ StringEquals: { 's3:prefix': 'raw/' } }` @default no condition */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface LakepipeNodeFunctionProps {
  readonly config: EnvConfig;
  /** component name; the function is `lakepipe-<env>-<name>` */
  readonly name: string;
  /** absolute path of the TypeScript entry file exporting the handler */
  readonly entry: string;
  /**
   * The exported handler function's name.
   * @default `handler`
   */
  readonly handlerExport?: string;
  readonly description?: string;
  /**
   * Memory in MB (128-10240).
   * @default 512 MB
   */
  readonly memorySize?: number;
  /**
   * Timeout in seconds (1-900).
   * @default 60 seconds
   */
  readonly timeoutSeconds?: number;
  /**
   * Environment variables (values may be Terraform tokens).
   * @default only NODE_OPTIONS=--enable-source-maps
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * KMS key for the environment variables and the log group; the role may decrypt with it.
   * @default AWS-managed keys
   */
  readonly kmsKeyArn?: string;
  /**
   * Extra statements for the function's role.
   * @default none: the role may only write its own logs
   */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * Where failed asynchronous invocations go (an SNS topic, SQS queue, Lambda or EventBridge bus ARN).
   * @default no destination: failed async events are dropped after the retries
   */
  readonly onFailureDestinationArn?: string;
  /**
   * Retries of a failed asynchronous invocation (0-2), set only with onFailureDestinationArn.
   * @default 2 (the Lambda default)
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Packages left out of the bundle (resolved from the runtime).
   * @default `@aws-sdk/*` (the nodejs22.x runtime ships AWS SDK v3)
   */
  readonly externalModules?: readonly string[];
  /**
   * Folder the bundle is written to before it becomes a Terraform asset.
   * @default `<repo>/cdktf.out/bundles/<entry name>-<hash of entry and options>`
   */
  readonly bundleDir?: string;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A Node.js 22 Lambda (arm64) bundled from TypeScript with esbuild, with its own role, a log
 * group with the environment's retention, and optionally an on-failure destination.
 * The asset hash depends only on the bundle's bytes, so unchanged code never redeploys.
 */
export class LakepipeNodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly functionName: string;
  readonly asset: TerraformAsset;
  /** the folder holding the bundle (`index.mjs` + source map) and its zip (`code.zip`) */
  readonly bundleDir: string;
  /** base64 SHA-256 of the zip, what Terraform's `filebase64sha256` of the deployed file gives */
  readonly codeSha256: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: LakepipeNodeFunctionProps) {
    super(scope, id);
    this.functionName = resourceName(props.config.name, props.name);
    validateProps(this.functionName, props);

    const code = bundle(props);
    this.bundleDir = code.dir;
    this.codeSha256 = code.sha256.toString('base64');
    // A FILE asset of a zip built here, in-process and byte-stable: an ARCHIVE asset would make
    // cdktf spawn a node process per asset per stack to zip the folder at synth time.
    this.asset = new TerraformAsset(this, 'code', {
      path: code.zipPath,
      type: AssetType.FILE,
      assetHash: code.sha256.toString('hex').slice(0, 32).toUpperCase(),
    });

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.config.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });

    this.role = new IamRole(this, 'role', {
      name: `${this.functionName}-fn`.slice(0, 64),
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
            // confused deputy: only this function of this account assumes the role
            Condition: {
              StringEquals: { 'aws:SourceAccount': props.config.accountId },
              ArnLike: {
                'aws:SourceArn': `arn:aws:lambda:${props.config.region}:${props.config.accountId}:function:${this.functionName}`,
              },
            },
          },
        ],
      }),
    });
    this.statements = [
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.arn}:*`],
      },
      ...(props.kmsKeyArn
        ? [{ sid: 'DecryptEnvironment', actions: ['kms:Decrypt'], resources: [props.kmsKeyArn] }]
        : []),
      ...(props.onFailureDestinationArn ? [destinationStatement(props.onFailureDestinationArn)] : []),
      // X-Ray takes no resource-level permissions
      { sid: 'Tracing', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
      ...(props.policyStatements ?? []),
    ];
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'inline',
      role: this.role.name,
      policy: Lazy.stringValue({ produce: () => JSON.stringify(policyDocumentOf(this.statements)) }),
    });

    this.function = new LambdaFunction(this, 'function', {
      functionName: this.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: `index.${props.handlerExport ?? 'handler'}`,
      filename: this.asset.path,
      sourceCodeHash: this.codeSha256,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeoutSeconds ?? 60,
      kmsKeyArn: props.kmsKeyArn,
      environment: {
        variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      tracingConfig: { mode: 'Active' },
      dependsOn: [this.logGroup, policy],
    });

    if (props.onFailureDestinationArn) {
      new LambdaFunctionEventInvokeConfig(this, 'async', {
        functionName: this.function.functionName,
        maximumRetryAttempts: props.maximumRetryAttempts ?? 2,
        destinationConfig: { onFailure: { destination: props.onFailureDestinationArn } },
      });
    }
  }

  /** Grants the function's role one more statement. */
  addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }

  get functionArn(): string {
    return this.function.arn;
  }
}

/** An IAM policy document in the JSON IAM expects. */
export function policyDocumentOf(statements: readonly PolicyStatement[]): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(s.principal ? { Principal: s.principal } : {}),
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  };
}

function validateProps(functionName: string, props: LakepipeNodeFunctionProps): void {
  const problems: string[] = [];
  if (!FUNCTION_NAME.test(functionName)) {
    problems.push(`function name must be 1-64 letters, digits, - or _ (got "${functionName}")`);
  }
  if (!path.isAbsolute(props.entry) || !existsSync(props.entry)) {
    problems.push(`entry must be an existing absolute file path (got "${props.entry}")`);
  }
  const memory = props.memorySize;
  if (memory !== undefined && !Token.isUnresolved(memory) && (memory < 128 || memory > 10240)) {
    problems.push(`memorySize must be between 128 and 10240 MB (got ${memory})`);
  }
  const timeout = props.timeoutSeconds;
  if (timeout !== undefined && !Token.isUnresolved(timeout) && (timeout < 1 || timeout > 900)) {
    problems.push(`timeoutSeconds must be between 1 and 900 (got ${timeout})`);
  }
  const retries = props.maximumRetryAttempts;
  if (retries !== undefined && (retries < 0 || retries > 2)) {
    problems.push(`maximumRetryAttempts must be between 0 and 2 (got ${retries})`);
  }
  if (problems.length > 0)
    throw new ConstructPropsError(`LakepipeNodeFunction ${functionName}`, problems.join('; '));
}

/** The permission the function's role needs to deliver to its on-failure destination. */
function destinationStatement(arn: string): PolicyStatement {
  const service = Token.isUnresolved(arn) ? undefined : arn.split(':')[2];
  const actions: Record<string, string> = {
    sns: 'sns:Publish',
    sqs: 'sqs:SendMessage',
    lambda: 'lambda:InvokeFunction',
    events: 'events:PutEvents',
  };
  if (service === undefined || !(service in actions)) {
    throw new ConstructPropsError(
      'LakepipeNodeFunction',
      `onFailureDestinationArn must be a literal SNS, SQS, Lambda or EventBridge ARN (got "${arn}")`,
    );
  }
  return { sid: 'DeliverFailedInvocations', actions: [actions[service]!], resources: [arn] };
}
