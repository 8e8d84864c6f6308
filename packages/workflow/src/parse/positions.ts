import { type Document, isMap, isNode, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { PipelineProblem } from '../errors';

/** A path into the YAML document: map keys and sequence indexes. */
export type PathSegment = string | number;

export interface ReportOptions {
  /** point at the key node of the last segment rather than its value */
  readonly key?: boolean;
  /** point at this 0-based offset inside a scalar value (e.g. a position in a condition) */
  readonly offsetInValue?: number;
}

/**
 * Collects problems positioned at YAML nodes: a path is resolved to the node it names (or the
 * nearest ancestor that exists) and reported as file:line:column.
 */
export class ProblemReporter {
  readonly problems: PipelineProblem[] = [];

  constructor(
    readonly file: string,
    private readonly document: Document.Parsed,
    private readonly lineCounter: LineCounter,
  ) {}

  /** 1-based line and column of a 0-based offset in the text. */
  at(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The node at `segments` (the key node with `key`), or the nearest ancestor that exists. */
  nodeAt(segments: readonly PathSegment[], key = false): Node | undefined {
    let node: unknown = this.document.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (const [i, segment] of segments.entries()) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) return found;
        if (key && i === segments.length - 1) return pair.key as Node;
        node = pair.value;
        found = isNode(node) ? node : (pair.key as Node);
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        if (isNode(node)) found = node;
      } else return found;
    }
    return found;
  }

  /** The 1-based line of the key at `segments` (e.g. where a stage is declared). */
  lineOfKey(segments: readonly PathSegment[]): number {
    return this.at(this.nodeAt(segments, true)?.range?.[0] ?? 0).line;
  }

  report(segments: readonly PathSegment[], message: string, options: ReportOptions = {}): void {
    const node = this.nodeAt(segments, options.key);
    let offset = node?.range?.[0] ?? 0;
    if (options.offsetInValue !== undefined && isScalar(node)) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      offset += options.offsetInValue + (quoted ? 1 : 0);
    }
    this.problems.push({ file: this.file, ...this.at(offset), path: segments.join('.'), message });
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
