import path from 'node:path';
import type { RunObserver } from './progress';

/** Where a command read its pipeline and lake, as the user typed them. */
export interface CommandPlace {
  /** the pipeline file. @default pipeline.yaml in the current folder */
  readonly config?: string;
  /** the local lake. @default .lake in the current folder */
  readonly lake?: string;
}

/** `--config` and `--lake` for a printed hint, each left out when it is the default the hinted command uses. */
export function placeFlags(
  place: CommandPlace,
  which: readonly ('config' | 'lake')[] = ['config', 'lake'],
): string {
  const flags: string[] = [];
  if (
    which.includes('config') &&
    place.config &&
    path.resolve(place.config) !== path.resolve('pipeline.yaml')
  )
    flags.push(`--config ${shellWord(path.relative(process.cwd(), path.resolve(place.config)) || '.')}`);
  if (which.includes('lake') && place.lake && path.resolve(place.lake) !== path.resolve('.lake'))
    flags.push(`--lake ${shellWord(path.relative(process.cwd(), path.resolve(place.lake)) || '.')}`);
  return flags.length ? ` ${flags.join(' ')}` : '';
}

/** The commands to try after a run, each carrying the run's --config and --lake where it reads them. */
export function tryNextAfterRun(
  input: CommandPlace & { readonly runId: string; readonly dataset: string },
): string[] {
  const everything = placeFlags(input);
  const lakeOnly = placeFlags(input, ['lake']);
  return [
    `  npx lakepipe query "SELECT * FROM ${input.dataset}_latest LIMIT 5"${everything}`,
    `  npx lakepipe status ${input.runId}${lakeOnly}`,
    `  npx lakepipe serve${everything}        # runs, stages and the workflow in the browser`,
  ];
}

/** A notification's `npx lakepipe status RUN` lookup with the run's --lake. */
export function withLakeInLookup(line: string, place: CommandPlace): string {
  const lakeOnly = placeFlags(place, ['lake']);
  return lakeOnly ? line.replace(/(npx lakepipe status \S+)/, `$1${lakeOnly}`) : line;
}

function shellWord(word: string): string {
  return /^[\w./@:=+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * What the console shows when the run publishes a notification: a failure is announced without
 * its cause (the command prints the cause once, last); other notices keep their text, and any
 * status lookup carries the run's --lake.
 */
export function notificationLine(line: string, place: CommandPlace): string {
  const failure = /^✖ run (\S+) failed in (\S+?)(?: \(attempt \d+\))?:/.exec(line);
  if (!failure) return withLakeInLookup(line, place);
  const lake = path.relative(process.cwd(), path.resolve(place.lake ?? '.lake')) || '.';
  return `✖ run ${failure[1]} failed in ${failure[2]}: the error topic was notified (${path.join(lake, '_notifications')}/)`;
}

/** The observer with the run's notifications shown by notificationLine. */
export function withLakeInNotifications(observer: RunObserver, place: CommandPlace): RunObserver {
  return {
    stageStarted: (stageId, attempt) => observer.stageStarted(stageId, attempt),
    stageProgress: (stageId, update) => observer.stageProgress(stageId, update),
    stageFinished: (stageId, outcome) => observer.stageFinished(stageId, outcome),
    notification: (line) => observer.notification(notificationLine(line, place)),
    message: (text) => observer.message?.(text),
    close: () => observer.close(),
  };
}
