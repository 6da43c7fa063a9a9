/**
 * Output safety (issue 9, findings 4, 5 and 9): run folders keyed by a safe slug of the scenario file, written whole
 * (no stale file survives, a foreign folder is refused), a saved run re-reported byte for byte and re-checked.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { abandonRunFolder, commitRunFolder, MARKER, prepareRunFolder } from './run-folder.ts';
import { assertRunSize, runSize } from './run-size.ts';
import { scenarioKey, slug } from './scenario-slug.ts';
import { runCli } from '../test/cli-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const BUNDLED = join(ROOT, 'scenarios');
const temps: string[] = [];
const temp = (parent = tmpdir()) => {
  const dir = mkdtempSync(join(parent, 'ingestlab-out-'));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], cwd = ROOT) => runCli(args, { cwd });

describe('output names: a safe slug of the scenario file, never its free-text name', () => {
  test('slug keeps letters, digits, . _ - and can never be empty, . or ..', () => {
    expect(slug('../../../../tmp/escaped')).toBe('tmp-escaped');
    expect(slug('..')).toBe('scenario');
    expect(slug('')).toBe('scenario');
    expect(slug('burst spike (v2)')).toBe('burst-spike-v2');
    expect(slug('a'.repeat(200))).toHaveLength(80);
  });

  test('a bundled scenario is keyed by its file name; a user file by file- and its path, so the two never share', () => {
    expect(scenarioKey(join(BUNDLED, 'burst-spike.yaml'), BUNDLED, ROOT)).toBe('burst-spike');
    // A user file with the bundled file's very name, in the working folder or elsewhere.
    expect(scenarioKey(join(ROOT, 'burst-spike.yaml'), BUNDLED, ROOT)).toBe('file-burst-spike');
    expect(scenarioKey(join(ROOT, 'examples', 'burst-with-own-policy.yaml'), BUNDLED, ROOT)).toBe('file-examples-burst-with-own-policy');
    expect(scenarioKey('/srv/team/steady.yaml', BUNDLED, ROOT)).toBe('file-srv-team-steady');
  });
});

describe('run folders are written whole', () => {
  const write = (files: Record<string, string>) => (dir: string) =>
    Object.entries(files).map(([name, text]) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });

  test('the temporary folder exists beside the destination before anything is written, and becomes it', () => {
    const parent = temp();
    const folder = prepareRunFolder(join(parent, 'run'));
    expect(existsSync(folder.tmp)).toBe(true);
    expect(folder.tmp.startsWith(join(parent, '.run.tmp-'))).toBe(true);
    const files = commitRunFolder(folder, write({ 'summary.json': '{}' }), { scenario: 's' });
    expect(files).toEqual([join(parent, 'run', 'summary.json')]);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(readdirSync(join(parent, 'run')).sort()).toEqual([MARKER, 'summary.json']);
  });

  test('a second run replaces the first whole: its chart that the new run does not draw is gone', () => {
    const dir = join(temp(), 'run');
    commitRunFolder(prepareRunFolder(dir), write({ 'summary.json': '1', 'charts/dynamodb-capacity.svg': '<svg/>' }), {});
    commitRunFolder(prepareRunFolder(dir), write({ 'summary.json': '2', 'charts/kinesis-capacity.svg': '<svg/>' }), {});
    expect(readdirSync(join(dir, 'charts'))).toEqual(['kinesis-capacity.svg']);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe('2');
  });

  test("a folder holding someone's own files is refused, kept as it was, and replaced only with force", () => {
    const dir = temp();
    writeFileSync(join(dir, 'report.md'), 'my notes');
    expect(() => prepareRunFolder(dir)).toThrow(/holds files that ingestlab did not write \(report\.md\); choose another --out, or add --force/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('my notes');
    commitRunFolder(prepareRunFolder(dir, { force: true }), write({ 'summary.json': '{}' }), {});
    expect(readdirSync(dir).sort()).toEqual([MARKER, 'summary.json']);
  });

  test('never the working folder or one above it, even with force; a file in the way is refused', () => {
    expect(() => prepareRunFolder('.', { force: true })).toThrow(/refusing to use \. \(\.\) as an output folder/);
    expect(() => prepareRunFolder('..', { force: true })).toThrow(/refusing to use \.\./);
    const file = join(temp(), 'f');
    writeFileSync(file, 'x');
    expect(() => prepareRunFolder(file)).toThrow(/is a file; expected a folder/);
  });

  test('a failed run leaves the earlier run as it was and no temporary folder', () => {
    const parent = temp();
    const dir = join(parent, 'run');
    commitRunFolder(prepareRunFolder(dir), write({ 'summary.json': 'old' }), {});
    const folder = prepareRunFolder(dir);
    expect(() =>
      commitRunFolder(
        folder,
        () => {
          throw new Error('disk full');
        },
        {},
      ),
    ).toThrow('disk full');
    abandonRunFolder(folder);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe('old');
  });

  test("a new run keeps the compare/ folder that compare wrote inside the scenario's folder", () => {
    const dir = join(temp(), 'run');
    commitRunFolder(prepareRunFolder(dir), write({ 'summary.json': '1', 'compare/compare.md': 'side by side' }), {});
    commitRunFolder(prepareRunFolder(dir), write({ 'summary.json': '2' }), {});
    expect(readFileSync(join(dir, 'compare', 'compare.md'), 'utf8')).toBe('side by side');
  });
});

describe('run size is checked before running', () => {
  const scenario = (duration: number, resolution: number) => ({ duration, resolution, tenants: [{}, {}, {}], kinesis: { shards: 4 } });

  test('ticks and timeline rows: a row per tick up to a day, a row per minute beyond', () => {
    expect(runSize(scenario(3600, 1))).toMatchObject({ ticks: 3600, timelineRows: 3600 });
    expect(runSize(scenario(7 * 86_400, 1))).toMatchObject({ ticks: 604_800, timelineRows: 10_080 });
  });

  test('a week at 1 s passes; 100,000 days is refused with a way out; a zero tick is refused', () => {
    expect(() => assertRunSize(scenario(7 * 86_400, 1), 'x', {})).not.toThrow();
    expect(() => assertRunSize(scenario(100_000 * 86_400, 1), 'x', {})).toThrow(/x cannot finish in reasonable time: 100000d at 1s resolution is 8,640,000,000 ticks/);
    expect(() => assertRunSize(scenario(3600, 0), 'x', {})).toThrow(/resolution must be longer than 0s/);
    // The limit is the user's to raise; memory is not: 100,000 days at 1 m need 144,000,000 timeline rows.
    expect(() => assertRunSize(scenario(100_000 * 86_400, 60), 'x', { INGESTLAB_MAX_RUN_SECONDS: '1e9' })).toThrow(/cannot fit in memory: .* 144,000,000 rows/);
  });
});

describe('through the real CLI', { timeout: 120_000 }, () => {
  test('name: ../../../../tmp/escaped writes under reports/out/file-…, never outside', async () => {
    const dir = temp(join(ROOT, 'test'));
    const escaped = `escaped-${process.pid}`;
    writeFileSync(join(dir, 'evil.yaml'), `name: ../../../../tmp/${escaped}\nduration: 1m\ntenants: [{ name: t, count: 1, rate: 1 }]\n`);
    const rel = dir.slice(ROOT.length + 1);
    const r = await cli(['scenario', `${rel}/evil.yaml`, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = join(ROOT, 'reports', 'out', slug(`file-${rel.replace(/\//g, '-')}-evil`, 120));
    temps.push(out);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(existsSync(join('/tmp', escaped))).toBe(false);
  });

  test('scenario then report gives a byte-identical report.md (expectations table and verdict included); check re-runs the saved run', async () => {
    const dir = join(temp(), 'run');
    const run = await cli(['scenario', 'burst-spike', '--duration', '20m', '--set', 'kinesis.shards=6', '-q', '--out', dir]);
    expect(run.code, run.stderr).toBe(0);
    const before = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(before).toMatch(/\| scaling\.kinesis\.lagSeconds \|/);
    const report = await cli(['report', dir, '-q']);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(before);
    // The saved scenario carries the overrides, so check runs the same 20 minutes on 6 shards.
    const saved = readFileSync(join(dir, 'scenario.resolved.yaml'), 'utf8');
    expect(saved).toMatch(/^# The scenario as this run used it: scenarios\/burst-spike\.yaml with kinesis\.shards=6, duration="20m"\.$/m);
    const check = await cli(['check', dir, '--no-baseline', '--markdown', join(dir, '..', 'check.md')]);
    // Same verdict on every expectation as the saved run recorded, and the exit code that follows from them.
    const expectations = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as { key: string; expected: string; pass: boolean }[];
    const marks = [...check.stdout.matchAll(/^ {4}(✓|✗) {2}(\S+) /gm)].map((m) => [m[2], m[1] === '✓']);
    expect(marks).toEqual(expectations.map((e) => [e.key, e.pass]));
    expect(check.code).toBe(expectations.every((e) => e.pass) ? 0 : 99);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.kinesis.shardsInitial).toBe(6);
    expect(summary.durationSeconds).toBe(1200);
  });
});
