import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { workspaceRoot } from '@lakepipe/constructs/env';
import { describe, expect, it, vi } from 'vitest';
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

describe('buildModelArtifact', () => {
  it('keeps the archive by the model hash, and a later process reads it instead of compressing again', async () => {
    // Arrange: a fresh module instance stands for a new synth process (empty in-process memo)
    mkdirSync(path.join(workspaceRoot, '.tmp'), { recursive: true });
    const cacheDir = mkdtempSync(path.join(workspaceRoot, '.tmp', 'model-artifacts-'));
    const model = Buffer.from(`{"learner":{"note":"${'x'.repeat(2000)}${Math.random()}"}}`);
    const kept = path.join(cacheDir, `${createHash('sha256').update(model).digest('hex')}.tar.gz`);
    const inFreshProcess = async () => {
      vi.resetModules();
      const fresh = await import('./model-artifact');
      return fresh.buildModelArtifact({ bytes: model }, cacheDir);
    };

    // Act
    const first = await inFreshProcess();
    const keptBytes = readFileSync(kept);
    const marked = Buffer.concat([keptBytes, Buffer.from('kept')]);
    writeFileSync(kept, marked);
    const second = await inFreshProcess();

    // Assert: the archive was kept whole (it unpacks to the model), and the next process used it
    expect(keptBytes.equals(first.bytes)).toBe(true);
    expect(
      gunzipSync(keptBytes)
        .subarray(512, 512 + model.length)
        .equals(model),
    ).toBe(true);
    expect(second.bytes.equals(marked)).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([path.basename(kept)]);
    rmSync(cacheDir, { recursive: true, force: true });
  });
});
