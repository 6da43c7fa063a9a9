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
  // The simulator's files, from the real counts (issue 12 item 2).
  const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
  expect(summary.target).toBe('embedded');
  expect(summary.events).toMatchObject({ offered: 200, accepted: 200, rejected: 0, dropped: 0, stored: 200, delivered: 200, lost: 0 });
  expect(summary.audit.balanced).toBe(true);
  expect(summary.kinesis).toMatchObject({ shardsInitial: 1, shardsFinal: 1, reshards: 0, throttledRecords: 0 });
  // 1 shard × 5 s = 5/3600 shard-hours at $0.015, plus 200 records of under 25 KB = 200 PUT payload units at $0.014/M.
  expect(summary.kinesis.shardHours).toBe(0.001);
  expect(summary.cost.byService.kinesis).toBeCloseTo((5 / 3600) * 0.015 + (200 / 1e6) * 0.014, 6);
  // Not measured on a real run: null in the file, named in notMeasured.
  expect(summary.lambda.gbSeconds).toBeNull();
  expect(summary.notMeasured.join(' ')).toMatch(/gbSeconds/);
  const csv = readFileSync(join(folder, 'timeline.csv'), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(2); // one 60 s row for a 5 s run
  expect(csv[0]!.split(',')[1]).toBe('offered');
  expect(Number(csv[1]!.split(',')[1])).toBe(200);
  const report = readFileSync(join(folder, 'report.md'), 'utf8');
  expect(report).toMatch(/REAL run on the embedded pipeline/);
  expect(existsSync(join(folder, 'report.html'))).toBe(true);
  expect(existsSync(join(folder, MARKER))).toBe(true);
}, 120_000);

test('scenario --dashboard with a real target says where the live view of a real run is, exit 2, before starting anything', async () => {
  const cwd = mkdtempSync(join(work, 'dashboard-'));
  const result = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'cli', 'bin.mjs'), 'scenario', 'burst-spike', '--dashboard', '--target', 'embedded'], { cwd, encoding: 'utf8', timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stderr });
    });
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/npm run dashboard -- burst-spike --target embedded/);
  expect(existsSync(join(cwd, 'reports'))).toBe(false);
});
