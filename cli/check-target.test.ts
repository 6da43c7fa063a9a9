/**
 * `check --target embedded` end to end: the real CLI (cli/bin.mjs) runs a 20-second scenario on the real embedded
 * pipeline (quota gateway, ingest API, processor, emulators), compressed 2× (10 s of load, each sent event standing for
 * 2), and the expectations are judged against numbers worked out by hand:
 *
 * - offered: `noise: none`, so exactly (10 + 40) events/s × 20 s = 1,000.
 * - the API's per-tenant limit is 20 events/s with a bucket of 20. `calm` sends 10/s: all of it passes. `loud` sends
 *   40/s; compressed 2× and sampled 1/2 it sends 40 events per wall second for 10 s, of which the limiter (wall clock)
 *   admits at most 20 (the bucket) + 20/s × 10 s = 220 sent, 440 in scenario units. So accepted ≤ 200 + 440 = 640 and
 *   rejected ≥ 800 − 440 = 360 (36% of offered), never 0; `events.accepted >= 900` must fail.
 * - nothing is dropped: 50 events/s into one shard of 1,000 records/s.
 * - Lambda's concurrency and the dropped-per-minute series are not measured on a real run (NaN in its
 *   summary), DynamoDB's per-partition throttles are not in it at all: listed as not measured, neither passed nor failed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../test/cli-process.ts';
import { autoTimeScale, compressionText, withNoiseFloor } from './check-target.ts';
import type { FigureComparison } from '../reports/baseline.ts';

const SCENARIO = `name: check-target-tiny
seed: 1
duration: 20s
tenants:
  - { name: calm, count: 1, rate: 10, batchSize: 5, noise: none }
  - { name: loud, count: 1, rate: 40, batchSize: 5, noise: none }
apiGateway:
  tenantLimit: 20
kinesis:
  shards: 1
expect:
  events.offered: "== 1000"
  events.rejected: "rate >= 0.3"
  events.dropped: "== 0"
  events.accepted: ">= 900"
  scaling.kinesis.lagSeconds: "< 600"
  lambda.maxConcurrency: "< 10"
  dropRate: "max(10s) < 0.5"
  dynamodb.partitionThrottledRequests: "rate < 0.8"
`;

let dir: string;
let file: string;
const at = (name: string) => join(dir, name);
const check = (...args: string[]) => runCli(['check', '--target', 'embedded', ...args], { timeout: 90_000 });
/** The baseline key of a file outside the working folder: its absolute path made a slug (cli/scenario-slug.ts). */
const baselineFile = () => join(at('baselines'), 'embedded', `file-${file.slice(1).replace(/\.yaml$/, '').replace(/\//g, '-')}.json`);
const num = (text: string) => Number(text.replace(/,/g, ''));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingestlab-check-target-'));
  file = at('tiny.yaml');
  writeFileSync(file, SCENARIO);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check --target', () => {
  test('auto time scale: about 120 s of load, never more than 20×; aws runs at 1', () => {
    expect(autoTimeScale(20, 'embedded')).toBe(1);
    expect(autoTimeScale(30 * 60, 'embedded')).toBe(15); // 1800 / 120
    expect(autoTimeScale(40 * 60, 'embedded')).toBe(20);
    expect(autoTimeScale(25 * 60, 'embedded')).toBe(13); // ceil(1500 / 120 = 12.5)
    expect(autoTimeScale(3600, 'embedded')).toBe(20); // capped: 3 minutes of load
    expect(autoTimeScale(7 * 86400, 'localstack')).toBe(20);
    expect(autoTimeScale(3600, 'aws')).toBe(1);
    expect(compressionText(2400, 27, 1 / 27)).toBe(
      'time scale 27 (40m of scenario in 1m29s of load), sample 1/27 (each sent event stands for 27): counts in scenario units; latencies wall-clock, not scaled',
    );
  });

  test("a real run's refused-record counts rising by less than 0.5% of offered are noise, not a regression", () => {
    const figure = (key: string, before: number, after: number, status: FigureComparison['status']): FigureComparison => ({
      key,
      tolerance: 'throttled',
      tolerancePct: 10,
      before,
      after,
      changePct: before ? ((after - before) / before) * 100 : null,
      status,
    });
    const notes: string[] = [];
    // 1,350,000 offered: the floor is 6,750. 220 → 1,440 (+1,220) is noise; 220 → 7,220 (+7,000) is not; cost is never.
    const out = withNoiseFloor(
      [
        figure('kinesis.throttledRecords', 220, 1_440, 'regressed'),
        figure('events.dropped', 220, 7_220, 'regressed'),
        figure('cost.totalUsd', 1, 1.2, 'regressed'),
        figure('events.lost', 0, 10, 'regressed'),
      ],
      1_350_000,
      notes,
    );
    expect(out.map((c) => c.status)).toEqual(['worse', 'regressed', 'regressed', 'regressed']);
    expect(notes).toEqual(['baseline: kinesis.throttledRecords rose by 1,220, 0.090% of offered: under a real run\'s noise floor of 0.5%, not a regression']);
  });

  test('usage errors exit 2 before anything runs, naming the choices', async () => {
    const bad = await runCli(['check', '--target', 'nonsense', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--target nonsense: expected sim (the simulator, the default), embedded, localstack, aws');
    const simOnly = await runCli(['check', file, '--time-scale', '4']);
    expect(simOnly.code).toBe(2);
    expect(simOnly.stderr).toContain('--time-scale: for real runs only');
    const parallel = await check(file, '--jobs', '2');
    expect(parallel.code).toBe(2);
    expect(parallel.stderr).toContain('real runs share the machine');
    const aws = await runCli(['check', '--target', 'aws', file]);
    expect(aws.code).toBe(2);
    expect(aws.stderr).toContain('aws target refused');
    const sample = await check(file, '--sample', '2');
    expect(sample.code).toBe(2);
    expect(sample.stderr).toContain('--sample expects a fraction in (0, 1], got "2"');
  });

  test('a real run: hand-computed expectations pass and fail, unmeasured ones are listed; its baseline is kept per target and compared only at the same compression', async () => {
    const r = await check(file, '--time-scale', '2', '--baseline', at('baselines'), '--update-baseline', '--junit', at('j.xml'), '--markdown', at('m.md'));
    expect(r.code, r.stderr).toBe(99);
    expect(r.stderr).toContain('checking 1 scenario on the embedded pipeline, one at a time: 10s of load in all');
    expect(r.stderr).toContain('check-target-tiny on embedded: time scale 2 (20s of scenario in 10s of load), sample 1/2 (each sent event stands for 2)');
    const out = r.stdout;
    expect(out).toContain(`✗ check-target-tiny  ${file}  on embedded`);
    expect(out).toMatch(/✓ {2}events\.offered +1,000 +== 1000/);
    const rejected = /✓ {2}events\.rejected +([\d.]+) +rate >= 0\.3/.exec(out);
    expect(rejected, out).not.toBeNull();
    expect(Number(rejected![1])).toBeGreaterThanOrEqual(0.34); // ≥ 360 of 1,000 by hand, less one 10-event request of jitter
    expect(Number(rejected![1])).toBeLessThanOrEqual(0.42);
    expect(out).toMatch(/✓ {2}events\.dropped +0 +== 0/);
    const accepted = /✗ {2}events\.accepted +([\d,]+) +>= 900/.exec(out);
    expect(accepted, out).not.toBeNull();
    expect(num(accepted![1]!)).toBeLessThanOrEqual(660); // ≤ 640 by hand, plus one request of jitter
    // Kinesis scaling lag is measured on the real timeline's 60 s rows: 50 events/s on one shard (1,000/s) is never under.
    expect(out).toMatch(/✓ {2}scaling\.kinesis\.lagSeconds +0 +< 600/);
    for (const key of ['lambda.maxConcurrency', 'dropRate', 'dynamodb.partitionThrottledRequests']) {
      expect(out).toMatch(new RegExp(`– {2}${key.replaceAll('.', '\\.')} +not measured +.*not measured on embedded: neither passed nor failed`));
    }
    expect(out.trimEnd().split('\n').at(-1)).toBe('✗ 1 of 1 scenario failed: 1 of 5 expectations failed, 3 expectations not measured on embedded');

    const xml = readFileSync(at('j.xml'), 'utf8');
    expect(xml).toContain('<testsuites name="ingestlab check --target embedded" tests="8" failures="1" errors="0" skipped="3">');
    expect(xml).toContain('<property name="target" value="embedded"/>');
    expect(xml).toMatch(/<testcase classname="check-target-tiny.expect" name="lambda.maxConcurrency &lt; 10">\n\s+<skipped message="not measured on embedded"\/>/);
    const md = readFileSync(at('m.md'), 'utf8');
    expect(md).toContain('## ❌ Capacity check on embedded: 1 of 1 scenario failed');
    expect(md).toContain('| ❌ | check-target-tiny | 4 of 5 passed, 3 not measured | updated |');
    expect(md).toContain('| ➖ | `lambda.maxConcurrency` | not measured on embedded | `< 10` |');

    // The baseline is the real run's, apart from the simulator's, and says how the run was compressed.
    const saved = JSON.parse(readFileSync(baselineFile(), 'utf8'));
    expect(saved.run).toEqual({ target: 'embedded', timeScale: 2, sample: 0.5 });
    expect(saved.figures['scaling.kinesis.lagSeconds']).toBe(0);
    expect(saved.figures['events.rejected']).toBeGreaterThanOrEqual(340);
    expect(saved.figures['events.dropped']).toBe(0);

    // Against that baseline: compared only at the same compression; unmeasured figures and wall-clock latency are not.
    const same = await check(file, '--time-scale', '2', '--baseline', at('baselines'), '--markdown', at('same.md'));
    expect(same.code, same.stderr).toBe(99); // events.accepted >= 900 still fails; no regression is needed for that
    expect(same.stdout).toMatch(/ {2}baseline \S+embedded\/file-\S+\.json: (all key figures unchanged|\d+ of \d+ key figures changed)/);
    expect(same.stdout).toMatch(/note: baseline: scaling\.kinesis\.lagSeconds not compared \(on a real run, in the timeline's 60 s rows\)/);
    expect(same.stdout).toMatch(/note: baseline: latencyMs\.p99 not compared \(wall-clock on the machine that ran it\)/);
    expect(same.stdout).not.toMatch(/✗ +scaling\.kinesis\.lagSeconds/);

    const other = await check(file, '--time-scale', '4', '--baseline', at('baselines'));
    expect(other.stdout).toContain('was made at time scale 2, sample 0.5; this run is at 4, 0.25: counts from other weights and clocks are not like for like, so not compared');
    expect(other.stdout).not.toMatch(/ {2}baseline \S+: (all key figures|\d+ of)/);
  }, 240_000);
});
