import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const glueDir = path.dirname(fileURLToPath(import.meta.url));
// python3 stdlib only (CI has no pyspark): compile the job, unit-test its pure helpers
const env = { ...process.env, PYTHONPYCACHEPREFIX: mkdtempSync(path.join(os.tmpdir(), 'pycache-')) };

describe('Glue job script', () => {
  it('compiles with python3 -m py_compile', () => {
    // Act
    const result = spawnSync('python3', ['-m', 'py_compile', 'etl_job.py', 'lakepipe_etl_helpers.py'], {
      cwd: glueDir,
      env,
      encoding: 'utf8',
    });

    // Assert
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes the stdlib unittest suite of its pure helpers', () => {
    // Act
    const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', '.', '-p', 'test_*.py'], {
      cwd: glueDir,
      env,
      encoding: 'utf8',
    });

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Ran 14 tests/);
    expect(result.stderr).toMatch(/\nOK\n/);
  });
});
