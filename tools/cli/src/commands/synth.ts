import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `lakepipe synth`: writes the Terraform JSON of every stack (cdktf.out/stacks/<stack>-<env>/cdk.tf.json). */
export function register(program: Command): void {
  program
    .command('synth')
    .description('synthesize the Terraform of every stack of every environment into cdktf.out/')
    .option('--env <env>', 'only this environment')
    .option('--project <name>', 'only the stacks of this Nx project')
    .action((options: { env?: string; project?: string }) => {
      // the same launcher as `npm run synth`: the app's install-time bundle, or its sources after an edit
      const args = [path.join(workspaceRoot, 'tools/cli/bin/synth.js')];
      if (options.env) args.push('--env', options.env);
      if (options.project) args.push('--project', options.project);
      const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: workspaceRoot });
      process.exitCode = result.status ?? 1;
    });
}
