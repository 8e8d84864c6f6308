import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const glueDir = path.dirname(fileURLToPath(import.meta.url));
const venvPython = path.resolve(glueDir, '../../../../.venv/bin/python');
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
    const result = spawnSync('python3', ['-m', 'unittest', 'test_lakepipe_etl_helpers'], {
      cwd: glueDir,
      env,
      encoding: 'utf8',
    });

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Ran 17 tests/);
    expect(result.stderr).toMatch(/\nOK\n/);
  });

  it('runs on PySpark 3.5.4 (the .venv): its settings, and every line numbered across splits', () => {
    // Arrange
    expect(existsSync(venvPython), `${venvPython}: run bash tools/setup/setup-python.sh`).toBe(true);

    // Act
    const result = spawnSync(venvPython, ['-W', 'ignore', '-m', 'unittest', 'test_etl_job_spark'], {
      cwd: glueDir,
      env: { ...env, PYSPARK_PYTHON: venvPython, SPARK_LOCAL_IP: '127.0.0.1' },
      encoding: 'utf8',
    });

    // Assert
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Ran 2 tests/);
    expect(result.stderr).toMatch(/\nOK\n/);
  }, 600_000);
});
