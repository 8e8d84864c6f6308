import { isNode, LineCounter, parseDocument } from 'yaml';
import type { Locate } from './model';

/**
 * Finds `file:line` of a path in a YAML document, for spec messages. The nearest existing
 * ancestor is used when the path itself is absent (e.g. a default that was never written).
 */
export function yamlLocator(text: string, file: string): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return `${file}:${lineCounter.linePos(node.range[0]).line}`;
    }
    return undefined;
  };
}
