import { s3ClientFor } from '@lakepipe/testing';
import { s3Endpoint } from '@lakepipe/testing/vitest';
import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from './errors';
import { S3ObjectStore } from './s3-object-store';

describe('S3ObjectStore failures', () => {
  it('names the bucket, operation and S3 error when the bucket does not exist', async () => {
    // Arrange
    const store = new S3ObjectStore({ client: s3ClientFor(s3Endpoint()), bucket: 'no-such-lake-bucket' });

    // Act
    const [put, list] = await Promise.allSettled([store.put('raw/ds/a.csv', 'x'), store.list('raw/')]);

    // Assert
    expect(put.status === 'rejected' && put.reason).toBeInstanceOf(ObjectStoreError);
    expect(put.status === 'rejected' && put.reason.message).toMatch(
      /^put s3:\/\/no-such-lake-bucket\/raw\/ds\/a\.csv failed: NoSuchBucket/,
    );
    expect(list.status === 'rejected' && list.reason.message).toMatch(
      /^list s3:\/\/no-such-lake-bucket\/raw\/ failed: NoSuchBucket/,
    );
  });

  it('reports its location as s3://<bucket>', () => {
    // Arrange / Act
    const store = new S3ObjectStore({ client: s3ClientFor(s3Endpoint()), bucket: 'lakepipe-dev-lake' });

    // Assert
    expect(store.location).toBe('s3://lakepipe-dev-lake');
    expect(store.kind).toBe('s3');
  });
});
