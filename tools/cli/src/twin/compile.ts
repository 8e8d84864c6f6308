// The twin executes the state machine infra/orchestration deploys: both compile with the
// composition root's compileForEnv (infra/parity.test.ts compares the two).
export {
  compileForEnv as compileForLocalRun,
  type EnvCompilation as LocalCompilation,
} from '@lakepipe/stages';
