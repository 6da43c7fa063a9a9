/**
 * `check` end to end: each test spawns the real `ingestlab check` (cli/bin.mjs) on a 12-minute scenario written to a temp
 * folder (about a second a run) and reads the exit code, stdout and the JUnit, markdown and baseline files it writes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../test/cli-process.ts';

const check = (...args: string[]) => runCli(['check', '--quiet', ...args], { timeout: 50_000 });

/** 600 events/s into one shard (60%), tripled for six minutes; kinesis-scaling-utils scales up at `threshold`%. */
const scenarioText = (name: string, threshold: number, expectBlock = '') => `name: ${name}
seed: 3
duration: 12m
tenants:
  - { name: t, count: 20, rate: 30, bursts: [{ at: 3m, duration: 6m, multiplier: 3 }], batchSize: 10 }
kinesis:
  shards: 1
  reshardSeconds: 30
  autoscaler:
    policy: kinesis-scaling-utils
    checkInterval: 60s
    minShards: 1
    maxShards: 8
    scaleUp: { scaleThresholdPct: ${threshold}, scaleAfterMins: 1, scalePct: 200 }
    scaleDown: { scaleThresholdPct: 10, scaleAfterMins: 30, scalePct: 50 }
expect:
  events.lost: "== 0"
  throttleRate: "max(1m) < 10"
  scaling.kinesis.lagSeconds: "< 600"
${expectBlock}`;

let dir: string;
const at = (name: string) => join(dir, name);
/**
 * A file of ours outside the working folder has its baseline keyed by its absolute path (docs/check.md), never by the
 * scenario's name: /tmp/ingestlab-check-Ab12Cd/policy.yaml → file-tmp-ingestlab-check-Ab12Cd-policy.json.
 */
const baselineOf = (name: string) => `file-${join(dir, name).slice(1).replace(/\.yaml$/, '').replace(/\//g, '-')}.json`;
const write = (name: string, text: string) => {
  writeFileSync(at(name), text);
  return at(name);
};
const read = (name: string) => readFileSync(at(name), 'utf8');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingestlab-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check', () => {
  test('passing scenarios exit 0, and the reports are the same bytes with workers or without', async () => {
    const a = write('a.yaml', scenarioText('check-a', 75));
    const b = write('b.yaml', scenarioText('check-b', 75));
    const two = await check(a, b, '--no-baseline', '--jobs', '2', '--junit', at('j2.xml'), '--markdown', at('m2.md'));
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/✓ {2}scaling\.kinesis\.lagSeconds +\d+ +< 600/);
    expect(two.stdout.trimEnd().split('\n').at(-1)).toBe('✓ all 2 scenarios passed (6 expectations)');
    const one = await check(a, b, '--no-baseline', '--jobs', '1', '--junit', at('j1.xml'), '--markdown', at('m1.md'));
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(two.stdout);
    expect(read('j1.xml')).toBe(read('j2.xml'));
    expect(read('m1.md')).toBe(read('m2.md'));
    expect(read('j1.xml')).toContain('<testsuites name="ingestlab check" tests="6" failures="0" errors="0">');
  });

  test('an impossible expectation exits 99 and the JUnit file holds actual and expected', async () => {
    const file = write('impossible.yaml', scenarioText('check-impossible', 75, '  events.offered: "< 0"\n'));
    const r = await check(file, '--no-baseline', '--junit', at('impossible.xml'));
    expect(r.code).toBe(99);
    const xml = read('impossible.xml');
    expect(xml).toContain('<testsuite name="check-impossible" tests="4" failures="1"');
    expect(xml).toMatch(/<failure type="expectation" message="events\.offered: actual [\d,]+, expected &lt; 0">actual: +[\d,]+\nexpected: &lt; 0<\/failure>/);
  });

  test('an invalid expectation exits 2 with file:line:col', async () => {
    const file = write('invalid.yaml', scenarioText('check-invalid', 75, '  dropRate: "max(5 min) < 1"\n'));
    const r = await check(file, '--no-baseline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:20:13 expect.dropRate: cannot read "max(5 min) < 1": expected a duration inside max(…)`);
  });

  test('a lower scale-up threshold than the baseline was made with: the change is reported, beyond tolerance it fails', async () => {
    const baselines = at('baselines');
    const made = await check(write('policy.yaml', scenarioText('check-policy', 75)), '--baseline', baselines, '--update-baseline');
    expect(made.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(baselines, baselineOf('policy.yaml')), 'utf8'));
    expect(saved).toMatchObject({ scenario: 'check-policy', scenarioSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const lagBefore: number = saved.figures['scaling.kinesis.lagSeconds'];
    const costBefore: number = saved.figures['cost.totalUsd'];
    expect(lagBefore).toBeGreaterThan(0);

    // The same file checks clean against its own baseline.
    const same = await check(at('policy.yaml'), '--baseline', baselines);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('all key figures unchanged');

    // The pull request: scale up at 40% instead of 75%. Scaling earlier shortens the lag and costs more.
    write('policy.yaml', scenarioText('check-policy', 40));
    const r = await check(at('policy.yaml'), '--baseline', baselines, '--tolerance', 'cost=1', '--junit', at('policy.xml'), '--markdown', at('policy.md'));
    expect(r.code).toBe(99);
    const md = read('policy.md');
    const lag = /\| ⬇️ \| `scaling\.kinesis\.lagSeconds` \| ([\d,]+) \| ([\d,]+) \| −([\d.]+)% \| \+10% \|/.exec(md);
    expect(lag, md).not.toBeNull();
    expect(Number(lag![1]!.replace(/,/g, ''))).toBe(lagBefore);
    expect(Number(lag![2]!.replace(/,/g, ''))).toBeLessThan(lagBefore);
    expect(md).toMatch(/\| ❌ \| `cost\.totalUsd` \| [\d.]+ \| [\d.]+ \| \+[\d.]+% \| \+1% \|/);
    expect(md).toContain('policy.yaml changed since its baseline was made');
    expect(read('policy.xml')).toMatch(
      new RegExp(`<failure type="regression" message="cost\\.totalUsd: ${String(Number(costBefore.toPrecision(4))).replace('.', '\\.')} → [\\d.]+ \\(\\+[\\d.]+%\\), tolerance \\+1% \\(cost\\)">`),
    );
    expect(r.stdout).toMatch(/✗ {2}cost\.totalUsd .* REGRESSION/);
    expect(existsSync(join(baselines, baselineOf('policy.yaml')))).toBe(true);
  });

  test("a file of yours named like a bundled scenario never meets the bundled scenario's baseline", async () => {
    // The README's example used to fail check with a regression against reports/baselines/burst-spike.json.
    const r = await check(write('burst-spike.yaml', scenarioText('burst-spike', 75)));
    expect(r.stdout, r.stderr).toContain(`note: no baseline at reports/baselines/${baselineOf('burst-spike.yaml')}`);
    expect(r.stdout).not.toContain('reports/baselines/burst-spike.json');
  });
});
