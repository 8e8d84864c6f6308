import { describe, expect, it } from 'vitest';
import { AwsTaskError, toAwsTaskError } from './aws-errors';

class RejectRatioExceededError extends Error {
  override name = 'RejectRatioExceededError';
}
class FeatureRowsRejectedError extends Error {
  override name = 'FeatureRowsRejectedError';
}
class ModelValidationError extends Error {
  override name = 'ModelValidationError';
}

describe('toAwsTaskError', () => {
  it('turns a failed Glue job into States.TaskFailed with the job error in the cause', () => {
    // Act
    const error = toAwsTaskError(
      'arn:aws:states:::glue:startJobRun.sync',
      new RejectRatioExceededError('41% rejected'),
      'lakepipe-dev-etl-etl',
    );

    // Assert
    expect(error.name).toBe('States.TaskFailed');
    expect(JSON.parse(error.cause)).toEqual({
      JobName: 'lakepipe-dev-etl-etl',
      JobRunState: 'FAILED',
      ErrorMessage: 'RejectRatioExceededError: 41% rejected',
    });
  });

  it('turns a failed transform job into States.TaskFailed and a refused request into AmazonSageMakerException', () => {
    // Act
    const job = toAwsTaskError(
      'arn:aws:states:::sagemaker:createTransformJob.sync',
      new FeatureRowsRejectedError('2 rows'),
    );
    const request = toAwsTaskError(
      'arn:aws:states:::sagemaker:createTransformJob.sync',
      new ModelValidationError('7 features expected'),
    );

    // Assert
    expect(job.name).toBe('States.TaskFailed');
    expect(JSON.parse(job.cause).FailureReason).toBe('FeatureRowsRejectedError: 2 rows');
    expect([request.name, request.cause]).toEqual([
      'SageMaker.AmazonSageMakerException',
      'ModelValidationError: 7 features expected',
    ]);
  });

  it('keeps a Lambda function error type and gives the Lambda error payload as the cause', () => {
    // Act
    const error = toAwsTaskError('arn:aws:states:::lambda:invoke', new RejectRatioExceededError('too many'));

    // Assert
    expect(error.name).toBe('RejectRatioExceededError');
    expect(JSON.parse(error.cause)).toEqual({
      errorType: 'RejectRatioExceededError',
      errorMessage: 'too many',
      trace: [],
    });
  });

  it('prefixes an SDK integration error with its service and passes ASL-named errors through', () => {
    class NoSuchKey extends Error {
      override name = 'NoSuchKey';
    }
    expect(toAwsTaskError('arn:aws:states:::aws-sdk:s3:getObject', new NoSuchKey('gone')).name).toBe(
      'S3.NoSuchKey',
    );
    const timeout = new AwsTaskError('States.Timeout', '');
    expect(toAwsTaskError('arn:aws:states:::glue:startJobRun.sync', timeout)).toBe(timeout);
    const named = Object.assign(new Error('slow down'), {
      name: 'DynamoDB.ProvisionedThroughputExceededException',
    });
    expect(toAwsTaskError('arn:aws:states:::dynamodb:putItem', named).name).toBe(
      'DynamoDB.ProvisionedThroughputExceededException',
    );
  });
});
