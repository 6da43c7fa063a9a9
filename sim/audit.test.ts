/**
 * The audit must balance in every architecture and at every scale: offered = accepted + rejected + dropped, and for
 * each sink accepted = reached it + lost + in flight to it (a record stored in DynamoDB may still wait on Firehose).
 * A matrix of short, bursty runs across modes, keys, processors and front doors, each under pressure (throttling
 * somewhere), so that every path that moves records is exercised; then large, heavily throttled runs (issue 9).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenarios/load.ts';
import { run } from '../test/builders.ts';
import { simulate } from './simulation.ts';
import { auditFailures, type Summary } from './summary.ts';

/** Both sides of the audit add up exactly (counts are rounded one by one, so within 2 events). */
function expectExactAudit(summary: Summary): void {
  const e = summary.events;
  const a = summary.audit;
  expect(a.notes.filter((n) => /differs/.test(n))).toEqual([]);
  expect(a.balanced).toBe(true);
  expect(Math.abs(e.offered - (e.accepted + e.rejected + e.dropped))).toBeLessThanOrEqual(1);
  expect(a.stored!.reached).toBe(e.stored);
  expect(a.delivered!.reached).toBe(e.delivered);
  for (const side of [a.stored!, a.delivered!]) {
    expect(Math.abs(e.accepted - (side.reached + side.lost + side.inFlight))).toBeLessThanOrEqual(2);
    expect(Math.abs(side.difference)).toBeLessThan(1);
  }
  expect(e.lost).toBe(Math.max(a.stored!.lost, a.delivered!.lost));
  expect(a.lost).toBe(e.lost);
  expect(e.stored).toBeLessThanOrEqual(e.accepted);
  expect(e.delivered).toBeLessThanOrEqual(e.accepted);
}

function bundled(name: string, overrides: Record<string, unknown>): Summary {
  const scenario = parseScenario(readFileSync(new URL(`../scenarios/${name}.yaml`, import.meta.url), 'utf8'), `${name}.yaml`, overrides);
  return simulate(scenario).summary;
}

const tenantsUnderBurst = [
  { name: 'many', count: 60, rate: 20, bursts: [{ at: '2m', duration: '15m', multiplier: 4 }], eventBytes: { dist: 'lognormal', mean: 700, sd: 400 }, batchSize: 5 },
  { name: 'hot', count: 1, rate: 900, noise: 'none', eventBytes: 300 },
];

const ksu = {
  policy: 'kinesis-scaling-utils',
  checkInterval: '30s',
  minShards: 1,
  maxShards: 16,
  scaleUp: { scaleThresholdPct: 60, scaleAfterMins: 1, scalePct: 200 },
  scaleDown: { scaleThresholdPct: 10, scaleAfterMins: 5, scalePct: 50 },
};

const cases: [string, Record<string, unknown>][] = [];
for (const resolution of ['1s', '10s']) for (const kinesisMode of ['provisioned', 'on-demand']) {
  for (const partitionKey of ['tenant', 'tenant-timestamp']) {
    for (const [front, apiGateway] of [['rest', { type: 'rest', tenantLimit: 60 }], ['alb', { type: 'alb', fleet: { instances: 1, requestsPerInstance: 600 } }]] as const) {
      for (const processor of ['lambda', 'kcl']) {
        cases.push([
          `${kinesisMode} ${partitionKey} ${front} ${processor} at ${resolution}`,
          {
            duration: '20m',
            resolution,
            tenants: tenantsUnderBurst,
            apiGateway,
            processor,
            kinesis: { mode: kinesisMode, shards: 2, partitionKey, reshardSeconds: 20, ...(kinesisMode === 'provisioned' ? { autoscaler: ksu } : {}) },
            producer: { maxRetries: 2 },
            dynamodb: processor === 'kcl' ? { mode: 'on-demand' } : { writeCapacity: 800, autoscaling: { policy: 'target-tracking', min: 100 } },
            firehose: { mibPerSecond: 1, bufferSeconds: '60s' },
            lambda: { perRecordMs: 0.8, retention: '5m' },
          },
        ]);
      }
    }
  }
}

