import type { Command } from 'commander';
import { register as affected } from './affected';
import { register as clean } from './clean';
import { register as compile } from './compile';
import { register as cost } from './cost';
import { register as graph } from './graph';
import { register as planReview } from './plan-review';
import { register as query } from './query';
import { register as redrive } from './redrive';
import { register as reprocess } from './reprocess';
import { register as run } from './run';
import { register as score } from './score';
import { register as serve } from './serve';
import { register as status } from './status';
import { register as synth } from './synth';
import { register as validate } from './validate';

/** Every command of the CLI, in the order `lakepipe --help` lists them. */
export const commands: readonly ((program: Command) => void)[] = [
  validate,
  compile,
  graph,
  run,
  redrive,
  reprocess,
  status,
  query,
  serve,
  cost,
  score,
  synth,
  clean,
  planReview,
  affected,
];
