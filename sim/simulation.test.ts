import { describe, expect, it } from 'vitest';
import { summaryJson } from '../reports/write-run.ts';
import { run, scenario, tenants } from '../test/builders.ts';
import { Simulation, simulate } from './simulation.ts';

/** Enough DynamoDB capacity that it never throttles in these stories (the default table has 100 WCU). */
const roomy = { writeCapacity: 40_000 };

describe('determinism', () => {
  const input = {
    duration: '5m',
    tenants: [{ name: 'p', count: 50, rate: 30, bursts: [{ at: '2m', duration: '1m', multiplier: 4 }], eventBytes: { dist: 'lognormal', mean: 600, sd: 300 } }],
    kinesis: { shards: 2 },
  };

  it('gives a byte-identical summary.json for the same seed', () => {
    expect(summaryJson(run({ ...input, seed: 9 }).summary)).toBe(summaryJson(run({ ...input, seed: 9 }).summary));
  });

  it('gives a different one for another seed', () => {
    expect(summaryJson(run({ ...input, seed: 9 }).summary)).not.toBe(summaryJson(run({ ...input, seed: 10 }).summary));
  });
});

describe('the audit', () => {
  it('accounts for every offered event when Kinesis, DynamoDB and Firehose all throttle', () => {
    const { summary } = run({
      duration: '10m',
      tenants: [{ name: 'p', count: 100, rate: 30, eventBytes: 2000 }],
      kinesis: { shards: 2 },
      dynamodb: { writeCapacity: 2000 },
      // 1,000 records/s of 2 KB is 2 MB/s: a delivery stream raised to only 1 MiB/s throttles it.
      firehose: { mibPerSecond: 1, bufferSeconds: '60s' },
      producer: { maxRetries: 2 },
    });
    const e = summary.events;
    expect(summary.kinesis.throttledRecords).toBeGreaterThan(0);
    expect(summary.dynamodb.throttledRequests).toBeGreaterThan(0);
    expect(summary.firehose.throttledRecords).toBeGreaterThan(0);
    expect(Math.abs(e.offered - (e.accepted + e.rejected + e.dropped))).toBeLessThanOrEqual(1);
    expect(summary.audit.balanced).toBe(true);
    // Throttled writes downstream are retried until they succeed: nothing accepted is lost, all of it lands.
    expect(e.stored).toBe(e.accepted);
    expect(e.delivered).toBe(e.accepted);
  });

  it('counts records that expire unread from the stream as lost', () => {
    // The processor manages 1000 / (4 + 0.2) ≈ 238 records/s per shard against 500 arriving: the backlog ages past
    // the 60 s retention and the oldest records expire.
    const { summary } = run({
      duration: '5m',
      tenants: tenants(1, 500),
      kinesis: { shards: 1 },
      dynamodb: roomy,
      lambda: { perRecordMs: 4, retention: '60s' },
    });
    expect(summary.events.lost).toBeGreaterThan(0);
    expect(summary.events.stored + summary.events.lost).toBe(summary.events.accepted);
    expect(summary.audit.notes.join(' ')).toMatch(/expired/);
  });
});

describe('the stream processor (§4)', () => {
  it('falls behind when batches are slower than arrivals, and the iterator age grows as computed', () => {
    // One batch in flight of 100 records taking 20 + 2 × 100 = 220 ms: 100 / 0.22 ≈ 454.5 records/s, against 600.
    // After T seconds the processor has read 454.5·T records, i.e. everything that arrived before 454.5·T/600, so
    // the oldest unread record is T·(1 − 454.5/600) old: 145.5 s at T = 600.
    const { timeline } = run({ duration: '10m', tenants: tenants(1, 600), kinesis: { shards: 1 }, dynamodb: roomy, lambda: { perRecordMs: 2 } });
    const age = timeline.columns.iteratorAgeMs[599]! / 1000;
    expect(age).toBeGreaterThan(145.5 - 3);
    expect(age).toBeLessThan(145.5 + 3);
  });

  it('keeps up with a parallelization factor of 2', () => {
    const { timeline } = run({ duration: '10m', tenants: tenants(1, 600), kinesis: { shards: 1 }, dynamodb: roomy, lambda: { perRecordMs: 2, parallelizationFactor: 2 } });
    expect(Math.max(...timeline.columns.iteratorAgeMs)).toBeLessThanOrEqual(1000);
  });

  it('bills requests and GB-seconds from batches: invocations × batchMs + records × perRecordMs', () => {
    // 200 records/s on 2 shards, 100 each: one batch of 100 per shard per second: 2 invocations/s of 20 + 0.5 × 100 ms.
    const { summary } = run({ duration: '100s', tenants: tenants(1, 200), kinesis: { shards: 2 }, dynamodb: roomy, lambda: { memoryMb: 1024 } });
    expect(summary.lambda.invocations).toBe(200);
    expect(summary.lambda.gbSeconds).toBeCloseTo(200 * (20 + 0.5 * 100) / 1000, 6);
  });
});

