import type { TestProject } from 'vitest/node';
import { startS3Server } from './s3-server';
import './provided-context';

/**
 * vitest globalSetup: one s3rver for the whole test run. Tests read its endpoint with
 * `inject('s3Endpoint')` and create their own uniquely named bucket.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startS3Server();
  project.provide('s3Endpoint', server.endpoint);
  return () => server.stop();
}
