// Synthesizes the state-bucket stack of one environment's account:
//   npx tsx infra/bootstrap/src/main.ts --env dev   ->  cdktf.out/bootstrap/stacks/bootstrap-dev/cdk.tf.json
import path from 'node:path';
import { parseArgs } from 'node:util';
import { displayPath, listEnvironments, loadEnvConfig, workspaceRoot } from '@lakepipe/constructs';
import { App } from 'cdktf';
import { BootstrapStack } from './bootstrap-stack';

const { values } = parseArgs({ options: { env: { type: 'string', multiple: true } }, strict: true });
try {
  const envs = values.env?.length ? values.env : listEnvironments();
  const outdir = path.join(workspaceRoot, 'cdktf.out', 'bootstrap');
  const app = new App({ outdir });
  for (const env of envs) new BootstrapStack(app, `bootstrap-${env}`, { config: loadEnvConfig(env) });
  app.synth();
  for (const env of envs)
    console.log(`synthesized bootstrap-${env} -> ${displayPath(`${outdir}/stacks/bootstrap-${env}`)}`);
} catch (error) {
  console.error(
    `bootstrap synth failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  process.exitCode = 1;
}
