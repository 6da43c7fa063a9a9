/**
 * `scenario --target embedded` through the real CLI: the real pipeline takes a small scenario, the output folder is a
 * safe slug of the file (a hostile `name:` cannot move it), written whole with its marker, and the counts balance.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { MARKER } from './run-folder.ts';
import { scenarioKey } from './scenario-slug.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const work = mkdtempSync(join(tmpdir(), 'ingestlab-target-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('2 tenants × 20 events/s × 5 s on the embedded pipeline: 200 offered, accepted, stored and delivered; the folder is file-…-embedded, not the name', async () => {
  const file = join(work, 'tiny.yaml');
  writeFileSync(
    file,
    ['name: ../../../../escaped-target', 'duration: 5s', 'tenants:', '  - name: t', '    count: 2', '    rate: 20', '    noise: none', 'kinesis:', '  shards: 1', ''].join('\n'),
  );
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'cli', 'bin.mjs'), 'scenario', file, '--target', 'embedded', '-q'], { cwd: work, encoding: 'utf8', timeout: 90_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.code).toBe(0);
  const folder = join(work, 'reports', 'out', `${scenarioKey(file, join(ROOT, 'scenarios'), work)}-embedded`);
  expect(folder.endsWith('file-tiny-embedded')).toBe(true);
  const run = JSON.parse(readFileSync(join(folder, 'target-run.json'), 'utf8')) as { events: Record<string, number> };
  expect(run.events).toMatchObject({ offered: 200, accepted: 200, stored: 200, delivered: 200, missing: 0 });
  expect(existsSync(join(work, '..', '..', '..', '..', 'escaped-target-embedded'))).toBe(false);
  expect(existsSync(join(folder, MARKER))).toBe(true);
}, 120_000);
