// The project-graph rules of lakepipe (STYLE.md: tags on two axes, enforced by a check that fails).
// Plain ESM JavaScript so `node tools/checks/project-boundaries.mjs` runs without a TypeScript loader.

import { NotAProjectGraphError } from './errors.mjs';

/**
 * The type tags a project may carry. `composition` is the composition root (packages/stages): it
 * puts every service's stage type and stack together, so it depends on services; only infra and
 * tools may depend on it, which keeps a service from reaching another service through it.
 */
export const PROJECT_TYPES = ['runtime', 'infra', 'lib', 'tool', 'composition'];

/** The project types that may depend on a `type:composition` project. */
const COMPOSITION_USERS = ['infra', 'tool'];

/**
 * @typedef {{ name: string, root: string, tags: string[] }} ProjectInfo
 * @typedef {{ source: string, target: string }} ProjectDependency
 * @typedef {{ projects: ProjectInfo[], dependencies: ProjectDependency[] }} WorkspaceGraph
 * @typedef {{ project: string, rule: string, message: string }} BoundaryViolation
 */

/**
 * Reads the JSON `nx graph --file=graph.json` writes into projects and project-to-project
 * dependencies (npm packages are dropped).
 * @param {unknown} json
 * @returns {WorkspaceGraph}
 */
export function workspaceGraphFromNx(json) {
  const graph =
    /** @type {{ graph?: { nodes?: Record<string, any>, dependencies?: Record<string, any[]> } }} */ (json)
      .graph;
  if (!graph?.nodes || !graph.dependencies)
    throw new NotAProjectGraphError(json !== null && typeof json === 'object' ? Object.keys(json) : []);
  const projects = Object.values(graph.nodes).map((node) => ({
    name: node.name,
    root: node.data?.root ?? '',
    tags: node.data?.tags ?? [],
  }));
  const names = new Set(projects.map((p) => p.name));
  const dependencies = Object.values(graph.dependencies)
    .flat()
    .filter((dep) => names.has(dep.source) && names.has(dep.target) && dep.source !== dep.target)
    .map((dep) => ({ source: dep.source, target: dep.target }));
  return { projects, dependencies };
}

/**
 * @param {ProjectInfo} project
 * @param {string} axis
 */
function tagValues(project, axis) {
  return project.tags.filter((tag) => tag.startsWith(`${axis}:`)).map((tag) => tag.slice(axis.length + 1));
}

/**
 * Every violation of the rules, sorted by project:
 * - each project has exactly one `scope:*` tag and exactly one `type:*` tag of runtime|infra|lib|tool;
 * - a project of a service scope never depends on a project of another service scope;
 * - a `type:lib` depends only on libs, and a `scope:shared` lib never on a service's project;
 * - a `type:composition` never depends on a tool, and only infra and tools depend on it.
 * @param {WorkspaceGraph} graph
 * @returns {BoundaryViolation[]}
 */
export function checkBoundaries(graph) {
  /** @type {BoundaryViolation[]} */
  const violations = [];
  const byName = new Map(graph.projects.map((p) => [p.name, p]));
  const label = (/** @type {ProjectInfo} */ p) => `${p.name} (${p.root || '.'})`;

  for (const project of graph.projects) {
    const scopes = tagValues(project, 'scope');
    const types = tagValues(project, 'type');
    if (scopes.length !== 1) {
      violations.push({
        project: project.name,
        rule: 'scope-tag',
        message: `${label(project)} must have exactly one scope:* tag (got ${JSON.stringify(project.tags)})`,
      });
    }
    if (types.length !== 1 || !PROJECT_TYPES.includes(types[0])) {
      violations.push({
        project: project.name,
        rule: 'type-tag',
        message: `${label(project)} must have exactly one type:* tag of ${PROJECT_TYPES.join(', ')} (got ${JSON.stringify(project.tags)})`,
      });
    }
  }

  for (const { source, target } of graph.dependencies) {
    const from = byName.get(source);
    const to = byName.get(target);
    if (!from || !to) continue;
    const [fromScope] = tagValues(from, 'scope');
    const [toScope] = tagValues(to, 'scope');
    const [fromType] = tagValues(from, 'type');
    const [toType] = tagValues(to, 'type');
    const edge = `${label(from)} depends on ${label(to)}`;
    if (fromScope && toScope && fromScope !== 'shared' && toScope !== 'shared' && fromScope !== toScope) {
      violations.push({
        project: source,
        rule: 'service-to-service',
        message: `${edge}: services never depend on other services (scope:${fromScope} -> scope:${toScope}); share through the lake prefixes or a scope:shared lib`,
      });
    }
    if (fromType === 'composition' && toType === 'tool') {
      violations.push({
        project: source,
        rule: 'composition-without-tools',
        message: `${edge}: the composition root may not depend on a tool (got type:tool)`,
      });
    }
    if (toType === 'composition' && fromType && !COMPOSITION_USERS.includes(fromType)) {
      violations.push({
        project: source,
        rule: 'composition-users',
        message: `${edge}: only ${COMPOSITION_USERS.join(' and ')} projects may depend on the composition root (got type:${fromType})`,
      });
    }
    if (fromType === 'lib' && toType && toType !== 'lib') {
      violations.push({
        project: source,
        rule: 'lib-depends-on-lib',
        message: `${edge}: a type:lib may depend only on libs (got type:${toType})`,
      });
    } else if (fromType === 'lib' && fromScope === 'shared' && toScope && toScope !== 'shared') {
      violations.push({
        project: source,
        rule: 'shared-lib-scope',
        message: `${edge}: a scope:shared lib may not depend on scope:${toScope}`,
      });
    }
  }
  return violations.sort((a, b) => a.project.localeCompare(b.project) || a.message.localeCompare(b.message));
}
