import type { Candidate } from '../candidates';

/** Two sources with the same file name in one dataset and run get `-2`, `-3`... before the extension. */
export function uniqueName(candidate: Candidate, used: Set<string>): string {
  let name = candidate.name;
  for (let n = 2; used.has(`${candidate.dataset}/${name}`); n++) {
    const dot = candidate.name.indexOf('.');
    name =
      dot > 0 ? `${candidate.name.slice(0, dot)}-${n}${candidate.name.slice(dot)}` : `${candidate.name}-${n}`;
  }
  used.add(`${candidate.dataset}/${name}`);
  return name;
}
