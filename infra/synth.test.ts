import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EnvConfigError, workspaceRoot } from '@lakepipe/constructs';
import { describe, expect, it } from 'vitest';
import { MissingStackFactoryError, UnknownSelectionError } from './errors';
import { type StackFactory, stackFactories } from './stack-factories';
import { stackCatalog } from './stacks';
import { synthesize } from './synth';

const outdir = () => mkdtempSync(path.join(os.tmpdir(), 'synth-'));
const readStack = (dir: string, name: string) =>
  JSON.parse(readFileSync(path.join(dir, 'stacks', name, 'cdk.tf.json'), 'utf8'));

describe('synthesize', () => {
  it('writes shared-infra for dev and prod and reports the stacks nothing builds yet', async () => {
    // Arrange
    const dir = outdir();

    // Act
    const result = await synthesize({
      outdir: dir,
      factories: { 'shared-infra': stackFactories['shared-infra'] },
    });

    // Assert
    expect(result.synthesized).toEqual(['shared-infra-dev', 'shared-infra-prod']);
    expect(result.skipped).toContain('view-catalog-prod');
    expect(readdirSync(path.join(dir, 'stacks')).sort()).toEqual(['shared-infra-dev', 'shared-infra-prod']);
    expect(readStack(dir, 'shared-infra-prod').terraform.backend.s3.key).toBe(
      'lakepipe/prod/shared-infra-prod.tfstate',
    );
  });

  it('builds every stack of the catalog for every environment', async () => {
    // Arrange
    const dir = outdir();

    // Act
    const result = await synthesize({ outdir: dir });

    // Assert
    expect(result.skipped).toEqual([]);
    expect(result.synthesized).toHaveLength(stackCatalog.length * 2);
    expect(readdirSync(path.join(dir, 'stacks')).sort()).toEqual(
      stackCatalog.flatMap((s) => [`${s.id}-dev`, `${s.id}-prod`]).sort(),
    );
  }, 120_000);

  it('synthesizes only the environments and projects asked for', async () => {
    // Arrange
    const dir = outdir();

    // Act
    const result = await synthesize({ outdir: dir, envs: ['dev'], projects: ['shared-infra'] });

    // Assert
    expect(result).toMatchObject({ synthesized: ['shared-infra-dev'], skipped: [] });
    expect(existsSync(path.join(dir, 'stacks', 'shared-infra-prod'))).toBe(false);
  });

  it('fails when a stack without a factory is asked for by project', async () => {
    // Act / Assert
    await expect(synthesize({ outdir: outdir(), projects: ['view'], factories: {} })).rejects.toThrow(
      new MissingStackFactoryError(['view-catalog', 'view']),
    );
  });

  it('names the known projects when the project is unknown', async () => {
    // Act / Assert
    await expect(synthesize({ outdir: outdir(), projects: ['spark'] })).rejects.toThrow(
      UnknownSelectionError,
    );
    await expect(synthesize({ outdir: outdir(), projects: ['spark'] })).rejects.toThrow(
      /--project "spark" names no stack \(known: shared-infra, orchestration, ledger-api, sourcing, spark-etl,/,
    );
  });

  it('validates every environment before building anything', async () => {
    // Arrange
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'config-'));
    writeFileSync(
      path.join(configDir, 'dev.yaml'),
      readFileSync(path.join(workspaceRoot, 'infra/config/dev.yaml')),
    );
    writeFileSync(path.join(configDir, 'qa.yaml'), 'name: qa\nregion: mars-1\n');
    const built: string[] = [];
    const counting = {
      'shared-infra': ((app, config, pipeline) => {
        built.push(config.name);
        return stackFactories['shared-infra']!(app, config, pipeline);
      }) satisfies StackFactory,
    };

    // Act / Assert
    await expect(synthesize({ outdir: outdir(), configDir, factories: counting })).rejects.toThrow(
      EnvConfigError,
    );
    expect(built).toEqual([]);
  });

  it('does not parse pipeline.yaml when only pipeline-free stacks are synthesized', async () => {
    // Arrange
    const dir = outdir();

    // Act
    const result = await synthesize({
      outdir: dir,
      envs: ['dev'],
      projects: ['shared-infra', 'ledger-api'],
      pipelineFile: path.join(dir, 'does-not-exist.yaml'),
    });

    // Assert
    expect(result.synthesized).toEqual(['shared-infra-dev', 'ledger-api-dev']);
  });

  it('parses pipeline.yaml for a stack that needs it and reports a bad file', async () => {
    // Arrange
    const dir = outdir();
    const pipelineFile = path.join(dir, 'pipeline.yaml');
    writeFileSync(pipelineFile, 'name: [unclosed\n');
    const needsPipeline: StackFactory = (app, config, pipeline) => {
      pipeline();
      return stackFactories['shared-infra']!(app, config, pipeline);
    };

    // Act / Assert
    await expect(
      synthesize({ outdir: dir, envs: ['dev'], pipelineFile, factories: { view: needsPipeline } }),
    ).rejects.toThrow(/pipeline\.yaml/);
  });
});
