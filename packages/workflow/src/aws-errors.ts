/**
 * How an error reaches a state machine in AWS, by the integration that raised it, so the local twin
 * fails the way AWS fails: a retry policy that would misbehave in AWS misbehaves in the twin too.
 *
 * | integration                                 | Error                                  | Cause                                     |
 * | ------------------------------------------- | -------------------------------------- | ----------------------------------------- |
 * | `glue:startJobRun.sync` (the job failed)    | `States.TaskFailed`                    | the job run: `ErrorMessage: "<Name>: …"`  |
 * | `sagemaker:createTransformJob.sync` (job)   | `States.TaskFailed`                    | the job: `FailureReason: "<Name>: …"`     |
 * | `sagemaker:*` (the API refused the request) | `SageMaker.AmazonSageMakerException`   | the service's message                     |
 * | `lambda:invoke` (the function threw)        | the function's error type (`<Name>`)   | `{ errorType, errorMessage, trace }`      |
 * | `aws-sdk:<service>:<action>`                | `<Service>.<ErrorName>`                | the service's message                     |
 * | any, the state's TimeoutSeconds passed      | `States.Timeout`                       | (the interpreter raises it)               |
 *
 * Sources: https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html,
 * connect-sagemaker.html, connect-lambda.html, supported-services-awssdk.html#use-awssdk-integ
 * ("the error name is the service name followed by the exception name").
 */

import { WorkflowError } from './errors';

/** An error raised the way a Step Functions service integration raises it. */
export class AwsTaskError extends WorkflowError {
  constructor(
    /** the ASL error name a Retry/Catch matches */
    readonly error: string,
    /** the cause text a Catch puts in `Cause` */
    override readonly cause: string,
  ) {
    super(cause);
    this.name = error;
  }
}

/** Local engine errors that stand for the API refusing the request (SageMaker's create call), not a failed job. */
const REQUEST_ERROR = /(Validation|Config|Configuration|InvalidInput|Request)(Error|Exception)$/;

/**
 * The error a local engine's failure becomes in AWS for the Task `resource` (its ASL Resource ARN).
 * Errors already named like an ASL error (`States.*` or `<Service>.<Exception>`) pass through.
 */
export function toAwsTaskError(resource: string, error: unknown, jobName = 'local'): AwsTaskError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AwsTaskError) return error;
  if (/^States\./.test(name) || /^[A-Z][A-Za-z0-9]*\.[A-Za-z0-9]+$/.test(name))
    return new AwsTaskError(name, message);
  const engineMessage = `${name}: ${message}`;

  if (/^arn:aws:states:::glue:startJobRun\.sync/.test(resource))
    return new AwsTaskError(
      'States.TaskFailed',
      JSON.stringify({ JobName: jobName, JobRunState: 'FAILED', ErrorMessage: engineMessage }),
    );
  if (/^arn:aws:states:::sagemaker:/.test(resource)) {
    if (REQUEST_ERROR.test(name) || !/\.sync$/.test(resource))
      return new AwsTaskError('SageMaker.AmazonSageMakerException', engineMessage);
    return new AwsTaskError(
      'States.TaskFailed',
      JSON.stringify({
        TransformJobName: jobName,
        TransformJobStatus: 'Failed',
        FailureReason: engineMessage,
      }),
    );
  }
  if (/^arn:aws:states:::lambda:invoke/.test(resource))
    return new AwsTaskError(name, JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):/.exec(resource)?.[1];
  if (sdk) return new AwsTaskError(`${sdk.charAt(0).toUpperCase()}${sdk.slice(1)}.${name}`, message);
  // an optimized integration (sns:publish, dynamodb:putItem...) reports <Service>.<Exception> too
  const optimized = /^arn:aws:states:::([a-z0-9]+):/.exec(resource)?.[1];
  if (optimized) return new AwsTaskError(`${serviceName(optimized)}.${name}`, message);
  return new AwsTaskError(name, message);
}

function serviceName(service: string): string {
  const known: Record<string, string> = {
    dynamodb: 'DynamoDB',
    sqs: 'SQS',
    sns: 'SNS',
    s3: 'S3',
    athena: 'Athena',
  };
  return known[service] ?? `${service.charAt(0).toUpperCase()}${service.slice(1)}`;
}
