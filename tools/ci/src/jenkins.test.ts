import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCiProgram } from './program';
import { loadStackCatalog, type StackCatalogEntry } from './stack-catalog';
import { repoRoot } from './test-workspace';

const services = readdirSync(path.join(repoRoot, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const serviceJenkinsfiles = services.map((svc) => `services/${svc}/Jenkinsfile`);
const libraryFiles = readdirSync(path.join(repoRoot, 'jenkins', 'vars'))
  .filter((file) => file.endsWith('.groovy'))
  .map((file) => `jenkins/vars/${file}`);
const jobDslFiles = readdirSync(path.join(repoRoot, 'jenkins', 'jobs')).map((file) => `jenkins/jobs/${file}`);
const jobJenkinsfiles = readdirSync(path.join(repoRoot, 'jenkins'))
  .filter((file) => file.endsWith('.Jenkinsfile'))
  .map((file) => `jenkins/${file}`);
const pipelineFiles = ['Jenkinsfile', ...jobJenkinsfiles, ...serviceJenkinsfiles];
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

let catalog: readonly StackCatalogEntry[];
beforeAll(async () => {
  catalog = await loadStackCatalog(repoRoot);
});

describe('Jenkinsfiles', () => {
  it('pass npm-groovy-lint with no finding', { timeout: 900_000 }, async () => {
    // Act: --noserver so no CodeNarc server outlives the test
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, 'node_modules', '.bin', 'npm-groovy-lint'),
      [
        '--noserver',
        '--config',
        'jenkins/.groovylintrc.json',
        '--output',
        'json',
        '--failon',
        'none',
        ...pipelineFiles,
        ...libraryFiles,
        ...jobDslFiles,
      ],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      summary: { totalFilesLinted: number; totalFoundNumber: number };
      files: Record<string, { errors: { line: number; rule: string; msg: string }[] }>;
    };
    const findings = Object.entries(report.files).flatMap(([file, { errors }]) =>
      errors.map((e) => `${path.relative(repoRoot, file)}:${e.line} ${e.rule}: ${e.msg}`),
    );

    // Assert
    expect(report.summary.totalFilesLinted).toBe(
      pipelineFiles.length + libraryFiles.length + jobDslFiles.length,
    );
    expect(findings).toEqual([]);
  });

  it('give every service its own pipeline for its own Nx project, which has stacks to deploy', () => {
    // Arrange
    const projectOf = (svc: string) => JSON.parse(read(`services/${svc}/project.json`)).name as string;

    // Act
    const missing = serviceJenkinsfiles.filter((file) => !existsSync(path.join(repoRoot, file)));
    const pipelines = services.map((svc) => {
      const match = /lakepipeServicePipeline\(project: '([^']+)'\)/.exec(read(`services/${svc}/Jenkinsfile`));
      return { svc, project: match?.[1], expected: projectOf(svc) };
    });

    // Assert
    expect(services).toEqual(['sagemaker-scoring', 'sourcing', 'spark-etl', 'view']);
    expect(missing).toEqual([]);
    for (const { project, expected } of pipelines) {
      expect(project).toBe(expected);
      expect(catalog.some((entry) => entry.project === project)).toBe(true);
    }
  });

  it('call only lakepipe-ci commands that exist', () => {
    // Arrange
    const commands = buildCiProgram(repoRoot).commands.map((command) => command.name());
    const groovy = [...pipelineFiles, ...libraryFiles].map(read).join('\n');

    // Act
    const used = [...groovy.matchAll(/lakepipeCi(?:\.output|\.status)?\(["']([a-z-]+)/g)].map((m) => m[1]!);

    // Assert
    expect(new Set(used)).toEqual(
      new Set([
        'affected',
        'apply',
        'approved',
        'aws-target',
        'drift',
        'ephemeral',
        'notify',
        'plan',
        'provider-locks',
        'record-approval',
        'stacks',
      ]),
    );
    expect(used.filter((command) => !commands.includes(command))).toEqual([]);
  });

  it('call only library steps that jenkins/vars defines', () => {
    // Arrange
    const steps = libraryFiles.map((file) => path.basename(file, '.groovy'));
    const groovy = [...pipelineFiles, ...libraryFiles].map(read).join('\n');

    // Act
    const called = new Set([...groovy.matchAll(/\b(lakepipe[A-Z]\w*)\b/g)].map((m) => m[1]!));

    // Assert
    expect([...called].filter((step) => !steps.includes(step))).toEqual([]);
  });

  it('never name a stack: which stacks exist and which are ephemeral is read from infra/stacks.ts', () => {
    // Arrange
    const files = ['Jenkinsfile', ...jobJenkinsfiles, ...libraryFiles];

    // Act
    const named = files.flatMap((file) =>
      catalog
        .filter((entry) => new RegExp(`['"]${entry.id}['"]`).test(read(file)))
        .map((e) => `${file}: ${e.id}`),
    );

    // Assert
    expect(named).toEqual([]);
  });

  it('destroy the ephemeral stacks in a post { always } outside every stage timeout', () => {
    // Arrange (the behaviour itself is proven by the pipeline unit tests, jenkins/test/EphemeralJobTest)
    const ephemeral = read('jenkins/ephemeral.Jenkinsfile');

    // Act
    const options = ephemeral.slice(ephemeral.indexOf('options {'), ephemeral.indexOf('parameters {'));
    const post = ephemeral.slice(ephemeral.lastIndexOf('post {'));

    // Assert
    expect(options).not.toMatch(/timeout\(/);
    expect(ephemeral).not.toMatch(/parameterizedCron|triggers \{/);
    expect(post).toMatch(/always \{[\s\S]*lakepipeEphemeral\.finish\(/);
  });

  it('gate prod behind one approval without an agent, and keep the pipeline unit tests in npm test', () => {
    // Arrange
    const deploy = read('jenkins/vars/lakepipeDeploy.groovy');
    const jenkinsfile = read('Jenkinsfile');
    const project = JSON.parse(read('jenkins/project.json')) as {
      tags: string[];
      targets: Record<string, unknown>;
    };

    // Assert
    expect(deploy).toMatch(
      /input\(message: "Apply \$\{count\} stack\(s\) to \$\{envName\}\?\\n\\n\$\{reviewText\}"/,
    );
    const gate = jenkinsfile.slice(
      jenkinsfile.indexOf("stage('Approve prod')"),
      jenkinsfile.indexOf("stage('Apply prod')"),
    );
    expect(gate).toMatch(/\n {12}agent none\n/);
    expect(gate).toContain("lakepipeDeploy.approve('prod'");
    expect(jenkinsfile).toMatch(/^ {4}agent none$/m);
    expect(project.tags).toEqual(['scope:shared', 'type:tool']);
    expect(Object.keys(project.targets)).toEqual(['test']);
  });
});
