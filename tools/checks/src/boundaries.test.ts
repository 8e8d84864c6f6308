import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBoundaries, workspaceGraphFromNx } from './boundaries.mjs';

const fixture = (name: string) => path.join(import.meta.dirname, 'test-fixtures', name);
const readFixture = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8'));
const script = path.join(import.meta.dirname, '..', 'project-boundaries.mjs');

describe('checkBoundaries', () => {
  it('accepts a graph where every project is tagged and services share only libs', () => {
    // Arrange
    const graph = workspaceGraphFromNx(readFixture('graph-within-bounds.json'));

    // Act
    const violations = checkBoundaries(graph);

    // Assert
    expect(violations).toEqual([]);
    expect(graph.dependencies).toContainEqual({ source: 'cli', target: 'spark-etl' }); // tools may use services
  });

  it('reports missing tags, a service depending on a service and a lib depending on a tool', () => {
    // Arrange
    const graph = workspaceGraphFromNx(readFixture('graph-with-violations.json'));

    // Act
    const violations = checkBoundaries(graph);

    // Assert
    expect(violations.map((v) => [v.project, v.rule])).toEqual([
      ['helpers', 'lib-depends-on-lib'],
      ['oddtype', 'type-tag'],
      ['spark-etl', 'service-to-service'],
      ['untagged', 'scope-tag'],
      ['untagged', 'type-tag'],
    ]);
    expect(violations.find((v) => v.rule === 'service-to-service')?.message).toBe(
      'spark-etl (services/spark-etl) depends on sourcing (services/sourcing): services never depend on other services (scope:spark-etl -> scope:sourcing); share through the lake prefixes or a scope:shared lib',
    );
    expect(violations.find((v) => v.project === 'untagged' && v.rule === 'scope-tag')?.message).toBe(
      'untagged (packages/untagged) must have exactly one scope:* tag (got ["npm:private"])',
    );
  });

  it('lets the composition root depend on services and infra, and only infra and tools depend on it', () => {
    // Arrange
    const project = (name: string, scope: string, type: string) => ({
      name,
      root: `x/${name}`,
      tags: [`scope:${scope}`, `type:${type}`],
    });
    const graph = {
      projects: [
        project('stages', 'shared', 'composition'),
        project('sourcing', 'sourcing', 'runtime'),
        project('view', 'view', 'runtime'),
        project('orchestration', 'shared', 'infra'),
        project('workflow', 'shared', 'lib'),
        project('cli', 'shared', 'tool'),
        project('infra-app', 'shared', 'infra'),
      ],
      dependencies: [
        { source: 'stages', target: 'sourcing' },
        { source: 'stages', target: 'view' },
        { source: 'stages', target: 'orchestration' },
        { source: 'stages', target: 'workflow' },
        { source: 'cli', target: 'stages' },
        { source: 'infra-app', target: 'stages' },
        { source: 'view', target: 'stages' },
        { source: 'workflow', target: 'stages' },
        { source: 'stages', target: 'cli' },
      ],
    };

    // Act
    const violations = checkBoundaries(graph);

    // Assert
    expect(violations.map((v) => [v.project, v.rule])).toEqual([
      ['stages', 'composition-without-tools'],
      ['view', 'composition-users'],
      ['workflow', 'lib-depends-on-lib'],
      ['workflow', 'composition-users'],
    ]);
    expect(violations.find((v) => v.project === 'view')?.message).toBe(
      'view (x/view) depends on stages (x/stages): only infra and tool projects may depend on the composition root (got type:runtime)',
    );
  });

  it('drops npm package dependencies from the graph', () => {
    // Act
    const graph = workspaceGraphFromNx(readFixture('graph-with-violations.json'));

    // Assert
    expect(graph.dependencies.some((d) => d.target.startsWith('npm:'))).toBe(false);
  });

  it('rejects input that is not an Nx graph', () => {
    // Act / Assert
    expect(() => workspaceGraphFromNx({ nodes: {} })).toThrow(
      'not an Nx project graph: expected { graph: { nodes, dependencies } }',
    );
  });
});

describe('project-boundaries.mjs', () => {
  it('exits 1 and prints each violation for a graph that breaks the rules', () => {
    // Act
    const run = spawnSync(process.execPath, [script, '--graph', fixture('graph-with-violations.json')], {
      encoding: 'utf8',
    });

    // Assert
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('project boundaries: 5 violation(s)');
    expect(run.stderr).toContain('[service-to-service] spark-etl (services/spark-etl) depends on sourcing');
  });

  it('passes on a graph within bounds', () => {
    // Act
    const output = execFileSync(process.execPath, [script, '--graph', fixture('graph-within-bounds.json')], {
      encoding: 'utf8',
    });

    // Assert
    expect(output).toContain('project boundaries: 5 projects, 5 dependencies, all tagged and within bounds');
  });
});
