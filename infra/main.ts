// The cdktf app: every stack of infra/stacks.ts for every environment of infra/config.
//   npx tsx infra/main.ts [--env dev] [--project shared-infra] [--stack view-catalog] [--outdir dir]
// (`npm run synth`, `npx nx run <project>:synth`, and `cdktf synth` through cdktf.json)
import { parseArgs } from 'node:util';

// Synth never prints a stack trace worth mapping, and with source maps on, Node parses the map of
// every module it loads (cdktf, the provider) and maps every stack cdktf captures. Off before the
// stacks' modules load, hence the dynamic imports below.
process.setSourceMapsEnabled(false);
const [{ displayPath }, { synthesize }] = await Promise.all([
  import('@lakepipe/constructs'),
  import('./synth'),
]);

const { values } = parseArgs({
  options: {
    env: { type: 'string', multiple: true },
    project: { type: 'string', multiple: true },
    stack: { type: 'string', multiple: true },
    outdir: { type: 'string' },
  },
  strict: true,
});
const split = (list: readonly string[] | undefined) =>
  list?.flatMap((value) => value.split(',')).filter(Boolean);

try {
  const result = await synthesize({
    envs: split(values.env),
    projects: split(values.project),
    stacks: split(values.stack),
    outdir: values.outdir,
  });
  for (const name of result.synthesized) {
    console.log(`synthesized ${name} -> ${displayPath(`${result.outdir}/stacks/${name}/cdk.tf.json`)}`);
  }
  if (result.skipped.length > 0) {
    console.log(
      `skipped (the catalog lists them, no factory in infra/stack-factories.ts builds them): ${result.skipped.join(', ')}`,
    );
  }
} catch (error) {
  console.error(
    `synth failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  process.exitCode = 1;
}
