import { describe, expect, it } from 'vitest';
import { checkCloudRules } from './cloud-rules';
import type { AslDefinition, AslState } from './compile';

const machine = (States: Record<string, AslState>): AslDefinition => ({
  Comment: 'fixture',
  StartAt: Object.keys(States)[0]!,
  States,
});
const rulesOf = (definition: AslDefinition, options = {}) =>
  checkCloudRules(definition, options).map((v) => [v.rule, v.state, v.message]);

const LAMBDA_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};

describe('checkCloudRules', () => {
  it('reports a field with more than 10 intrinsic calls and accepts 10', () => {
    const nested = (n: number): string => (n === 1 ? '$.a' : `States.StringToJson(${nested(n - 1)})`);
    const violations = rulesOf(
      machine({
        ten: { Type: 'Pass', Parameters: { 'x.$': `States.JsonToString(${nested(10)})` }, Next: 'eleven' },
        eleven: {
          Type: 'Pass',
          Parameters: { deep: { 'y.$': `States.JsonToString(${nested(11)})` } },
          End: true,
        },
      }),
    );
    expect(violations).toEqual([
      [
        'intrinsics-per-field',
        'eleven',
        'Parameters.deep.y.$ uses 11 intrinsic function calls; AWS allows at most 10 in one field (split it over several fields or states)',
      ],
    ]);
  });

  it('bounds an SNS subject: a long literal, an unbounded Format, and a field set only by short literals', () => {
    const publish = (Parameters: Record<string, unknown>): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: 'm', ...Parameters },
      End: true,
    });
    expect(rulesOf(machine({ long: publish({ Subject: 'x'.repeat(100) }) }))).toEqual([
      ['sns-subject-length', 'long', 'Subject is 100 characters; SNS requires fewer than 100'],
    ]);
    expect(
      rulesOf(
        machine({ format: publish({ 'Subject.$': "States.Format('run {} failed', $.runId)" }) }),
      )[0]?.[0],
    ).toBe('sns-subject-length');
    expect(
      rulesOf(
        machine({
          'etl failed': { Type: 'Pass', Parameters: { subject: 'lakepipe p: etl failed' }, Next: 'notify' },
          notify: publish({ 'Subject.$': '$.subject' }),
        }),
      ),
    ).toEqual([]);
  });

  it('asks every Lambda task for the transient-error retry AWS recommends', () => {
    const lambda = (Retry?: unknown[]): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'f', 'Payload.$': '$' },
      ...(Retry ? { Retry } : {}),
      End: true,
    });
    expect(rulesOf(machine({ bare: lambda() }))[0]?.slice(0, 2)).toEqual(['lambda-transient-retry', 'bare']);
    expect(rulesOf(machine({ retried: lambda([LAMBDA_RETRY]) }))).toEqual([]);
    expect(rulesOf(machine({ zero: lambda([{ ...LAMBDA_RETRY, MaxAttempts: 0 }]) }))[0]?.[0]).toBe(
      'lambda-transient-retry',
    );
  });

  it('rejects error names a Glue task never reports and accepts names a branch raises itself', () => {
    const glue: AslState = {
      Type: 'Task',
      Resource: 'arn:aws:states:::glue:startJobRun.sync',
      Parameters: { JobName: 'j' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'classify' }],
      End: true,
    };
    const wrapper = (States: Record<string, AslState>): AslState => ({
      Type: 'Parallel',
      Branches: [{ StartAt: 'run', States }],
      Retry: [{ ErrorEquals: ['RejectRatioExceededError'], MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'] }],
      End: true,
    });
    const rethrow: AslState = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
    const plain = { run: glue, classify: { Type: 'Pass', Next: 'rethrow' }, rethrow };
    expect(rulesOf(machine({ etl: wrapper(plain) }))).toEqual([
      [
        'emittable-error-names',
        'etl',
        'Parallel state "etl" retries or catches "RejectRatioExceededError", which AWS never reports for it (it can raise: States.*, Glue.*)',
      ],
    ]);
    const classified = {
      run: glue,
      classify: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.error.Cause', StringMatches: '*RejectRatioExceededError*', Next: 'name it' },
        ],
        Default: 'rethrow',
      },
      'name it': {
        Type: 'Pass',
        Parameters: { Error: 'RejectRatioExceededError', 'Cause.$': '$.error.Cause' },
        ResultPath: '$.error',
        Next: 'rethrow',
      },
      rethrow,
    };
    expect(rulesOf(machine({ etl: wrapper(classified) }))).toEqual([]);
  });

  it('refuses VolumeKmsKeyId with an instance type that has local storage', () => {
    const transform = (InstanceType: string): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::sagemaker:createTransformJob.sync',
      Parameters: { TransformResources: { InstanceType, InstanceCount: 1, VolumeKmsKeyId: 'arn:aws:kms:k' } },
      End: true,
    });
    expect(rulesOf(machine({ ok: transform('ml.m5.xlarge') }))).toEqual([]);
    for (const type of ['ml.g4dn.xlarge', 'ml.m5d.large', 'ml.c5d.2xlarge', 'ml.p3dn.24xlarge'])
      expect(rulesOf(machine({ local: transform(type) }))[0]?.[0]).toBe('transform-volume-kms-local-storage');
  });

  it('asks a state timeout to exceed its service timeout by the margin', () => {
    const task = (TimeoutSeconds?: number): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::glue:startJobRun.sync',
      Parameters: { JobName: 'j' },
      ...(TimeoutSeconds ? { TimeoutSeconds } : {}),
      End: true,
    });
    const serviceTimeouts = { run: { seconds: 1800, what: 'Glue job timeout' } };
    expect(rulesOf(machine({ run: task(1800) }), { serviceTimeouts })).toEqual([
      [
        'timeout-above-service-timeout',
        'run',
        'TimeoutSeconds 1800 does not exceed the Glue job timeout (1800 s) by 60 s: the state would time out with States.Timeout before the service reports its own error',
      ],
    ]);
    expect(rulesOf(machine({ run: task(1860) }), { serviceTimeouts })).toEqual([]);
    expect(rulesOf(machine({ run: task() }), { serviceTimeouts })[0]?.[0]).toBe(
      'timeout-above-service-timeout',
    );
  });
});
