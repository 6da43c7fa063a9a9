/**
 * The audit must balance in every architecture: offered = accepted + rejected + dropped and accepted = stored + lost +
 * in flight. A matrix of short, bursty runs across modes, keys, processors and front doors, each under pressure
 * (throttling somewhere), so that every path that moves records is exercised.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../test/builders.ts';

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
    const f = summary.audit.inFlightAtEnd;
    expect(summary.audit.notes.filter((n) => /differs/.test(n))).toEqual([]);
    expect(summary.audit.balanced).toBe(true);
    expect(Math.abs(e.offered - (e.accepted + e.rejected + e.dropped))).toBeLessThanOrEqual(1);
    expect(Math.abs(e.accepted - (e.stored + e.lost + f.stream + f.kinesisRetries))).toBeLessThanOrEqual(2);
    expect(e.stored).toBeLessThanOrEqual(e.accepted);
    expect(e.delivered).toBeLessThanOrEqual(e.accepted);
    const l = summary.latencyMs;
    expect(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max).toBe(true);
    // Under this pressure something throttles: the paths under test did run.
    expect(summary.kinesis.throttledRecords + e.rejected + summary.firehose.throttledRecords).toBeGreaterThan(0);
  });
});