describe('the audit balances in every architecture', () => {
  it.each(cases)('%s', (_label, input) => {
    const { summary } = run(input);
    const e = summary.events;
    expectExactAudit(summary);
    const l = summary.latencyMs;
    expect(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max).toBe(true);
    // Under this pressure something throttles: the paths under test did run.
    expect(summary.kinesis.throttledRecords + e.rejected + summary.firehose.throttledRecords).toBeGreaterThan(0);
  });
});

describe('the audit balances at scale, under heavy throttling (issue 9)', () => {
  // The issue's reproduction (`steady --set tenants.0.count=20000 --duration 2h --set kinesis.shards=100 --set
  // dynamodb.writeCapacity=40000`) at 10 s ticks: 100,000 events/s of 512 B. Firehose's 5 MiB/s (us-east-1, §5) is
  // 10,240 records/s, so it delivers 10,240 × (7,200 s + 3,660 s of drain) = 111,206,400 and DynamoDB stores more:
  // the records stored but still waiting on Firehose were the audit's gap (−1,326,171 at 10 s ticks).
  // Firehose's automatic quota increase (issue 13) is off: the reproduction measured the fixed 5 MiB/s quota.
  const reproduction = {
    'tenants.0.count': 20_000,
    duration: '2h',
    'kinesis.shards': 100,
    'dynamodb.writeCapacity': 40_000,
    resolution: '10s',
    'firehose.quotaAutoIncrease': false,
  };

  it('20,000 tenants for 2 h: delivered is exactly 10,240/s × 10,860 s = 111,206,400, stored ahead of it, both sides exact', () => {
    const summary = bundled('steady', reproduction);
    expectExactAudit(summary);
    expect(summary.events.delivered).toBe(111_206_400);
    expect(summary.events.stored).toBeGreaterThan(summary.events.delivered + 1_000_000);
    expect(summary.audit.delivered!.inFlight - summary.audit.stored!.inFlight).toBe(summary.events.stored - summary.events.delivered);
    expect(summary.events.lost).toBe(0);
    expect(auditFailures(summary)).toEqual([]);
  });

  it('with 1 h retention the backlog expires: more is lost to S3 than to DynamoDB, each side exact, and it is a failure', () => {
    const summary = bundled('steady', { ...reproduction, 'lambda.retention': '1h' });
    expectExactAudit(summary);
    expect(summary.audit.stored!.lost).toBeGreaterThan(0);
    expect(summary.audit.delivered!.lost).toBeGreaterThan(summary.audit.stored!.lost);
    expect(auditFailures(summary)).toEqual([
      `${summary.events.lost.toLocaleString('en-US')} accepted events were lost (expired from the stream before reaching DynamoDB and S3)`,
    ]);
  });

  it('100,000 tenants for the diurnal week (60 s ticks): account-throttled, Firehose-bound, expiring; both sides exact', () => {
    // DynamoDB partitions off: placing 100,000 tenant keys makes this run 20× slower and is beside the audit's point.
    const summary = bundled('diurnal-week', { 'tenants.0.count': 100_000, 'firehose.quotaAutoIncrease': false, 'dynamodb.partitions.key': 'none' });
    expectExactAudit(summary);
    expect(summary.events.rejected).toBeGreaterThan(0);
    expect(summary.firehose.throttledRecords).toBeGreaterThan(0);
    expect(summary.audit.delivered!.lost).toBeGreaterThan(summary.audit.stored!.lost);
  });

  it('DynamoDB held at 500 WCU under 1,500 events/s with 30 min retention: lost to DynamoDB, both sides exact', () => {
    const summary = bundled('steady', { 'dynamodb.writeCapacity': 500, 'lambda.retention': '30m', resolution: '10s' });
    expectExactAudit(summary);
    expect(summary.dynamodb.throttledRequests).toBeGreaterThan(0);
    expect(summary.audit.stored!.lost).toBeGreaterThan(0);
    expect(auditFailures(summary).length).toBe(1);
  });
});
