// The floor: a cdktf app with one AWS provider and one bucket, synthesized the way infra/main.ts is.
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { App, TerraformStack } from 'cdktf';
import { BenchUsageError } from '../errors';

const outdir = process.argv[2];
if (!outdir) throw new BenchUsageError('one-bucket-app.ts <outdir>');
const app = new App({ outdir });
const stack = new TerraformStack(app, 'one-bucket');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new S3Bucket(stack, 'bucket', { bucket: 'lakepipe-bench-one-bucket' });
app.synth();
