// Variant and sweep parsing, ranking, crossovers, and a crossover the simulator must find where hand arithmetic
// from the price table puts it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareScenario } from '../cli/compare-command.ts';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';
import { run, tenants } from '../test/builders.ts';
import { compareMarkdown, disqualification, rankingLines, findCrossovers, parseSweep, parseVariant, rankVariants, variantsFromScenario, type SweepPoint, type VariantRun } from './compare.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ingestlab-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('--variant and variants:', () => {
  it('parses a label and dotted keys with YAML values', () => {
    expect(parseVariant('ondemand:kinesis.mode=on-demand,dynamodb.mode=on-demand')).toEqual({
      label: 'ondemand',
      overrides: { 'kinesis.mode': 'on-demand', 'dynamodb.mode': 'on-demand' },
    });
    expect(parseVariant('pertenant:kinesis.shards=200,kinesis.partitionKey=tenant').overrides).toEqual({ 'kinesis.shards': 200, 'kinesis.partitionKey': 'tenant' });
    expect(parseVariant('kcl:processor=kcl,kcl.instances=3').overrides).toEqual({ processor: 'kcl', 'kcl.instances': 3 });
  });

  it('says what is wrong with a malformed variant', () => {
    expect(() => parseVariant('kinesis.mode=on-demand')).toThrow(/label:key=value/);
    expect(() => parseVariant('x:')).toThrow(/sets nothing/);
  });

  it('flattens a scenario variants: section to dotted keys, keeping policy sections whole', () => {
    const v = variantsFromScenario({ daily: { dynamodb: { tablePer: 'day' } }, ksu: { kinesis: { autoscaler: { policy: 'none' } } } });
    expect(v).toEqual([
      { label: 'daily', overrides: { 'dynamodb.tablePer': 'day' } },
      { label: 'ksu', overrides: { 'kinesis.autoscaler': { policy: 'none' } } },
    ]);
  });
});