describe('DynamoDB behind the processor (§3)', () => {
  it('throttles writes above capacity once burst credits run out, and the backlog stores them later', () => {
    // 150 items/s of 1 KB against 100 WCU: the table's burst credits (none at creation) cannot help, so it stores
    // 100/s and the stream backlog grows by 50/s; after traffic stops the backlog drains at 100/s.
    const { summary, timeline } = run({ duration: '10m', tenants: tenants(1, 150, { eventBytes: 1000 }), kinesis: { shards: 1 }, dynamodb: { writeCapacity: 100 } });
    expect(timeline.columns.stored[300]).toBeCloseTo(100, 6);
    expect(summary.dynamodb.throttledRequests).toBeGreaterThan(0);
    expect(summary.events.stored).toBe(summary.events.accepted);
    // 150 × 600 events at 100/s need 900 s in all: 300 s of drain.
    expect(summary.drainSeconds).toBeGreaterThanOrEqual(300);
    expect(summary.drainSeconds).toBeLessThanOrEqual(302);
    expect(summary.scaling.dynamodb.lagSeconds).toBe(600);
  });
});

describe('Firehose → S3 (§5)', () => {
  it('writes one object per buffer interval when the size hint is not reached', () => {
    const { summary } = run({ duration: '10m', tenants: tenants(1, 100), kinesis: { shards: 1 }, dynamodb: roomy, firehose: { bufferSeconds: '60s', bufferMb: 128 } });
    expect(summary.firehose.objects).toBe(10);
    expect(summary.events.delivered).toBe(60_000);
  });

  it('writes one object per full buffer when the size hint is reached first', () => {
    // 1,000 records/s of 1,024 B (+ none of Kinesis's key bytes reach Firehose) = 1,000 KiB/s: a 1 MiB buffer fills
    // every 1.024 s, so 600 s gives floor(600 / 1.024) = 585 full objects and one flush of the rest at the interval.
    const { summary } = run({ duration: '10m', tenants: tenants(1, 1000, { eventBytes: 1024 }), kinesis: { shards: 2 }, dynamodb: roomy, firehose: { bufferSeconds: '900s', bufferMb: 1 } });
    expect(summary.firehose.objects).toBe(586);
  });

  it('throttles at the 2018–2020 quota of 5,000 records/s and retries until delivered', () => {
    const input = { duration: '2m', tenants: tenants(10, 600, { eventBytes: 100 }), kinesis: { shards: 8 }, dynamodb: roomy };
    const old = run({ ...input, firehose: { quotaEra: 'v2' } });
    const now = run({ ...input, firehose: { quotaEra: 'v3' } });
    expect(old.summary.firehose.throttledRecords).toBeGreaterThan(0);
    expect(now.summary.firehose.throttledRecords).toBe(0);
    expect(old.summary.events.delivered).toBe(old.summary.events.accepted);
  });
});

describe('kinesis-scaling-utils in the loop (§2)', () => {
  it('scales no sooner than three published high minutes after a step from 50% to 180% of a shard', () => {
    // Minute m's datapoint is visible at m + 60 s + the 120 s publication delay. The step at 600 s makes minutes 600,
    // 660 and 720 high; the third becomes visible at 720 + 60 + 120 = 900 s, and a check runs every 60 s, so the
    // first scale-up is at exactly 900 s. (scaleDown.scaleAfterMins 10 makes the window 10 minutes, so the newest
    // unpublished minutes do not hide the high ones — see §2.4.)
    const { summary } = run({
      duration: '20m',
      tenants: tenants(1, 500, { eventBytes: 100, bursts: [{ at: '10m', duration: '10m', multiplier: 1800 / 500 }] }),
      kinesis: {
        shards: 1,
        reshardSeconds: 30,
        autoscaler: {
          policy: 'kinesis-scaling-utils',
          checkInterval: '60s',
          scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 3, scalePct: 200 },
          scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 10, scalePct: 50 },
        },
      },
    });
    const ups = summary.scaling.actions.filter((a) => a.service === 'kinesis' && a.to > a.from);
    expect(ups[0]).toMatchObject({ atSeconds: 900, from: 1, to: 2 });
    expect(summary.scaling.kinesis.firstScaleUpAtSeconds).toBe(900);
    // Under-provisioned from the step until the reshard completes 30 s after the action.
    expect(summary.scaling.kinesis.lagSeconds).toBe(900 + 30 - 600);
  });
});

