import { describe, expect, it } from 'vitest';
import { TarEntryNameTooLongError } from '../src/errors';
import { tar } from './model-artifact';

describe('tar', () => {
  it('writes one ustar entry: a 512-byte header with the name, the content, padding and two zero blocks', () => {
    // Arrange
    const content = Buffer.from('{"learner":{}}');

    // Act
    const archive = tar('xgboost-model', content);

    // Assert
    expect(archive.length).toBe(512 + 512 + 1024);
    expect(archive.subarray(0, 13).toString('utf8')).toBe('xgboost-model');
    expect(archive.subarray(257, 262).toString('ascii')).toBe('ustar');
    expect(archive.subarray(512, 512 + content.length).equals(content)).toBe(true);
  });

  it('rejects an entry name over 100 bytes, naming it', () => {
    // Arrange
    const name = 'm'.repeat(101);

    // Act
    const act = () => tar(name, Buffer.from('x'));

    // Assert
    expect(act).toThrow(TarEntryNameTooLongError);
    expect(act).toThrow(`tar entry name "${name}" is over 100 bytes`);
  });
});