describe('--sweep', () => {
  it('multiplies, adds, or spreads five points', () => {
    expect(parseSweep('tenants.0.count=10..10000x10')).toEqual({ key: 'tenants.0.count', values: [10, 100, 1000, 10000], multiplicative: true });
    expect(parseSweep('kinesis.shards=2..8+2')).toEqual({ key: 'kinesis.shards', values: [2, 4, 6, 8], multiplicative: false });
    expect(parseSweep('tenants.0.rate=0..1').values).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('rejects ranges it cannot walk', () => {
    expect(() => parseSweep('tenants.0.count=10..1')).toThrow(/from ≤ to/);
    expect(() => parseSweep('tenants.0.count=0..100x10')).toThrow(/factor/);
    expect(() => parseSweep('tenants.0.count')).toThrow(/key=from..to/);
  });
});

/** A healthy run: 10 tenants × 5 events/s for 10 minutes, 30,000 events offered, all stored and delivered. */
const healthy = run({ duration: '10m', tenants: tenants(10, 5) }).summary;
const fake = (cpm: number | null, events: Partial<Summary['events']> = {}, audit: Partial<Summary['audit']> = {}): Summary => ({
  ...healthy,
  events: { ...healthy.events, ...events },
  audit: { ...healthy.audit, ...audit },
  cost: { ...healthy.cost, perMillionEventsUsd: cpm },
});
const result = (key: string, pass: boolean): ExpectationResult => ({ key, expected: '== 0', actual: pass ? 0 : 1, pass }) as unknown as ExpectationResult;

describe('ranking and crossovers', () => {
  it('ranks cheapest first, runs with no accepted events last', () => {
    const ranked = rankVariants([{ label: 'a', summary: fake(2) }, { label: 'b', summary: fake(null) }, { label: 'c', summary: fake(1) }]);
    expect(ranked.map((r) => r.label)).toEqual(['c', 'a', 'b']);
  });

  it('interpolates where two variants swap order, in 1/x (cost per event = fixed/x + variable)', () => {
    // a − b = −1 at x = 100 and +3 at x = 200. In u = 1/x the difference goes from −1 at 0.01 to +3 at 0.005: zero a
    // quarter of the way, at u = 0.01 − 0.005/4 = 0.00875, i.e. x = 1/0.00875 ≈ 114.29.
    const point = (value: number, a: number, b: number): SweepPoint => ({
      value,
      runs: [
        { label: 'a', overrides: {}, summary: fake(a), expectations: null },
        { label: 'b', overrides: {}, summary: fake(b), expectations: null },
      ],
    });
    const c = findCrossovers([point(10, 1, 3), point(100, 2, 3), point(200, 6, 3)], 'tenants.0.count');
    expect(c).toHaveLength(1);
    expect(c[0]!.at).toBeCloseTo(1 / 0.00875, 9);
    expect(c[0]!.text).toBe('a is cheaper below 114 tenants; b above');
  });
});

describe('disqualification: what got through comes before cost (issue 9 #3)', () => {
  it('the healthy run (30,000 offered, all stored and delivered) qualifies', () => {
    expect(healthy.events.offered).toBe(30_000);
    expect(healthy.events.delivered).toBe(30_000);
    expect(disqualification({ summary: healthy })).toBeUndefined();
  });

  it('dropping 60 of 30,000 (0.2%, over the 0.1% tolerance) disqualifies; 30 of 30,000 (0.1%) does not', () => {
    // Dropped events are never accepted: 30,000 = 29,940 accepted + 60 dropped, all accepted stored and delivered.
    const over = fake(1, { dropped: 60, accepted: 29_940, stored: 29_940, delivered: 29_940 });
    expect(disqualification({ summary: over })).toBe('0.2% of offered events dropped or refused for capacity (tolerance 0.1%)');
    const at = fake(1, { dropped: 30, accepted: 29_970, stored: 29_970, delivered: 29_970 });
    expect(disqualification({ summary: at })).toBeUndefined();
  });

  it('one lost accepted event disqualifies (no tolerance), and so does an unbalanced audit', () => {
    const lost = fake(1, { lost: 1, stored: 29_999, delivered: 29_999 }, { lost: 1 });
    expect(disqualification({ summary: lost })).toMatch(/^1 accepted events were lost/);
    const unbalanced = fake(1, {}, { balanced: false, notes: ['accepted differs from stored + lost + in flight to DynamoDB by 7'] });
    expect(disqualification({ summary: unbalanced })).toBe('the audit does not balance (accepted differs from stored + lost + in flight to DynamoDB by 7)');
  });

  it('3,000 of 30,000 still in flight when the drain ended (10%) disqualifies', () => {
    const stuck = fake(1, { stored: 27_000, delivered: 27_000 });
    expect(disqualification({ summary: stuck })).toBe('10.0% of offered events not yet stored and delivered when the drain ended (tolerance 0.1%)');
  });

  it('a scenario that states its drop tolerance (events.dropped: rate < 0.30) is judged by it: 10% dropped qualifies when the expectation passes', () => {
    const dropping = fake(1, { dropped: 3_000, accepted: 27_000, stored: 27_000, delivered: 27_000 });
    expect(disqualification({ summary: dropping, expectations: [result('events.dropped', true)] })).toBeUndefined();
    expect(disqualification({ summary: dropping, expectations: [result('events.dropped', false)] })).toBe('fails 1 of 1 expectations (events.dropped == 0)');
  });

  it('a failed expectation disqualifies, a failed cost ceiling does not (cost is what the ranking compares)', () => {
    expect(disqualification({ summary: healthy, expectations: [result('events.dropped', false), result('cost.perMillionEventsUsd', false)] })).toBe(
      'fails 1 of 2 expectations (events.dropped == 0)',
    );
    expect(disqualification({ summary: healthy, expectations: [result('cost.perMillionEventsUsd', false)] })).toBeUndefined();
  });

  it('ranks a qualified $2 variant above a disqualified $1 one, and the verdict never calls the $1 one cheapest', () => {
    const cheapButDropping: VariantRun = { label: 'cheap', overrides: {}, summary: fake(1, { dropped: 3_000, accepted: 27_000, stored: 27_000, delivered: 27_000 }), expectations: null };
    const sound: VariantRun = { label: 'sound', overrides: {}, summary: fake(2), expectations: null };
    expect(rankVariants([cheapButDropping, sound]).map((r) => r.label)).toEqual(['sound', 'cheap']);
    const md = compareMarkdown({ scenario: 'x', description: '', runs: [cheapButDropping, sound] });
    expect(md).toContain('**Verdict:** Cheapest: sound at $2.00 per million delivered events (100% of offered events stored, 100% delivered); disqualified: cheap (10.0% of offered events dropped or refused for capacity (tolerance 0.1%)).');
    expect(md).toContain('| disqualified | cheap | $1.00 | 90.0% / 90.0% |');
    expect(rankingLines([cheapButDropping, sound])).toEqual([
      '1.  sound             $2.00 per million delivered · stored 100%, delivered 100% of offered · meets expectations: —',
      '–   cheap             $1.00 per million delivered · stored 90.0%, delivered 90.0% of offered · meets expectations: —\n     disqualified: 10.0% of offered events dropped or refused for capacity (tolerance 0.1%)',
    ]);
  });

  it('no crossover is drawn where one side is disqualified', () => {
    const point = (value: number, a: Summary, b: Summary): SweepPoint => ({
      value,
      runs: [
        { label: 'a', overrides: {}, summary: a, expectations: null },
        { label: 'b', overrides: {}, summary: b, expectations: null },
      ],
    });
    // a is cheaper at 100 and dearer at 200: a crossover, unless b drops 10% at 200.
    expect(findCrossovers([point(100, fake(1), fake(2)), point(200, fake(3), fake(2))], 'tenants.0.count')).toHaveLength(1);
    const dropping = fake(2, { dropped: 3_000, accepted: 27_000, stored: 27_000, delivered: 27_000 });
    expect(findCrossovers([point(100, fake(1), fake(2)), point(200, fake(3), dropping)], 'tenants.0.count')).toEqual([]);
  });
});

describe('a provisioned/on-demand crossover, by hand', () => {
  // Only Kinesis differs between the two variants, and nothing is throttled, so every other service costs the same
  // in both and the crossover is where their Kinesis bills per event meet. With N tenants at 0.1 events/s of 900 B for
  // one hour, E = 360·N events:
  //   provisioned: 4 shard-hours × $0.015 + E × 1 PPU × $0.014/1e6                            (§1.6)
  //   on-demand:   1 stream-hour × $0.04 + E × 1,024 B (rounded up to 1 KB) × $0.08/GB
  //                + E × (900 + 26 B partition key) read by Lambda × $0.04/GB, GB = 2^30 B      (§1.6)
  // on-demand − provisioned = −$0.02 + E · k, with k = (1024·0.08 + 926·0.04)/2^30 − 0.014e-6.
  const k = (1024 * 0.08 + 926 * 0.04) / 2 ** 30 - 0.014e-6;
  const exactTenants = 0.02 / k / 360; // ≈ 574
  // The sweep runs N = 100, 200, …, 1000. The difference in cost per event, −0.02/(360·N) + k, is linear in 1/N, and
  // the report interpolates in 1/N between the two points that bracket it (500 and 600), so it finds the exact value.

  it('names the crossover the arithmetic predicts', async () => {
    const file = join(tmp, 'crossover.yaml');
    writeFileSync(
      file,
      [
        'name: crossover',
        'duration: 1h',
        'resolution: 10s',
        'tenants: [{ name: t, count: 100, rate: 0.1, noise: none, eventBytes: 900, batchSize: 1 }]',
        'kinesis: { mode: provisioned, shards: 4, partitionKey: tenant-timestamp }',
        'dynamodb: { writeCapacity: 1000 }',
        'firehose: { bufferSeconds: 60s }',
      ].join('\n'),
    );
    const out = join(tmp, 'out');
    const result = await compareScenario(file, { variant: ['ondemand:kinesis.mode=on-demand'], sweep: 'tenants.0.count=100..1000+100', set: [], out, quiet: true });
    // The premise: the other services cost the same in both variants at every point.
    for (const p of result.sweep!.points) {
      const [prov, od] = p.runs;
      for (const service of ['apiGateway', 'lambda', 'dynamodb', 'firehose', 's3']) {
        expect(od!.summary.cost.byService[service], `${service} at ${p.value}`).toBeCloseTo(prov!.summary.cost.byService[service]!, 6);
      }
    }
    expect(exactTenants).toBeGreaterThan(570);
    expect(exactTenants).toBeLessThan(578);
    const crossings = findCrossovers(result.sweep!.points, 'tenants.0.count');
    expect(crossings).toHaveLength(1);
    expect(crossings[0]!.cheaperBelow).toBe('ondemand');
    expect(crossings[0]!.at).toBeCloseTo(exactTenants, 0);
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md).toContain(`ondemand is cheaper below ${Math.round(exactTenants)} tenants; baseline above`);
    expect(md).toContain('![Cost per million delivered events vs tenants](charts/sweep-cost.svg)');
    // Each side-by-side run (the last swept value) keeps its own files.
    const variant = JSON.parse(readFileSync(join(out, 'variants', 'ondemand', 'summary.json'), 'utf8'));
    expect(variant.kinesis.mode).toBe('on-demand');
    expect(readFileSync(join(out, 'variants', 'baseline', 'timeline.csv'), 'utf8')).toMatch(/^t,/);
  });
});