describe('the cost meter in the loop', () => {
  it('bills one hour of fixed capacity as the hand-computed sum per service', () => {
    // 10 tenants × 50 events/s of 1,000 B in batches of 10; 2 shards; 600 WCU + 5 RCU; Firehose flushes every 60 s.
    const { summary } = simulate(
      scenario({
        duration: '1h',
        tenants: tenants(10, 50, { eventBytes: 1000, batchSize: 10 }),
        kinesis: { shards: 2 },
        dynamodb: { writeCapacity: 600, readCapacity: 5 },
        lambda: { memoryMb: 256 },
        firehose: { bufferSeconds: '60s', bufferMb: 128 },
      }),
    );
    const events = 500 * 3600;
    const expected = {
      // 180,000 requests at $3.50 per million (§6).
      apiGateway: (events / 10) * (3.5 / 1e6),
      // 2 shard-hours at $0.015, and one 25 KB PUT payload unit per record at $0.014 per million (§1.6).
      kinesis: 2 * 0.015 + events * (0.014 / 1e6),
      // 250 records/s per shard in batches of 100: 2.5 invocations/s per shard, 5 in all, each 20 ms + 0.5 ms a record:
      // 5 × 20 + 500 × 0.5 = 350 ms of 0.25 GB per second (§4).
      lambda: 5 * 3600 * (0.2 / 1e6) + 0.35 * 0.25 * 3600 * 0.0000166667,
      // 600 WCU-hours at $0.00065 and 5 RCU-hours at $0.00013 (§3.7).
      dynamodb: 600 * 0.00065 + 5 * 0.00013,
      // Every record billed as 5 KB (§5): 1.8 M × 5,120 B in GB of 2^30 B, at $0.029.
      firehose: ((events * 5120) / 2 ** 30) * 0.029,
      // One object per minute: 60 PUTs at $0.005 per 1,000.
      s3: 60 * (0.005 / 1000),
    };
    for (const [service, usd] of Object.entries(expected)) {
      expect(summary.cost.byService[service], service).toBeCloseTo(usd, 5);
    }
    expect(summary.cost.totalUsd).toBeCloseTo(Object.values(expected).reduce((a, b) => a + b), 5);
    expect(summary.cost.perMillionEventsUsd).toBeCloseTo((summary.cost.totalUsd / events) * 1e6, 5);
  });
});

describe('a duration that is not a whole number of ticks ends with a partial tick (issue 9 #2)', () => {
  // 10 tenants × 5 events/s, noise none: the run offers 50 events per simulated second, whatever the tick.
  it.each([
    ['30s', '5m', 1_500],
    ['90s', '60s', 4_500],
    ['100s', '7s', 5_000],
    ['1h', '7m', 180_000],
  ])('%s at %s offers 50/s × the duration = %i events', (duration, resolution, offered) => {
    const { summary } = run({ duration, resolution, tenants: tenants(10, 5), dynamodb: roomy });
    expect(summary.events.offered).toBe(offered);
    expect(summary.events.stored).toBe(offered);
    expect(summary.audit.balanced).toBe(true);
  });

  it('bills capacity for the scenario only: 4 shards for 30 s at 5 min ticks are 4 × 30 / 3600 = 0.033 shard-hours', () => {
    const { summary } = run({ duration: '30s', resolution: '5m', tenants: tenants(10, 5), kinesis: { shards: 4 } });
    expect(summary.kinesis.shardHours).toBe(0.033);
  });
});

describe('legal inputs that do nothing are said out loud; a bad price date fails before the run (issue 9 #7)', () => {
  it('a burst at 2h in a 1h run never fires: 10 × 5/s × 3,600 s = 180,000 offered, and a warning names it', () => {
    const { summary } = run({ duration: '1h', resolution: '1m', tenants: tenants(10, 5, { bursts: [{ at: '2h', duration: '10m', multiplier: 3 }] }), dynamodb: roomy });
    expect(summary.events.offered).toBe(180_000);
    expect(summary.warnings).toEqual(['tenants[0].bursts[0] (t) starts at 2h, at or after the end of the run (1h): it never fires']);
  });

  it('a group starting after the end sends nothing and is named', () => {
    const { summary } = run({ duration: '10m', tenants: [...tenants(1, 5), { name: 'late', rate: 5, noise: 'none', startAt: '1h' }] });
    expect(summary.events.offered).toBe(3_000);
    expect(summary.warnings).toEqual(['tenants[1] (late) starts at 1h, at or after the end of the run (10m): it sends nothing']);
  });

  it('--price-date 2020-13-45 is refused when the simulation is set up, not after it has run', () => {
    expect(() => new Simulation(scenario({ duration: '1h', tenants: tenants(1, 1) }), { priceDate: '2020-13-45' })).toThrow(/price date must be a real day/);
  });
});
