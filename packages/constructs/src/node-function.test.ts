import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Testing } from 'cdktf';
import { describe, expect, it, vi } from 'vitest';
import { LakepipeStack } from './lakepipe-stack';
import { LakepipeNodeFunction } from './node-function';
import { readZipEntries } from './test-fixtures/read-zip';
import { policyDocument, resourcesOfType, statementWithSid, synthJson, testEnvConfig } from './testing';
import { workspaceRoot } from './workspace';

const GREET = path.join(import.meta.dirname, 'test-fixtures', 'greet-handler.ts');

function stackFor(env = 'dev') {
  return new LakepipeStack(Testing.app(), `fn-${env}`, {
    config: testEnvConfig({ name: env, logRetentionDays: 30 }),
    service: 'sourcing',
  });
}

function tempEntry(source: string): string {
  const base = path.join(workspaceRoot, '.tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'node-fn-'));
  const file = path.join(dir, 'entry.ts');
  writeFileSync(file, source);
  return file;
}

describe('LakepipeNodeFunction', () => {
  it('creates a nodejs22.x arm64 function with its log group, role and environment', () => {
    // Arrange
    const stack = stackFor();

    // Act
    new LakepipeNodeFunction(stack, 'greet', {
      config: stack.config,
      name: 'greet',
      entry: GREET,
      memorySize: 256,
      environment: { LAKE_BUCKET: 'lake' },
      kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
    });

    // Assert
    const json = synthJson(stack);
    const [fn] = resourcesOfType(json, 'aws_lambda_function');
    expect(fn?.config).toMatchObject({
      function_name: 'lakepipe-dev-greet',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      memory_size: 256,
      timeout: 60,
      kms_key_arn: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', LAKE_BUCKET: 'lake' } },
      logging_config: { log_format: 'JSON' },
    });
    expect(resourcesOfType(json, 'aws_cloudwatch_log_group')[0]?.config).toMatchObject({
      name: '/aws/lambda/lakepipe-dev-greet',
      retention_in_days: 30,
      kms_key_id: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
    });
    const role = resourcesOfType(json, 'aws_iam_role')[0]?.config;
    expect(policyDocument(role?.assume_role_policy)[0]?.Principal).toEqual({
      Service: 'lambda.amazonaws.com',
    });
  });

  it('lets the role write only its own logs unless the caller adds statements', () => {
    // Arrange
    const stack = stackFor();
    const fn = new LakepipeNodeFunction(stack, 'greet', {
      config: stack.config,
      name: 'greet',
      entry: GREET,
    });

    // Act
    fn.addToPolicy({ sid: 'ReadRaw', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::lake/raw/*'] });

    // Assert
    const policy = resourcesOfType(synthJson(stack), 'aws_iam_role_policy')[0]?.config.policy;
    expect(policyDocument(policy).map((s) => s.Sid)).toEqual(['WriteOwnLogs', 'Tracing', 'ReadRaw']);
    expect(statementWithSid(policy, 'WriteOwnLogs')).toMatchObject({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.greet_logs_[0-9A-F]+\.arn\}:\*$/)],
    });
  });

  it('traces with X-Ray and lets only this function of this account assume its role', () => {
    // Arrange
    const stack = stackFor();

    // Act
    new LakepipeNodeFunction(stack, 'greet', { config: stack.config, name: 'greet', entry: GREET });

    // Assert
    const json = synthJson(stack);
    expect(resourcesOfType(json, 'aws_lambda_function')[0]?.config.tracing_config).toEqual({
      mode: 'Active',
    });
    const trust = JSON.parse(String(resourcesOfType(json, 'aws_iam_role')[0]?.config.assume_role_policy));
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:eu-west-1:111111111111:function:lakepipe-dev-greet' },
    });
  });

  it('sends failed asynchronous invocations to the on-failure destination and may publish to it', () => {
    // Arrange
    const stack = stackFor();
    const topic = 'arn:aws:sns:eu-west-1:111111111111:lakepipe-dev-errors';

    // Act
    new LakepipeNodeFunction(stack, 'greet', {
      config: stack.config,
      name: 'greet',
      entry: GREET,
      onFailureDestinationArn: topic,
      maximumRetryAttempts: 1,
    });

    // Assert
    const json = synthJson(stack);
    expect(resourcesOfType(json, 'aws_lambda_function_event_invoke_config')[0]?.config).toMatchObject({
      maximum_retry_attempts: 1,
      destination_config: { on_failure: { destination: topic } },
    });
    const policy = resourcesOfType(json, 'aws_iam_role_policy')[0]?.config.policy;
    expect(statementWithSid(policy, 'DeliverFailedInvocations')).toMatchObject({
      Action: ['sns:Publish'],
      Resource: [topic],
    });
  });

  it('bundles a handler that runs as an ES module', async () => {
    // Arrange
    const stack = stackFor();
    const fn = new LakepipeNodeFunction(stack, 'greet', {
      config: stack.config,
      name: 'greet',
      entry: GREET,
    });

    // Act
    const bundled = await import(pathToFileURL(path.join(fn.bundleDir, 'index.mjs')).href);
    const result = await bundled.handler({ name: 'lake' });

    // Assert
    expect(result).toEqual({ greeting: 'hello lake', digest: expect.stringMatching(/^[0-9a-f]{8}$/) });
  });

  it('keeps the code hash across environments and changes it only when the code changes', () => {
    // Arrange
    const entry = tempEntry('export const handler = async () => 1;\n');
    const hashOf = (env: string, file: string) => {
      const stack = stackFor(env);
      new LakepipeNodeFunction(stack, 'fn', { config: stack.config, name: 'fn', entry: file });
      return resourcesOfType(synthJson(stack), 'aws_lambda_function')[0]?.config.source_code_hash;
    };

    // Act
    const dev = hashOf('dev', entry);
    const prod = hashOf('prod', entry);
    const devAgain = hashOf('dev', entry);
    writeFileSync(entry, 'export const handler = async () => 2;\n');
    const changed = hashOf('dev', entry);

    // Assert
    expect(dev).toEqual(prod);
    expect(devAgain).toEqual(dev);
    expect(changed).not.toEqual(dev);
  });

  it('deploys a zip of index.mjs and its map, hashed as Terraform hashes the file', () => {
    // Arrange
    const stack = stackFor();
    new LakepipeNodeFunction(stack, 'greet', { config: stack.config, name: 'greet', entry: GREET });

    // Act
    const outdir = Testing.fullSynth(stack);
    const stackDir = path.join(outdir, 'stacks', 'fn-dev');
    const fn = resourcesOfType(
      JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')),
      'aws_lambda_function',
    )[0]?.config;
    const zip = readFileSync(path.join(stackDir, String(fn?.filename)));

    // Assert
    expect(fn?.filename).toMatch(/^assets\/greet_code_[0-9A-F]+\/[0-9A-F]{32}\/code\.zip$/);
    expect(fn?.source_code_hash).toBe(createHash('sha256').update(zip).digest('base64'));
    const entries = readZipEntries(zip);
    expect(entries.map((e) => e.name)).toEqual(['index.mjs', 'index.mjs.map']);
    expect(entries[0]?.text).toContain('hello ');
    expect(JSON.parse(entries[1]?.text ?? '{}')).toMatchObject({ version: 3 });
  });

  it('builds a byte-identical zip each time from the same code', () => {
    // Arrange
    const stack = stackFor();
    const base = path.join(workspaceRoot, '.tmp');
    mkdirSync(base, { recursive: true });
    const build = (id: string) =>
      new LakepipeNodeFunction(stack, id, {
        config: stack.config,
        name: id,
        entry: GREET,
        bundleDir: mkdtempSync(path.join(base, 'node-fn-zip-')),
      });

    // Act
    const first = build('first');
    const second = build('second');

    // Assert
    expect(first.bundleDir).not.toBe(second.bundleDir);
    const firstZip = readFileSync(path.join(first.bundleDir, 'code.zip'));
    expect(readFileSync(path.join(second.bundleDir, 'code.zip')).equals(firstZip)).toBe(true);
    expect(second.codeSha256).toBe(first.codeSha256);
  });

  it('bundles once for every environment of one app, and again when an imported file changes', () => {
    // Arrange
    const entry = tempEntry(
      "import { answer } from './answer';\nexport const handler = async () => answer;\n",
    );
    writeFileSync(path.join(path.dirname(entry), 'answer.ts'), 'export const answer = 1;\n');
    const build = (env: string) => {
      const stack = stackFor(env);
      return new LakepipeNodeFunction(stack, 'fn', { config: stack.config, name: 'fn', entry });
    };
    const dev = build('dev');
    const marker = path.join(dev.bundleDir, 'built-once');
    writeFileSync(marker, '');

    // Act
    const prod = build('prod');
    const markerSurvived = existsSync(marker);
    writeFileSync(path.join(path.dirname(entry), 'answer.ts'), 'export const answer = 2;\n');
    const changed = build('dev');

    // Assert
    expect(markerSurvived).toBe(true);
    expect(prod.codeSha256).toBe(dev.codeSha256);
    expect(existsSync(marker)).toBe(false);
    expect(changed.codeSha256).not.toBe(dev.codeSha256);
  });

  it("reuses the last run's bundle until an input, the zip or the cache switch says otherwise", async () => {
    // Arrange: a fresh module instance stands for a new synth process (empty in-process memo)
    const entry = tempEntry(
      "import { answer } from './answer';\nexport const handler = async () => answer;\n",
    );
    const answer = path.join(path.dirname(entry), 'answer.ts');
    writeFileSync(answer, 'export const answer = 1;\n');
    const bundleDir = path.join(path.dirname(entry), 'bundle');
    const buildInFreshProcess = async () => {
      vi.resetModules();
      const fresh = await import('./node-function');
      const stack = stackFor();
      return new fresh.LakepipeNodeFunction(stack, 'fn', {
        config: stack.config,
        name: 'fn',
        entry,
        bundleDir,
      });
    };
    const marker = path.join(bundleDir, 'built-before');
    const first = await buildInFreshProcess();
    writeFileSync(marker, '');

    // Act
    const warm = await buildInFreshProcess();
    const reusedUnchanged = existsSync(marker);
    writeFileSync(path.join(bundleDir, 'code.zip'), 'tampered');
    const afterTamper = await buildInFreshProcess();
    const rebuiltTampered = !existsSync(marker);
    writeFileSync(marker, '');
    writeFileSync(answer, 'export const answer = 2;\n');
    const afterEdit = await buildInFreshProcess();
    const rebuiltEdited = !existsSync(marker);
    writeFileSync(marker, '');
    vi.stubEnv('LAKEPIPE_BUNDLE_CACHE', 'off');
    await buildInFreshProcess();
    vi.unstubAllEnvs();

    // Assert
    expect(reusedUnchanged).toBe(true);
    expect(warm.codeSha256).toBe(first.codeSha256);
    expect(rebuiltTampered).toBe(true);
    expect(afterTamper.codeSha256).toBe(first.codeSha256);
    expect(rebuiltEdited).toBe(true);
    expect(afterEdit.codeSha256).not.toBe(first.codeSha256);
    expect(existsSync(marker)).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(bundleDir, 'bundle.json'), 'utf8'));
    expect(manifest.inputs).toEqual([
      path.relative(workspaceRoot, answer),
      path.relative(workspaceRoot, entry),
    ]);
  });

  it('reuses a bundle whose inputs were touched but not changed, and stamps their new times so the next run reads none of them', async () => {
    // Arrange: a bundle built by an earlier process, then its input rewritten with the same bytes
    const entry = tempEntry(
      "import { answer } from './answer';\nexport const handler = async () => answer;\n",
    );
    const answer = path.join(path.dirname(entry), 'answer.ts');
    writeFileSync(answer, 'export const answer = 1;\n');
    const bundleDir = path.join(path.dirname(entry), 'bundle');
    const buildInFreshProcess = async () => {
      vi.resetModules();
      const fresh = await import('./node-function');
      const stack = stackFor();
      return new fresh.LakepipeNodeFunction(stack, 'fn', {
        config: stack.config,
        name: 'fn',
        entry,
        bundleDir,
      });
    };
    const stampOnDisk = () =>
      JSON.parse(readFileSync(path.join(bundleDir, 'bundle.json'), 'utf8')).inputsStamp as string;
    const first = await buildInFreshProcess();
    const builtStamp = stampOnDisk();
    const marker = path.join(bundleDir, 'built-before');
    writeFileSync(marker, '');
    const later = new Date(Date.now() + 60_000);
    utimesSync(answer, later, later);

    // Act
    const touched = await buildInFreshProcess();

    // Assert: reused (the marker survives a rebuild's rm), same code, the manifest stamped anew
    expect(existsSync(marker)).toBe(true);
    expect(touched.codeSha256).toBe(first.codeSha256);
    expect(builtStamp).toMatch(/^[0-9a-f]{64}$/);
    expect(stampOnDisk()).not.toBe(builtStamp);
  });

  it('rejects bad props naming each value', () => {
    // Arrange
    const stack = stackFor();

    // Act / Assert
    expect(
      () =>
        new LakepipeNodeFunction(stack, 'bad', {
          config: stack.config,
          name: 'bad name',
          entry: 'relative/handler.ts',
          memorySize: 64,
          timeoutSeconds: 901,
        }),
    ).toThrow(
      'LakepipeNodeFunction lakepipe-dev-bad name: function name must be 1-64 letters, digits, - or _ (got "lakepipe-dev-bad name"); entry must be an existing absolute file path (got "relative/handler.ts"); memorySize must be between 128 and 10240 MB (got 64); timeoutSeconds must be between 1 and 900 (got 901)',
    );
  });

  it('reports a bundling error with the file and line', () => {
    // Arrange
    const stack = stackFor();
    const entry = tempEntry(
      'export const handler = async () => {\n  return import("./missing-module");\n};\n',
    );

    // Act / Assert
    expect(
      () => new LakepipeNodeFunction(stack, 'broken', { config: stack.config, name: 'broken', entry }),
    ).toThrow(/cannot bundle .*entry\.ts:\n.*entry\.ts:2: Could not resolve "\.\/missing-module"/);
  });
});
