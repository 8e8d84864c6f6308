import { CiError } from './errors';
/** The `--cost FILE` of a plan review is missing or not the markdown `lakepipe cost --format markdown` prints. */
export class CostSectionError extends CiError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `--cost ${file} ${problem}: write it with \`npx lakepipe cost --env <env> --format markdown > ${file}\``,
    );
    this.name = 'CostSectionError';
  }
}
