import { describe, expect, it } from 'vitest';
import * as errors from './errors';

describe('ledger errors', () => {
  it('are all LedgerErrors, each named after its class', () => {
    // Arrange
    const classes = Object.entries(errors).filter(([name]) => name.endsWith('Error'));

    // Act
    const names = classes
      .filter(([, type]) => (type as { prototype: unknown }).prototype instanceof errors.LedgerError)
      .map(([name]) => name);

    // Assert
    expect(names.sort()).toEqual(
      classes
        .map(([name]) => name)
        .filter((name) => name !== 'LedgerError')
        .sort(),
    );
    expect(new errors.RunAlreadyFinishedError('20261126T064500Z-a1b2c3', 'SUCCEEDED')).toMatchObject({
      name: 'RunAlreadyFinishedError',
      message:
        'run 20261126T064500Z-a1b2c3 already finished as SUCCEEDED: a finished run is not finished again',
    });
  });

  it('names the missing setting and what it holds', () => {
    // Act
    const error = new errors.LedgerConfigurationError('LAKEPIPE_NO_SUCH_SETTING', 'the ledger API function');

    // Assert
    expect(error).toBeInstanceOf(errors.LedgerError);
    expect(error.message).toBe('LAKEPIPE_NO_SUCH_SETTING is not set on the ledger API function (got null)');
  });
});
