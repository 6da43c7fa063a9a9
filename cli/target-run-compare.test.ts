/**
 * `scenario <file> --compare --time-scale 20` through the real CLI: the simulator and the embedded pipeline on a
 * two-minute scenario (6 s of wall load), writing fidelity.json, sim-timeline.csv and the report's "Simulator vs real
 * pipeline" section; then `report` on the folder rebuilds that report byte for byte and keeps the comparison's files.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const work = mkdtempSync(join(tmpdir(), 'ingestlab-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'cli', 'bin.mjs'), ...args], { cwd: work, encoding: 'utf8', timeout: 90_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });

test('--compare --time-scale 20 on 2 tenants × 10 events/s × 2 min: 2,400 offered on both sides, the section with its table and two-curve charts; report rebuilds it byte for byte', async () => {
  const file = join(work, 'tiny.yaml');
  writeFileSync(file, ['name: tiny-compare', 'duration: 2m', 'tenants:', '  - name: t', '    count: 2', '    rate: 10', '    noise: none', 'kinesis:', '  shards: 1', ''].join('\n'));
  const out = join(work, 'run');
  const r = await cli(['scenario', file, '--compare', '--time-scale', '20', '--out', out, '--quiet']);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code, r.stderr).toBe(0);

  // 2 tenants × 10 events/s × 120 s = 2,400 offered, by the simulator and (1 in 20 sent, × 20) by the real run.
  const fidelity = JSON.parse(readFileSync(join(out, 'fidelity.json'), 'utf8'));
  expect(fidelity).toMatchObject({ scenario: 'tiny-compare', target: 'embedded', timeScale: 20, sample: 0.05 });
  expect(fidelity.rows.find((x: { metric: string }) => x.metric === 'offered')).toMatchObject({ sim: 2400, real: 2400, relDiff: 0, differs: false });
  const cost = fidelity.rows.find((x: { metric: string }) => x.metric === 'cost per million events');
  expect(cost.sim).toBeGreaterThan(0);
  expect(cost.real).toBeGreaterThan(0);
  // 20 events/s on one shard is never over its 1,000 records/s: no lag on either side (the real one on 60 s rows); the
  // real run has no DynamoDB lag to compare.
  expect(fidelity.rows.find((x: { metric: string }) => x.metric === 'scaling lag (Kinesis)')).toMatchObject({ sim: 0, real: 0 });
  expect(fidelity.rows.find((x: { metric: string }) => x.metric === 'scaling lag (DynamoDB)').real).toBeNull();

  // The simulator's timeline summed into the real run's minutes: 1,200 offered in each.
  const simCsv = readFileSync(join(out, 'sim-timeline.csv'), 'utf8').trim().split('\n');
  expect(simCsv.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['t,offered', '0,1200', '60,1200']);

  const md = readFileSync(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/^## Simulator vs real pipeline$/m);
  expect(md).toContain('| figure | unit | simulator | real | difference | > 10% | note |');
  expect(md).toMatch(/^\| offered \| events \| 2,400 \| 2,400 \| \+0\.0% \|  \| real: 1 in 20 events sent, each counted 20 times \|$/m);
  expect(md).toContain('The real run was compressed 20× (each wall second stood for 20 scenario seconds) and sampled (1 in 20 events sent, each counted 20 times).');
  expect(md).toContain('(charts/fidelity-accepted.svg)');
  const svg = readFileSync(join(out, 'charts', 'fidelity-accepted.svg'), 'utf8');
  expect([...svg.matchAll(/<path class="series" data-label="([^"]+)"/g)].map((m) => m[1])).toEqual(['real embedded pipeline (20× compressed, sample 0.05)', 'simulator (seed 1)']);

  // `report` on the folder: the same report.md, the same section charts, the comparison's files kept.
  const before = Object.fromEntries(['report.md', 'report.html', ...readdirSync(join(out, 'charts')).map((c) => join('charts', c))].map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  const rebuilt = await cli(['report', out, '-q']);
  expect(rebuilt.code, rebuilt.stderr).toBe(0);
  for (const [f, text] of Object.entries(before)) expect(readFileSync(join(out, f), 'utf8'), f).toBe(text);
  for (const f of ['fidelity.json', 'sim-timeline.csv', 'target-run.json']) expect(existsSync(join(out, f)), f).toBe(true);
}, 120_000);
