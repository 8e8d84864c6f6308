import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@lakepipe/constructs';
import { describe, expect, it } from 'vitest';
import { stackCatalog, stackName } from './stacks';

/** Every Nx project name declared by a project.json under infra/, services/, packages/ and tools/. */
function nxProjectNames(): Set<string> {
  const names = new Set<string>();
  for (const top of ['infra', 'services', 'packages', 'tools']) {
    for (const dir of readdirSync(path.join(workspaceRoot, top), { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      try {
        const project = JSON.parse(
          readFileSync(path.join(workspaceRoot, top, dir.name, 'project.json'), 'utf8'),
        );
        names.add(project.name);
      } catch {
        // a folder without project.json (e.g. infra/config) is not a project
      }
    }
  }
  return names;
}

describe('stackCatalog', () => {
  it('lists each stack id once, as lower-case kebab-case', () => {
    // Act
    const ids = stackCatalog.map((entry) => entry.id);

    // Assert
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('points every stack at an existing Nx project', () => {
    // Arrange
    const projects = nxProjectNames();

    // Act / Assert
    for (const entry of stackCatalog) expect(projects, entry.id).toContain(entry.project);
  });

  it('keeps every stack always on: none costs money while idle, and the data services must stay up', () => {
    // Act (ADR 0003: Glue DPUs and SageMaker instances exist only while an execution runs)
    const onDemand = stackCatalog.filter((entry) => entry.ephemeral).map((entry) => entry.id);

    // Assert
    expect(onDemand).toEqual([]);
    expect(stackName('view-catalog', 'prod')).toBe('view-catalog-prod');
  });
});
