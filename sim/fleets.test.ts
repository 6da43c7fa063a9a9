// Stories for the fixed-fleet alternatives: an ALB with instances in front of Kinesis, and a KCL consumer on instances.
// Expected values are hand arithmetic from the scenario and the (UNCONFIRMED) default prices in price-table.ts.
import { describe, expect, it } from 'vitest';
import { run, tenants } from '../test/builders.ts';

const roomy = { writeCapacity: 40_000 };

describe('apiGateway.type: alb with a fixed fleet', () => {
  it('serves at most instances × requestsPerInstance requests/s and refuses the rest', () => {
    // 3,000 requests/s against 2 × 1,000 = 2,000/s with one second (2,000) in the bucket: second 1 passes all 3,000
    // (2,000 + 2,000 available, 1,000 left), second 2 all 3,000 (1,000 + 2,000), then 2,000/s for 58 s.
    const { summary } = run({
      duration: '60s',
      tenants: tenants(100, 30),
      kinesis: { shards: 10 },
      dynamodb: roomy,
      apiGateway: { type: 'alb', fleet: { instances: 2, requestsPerInstance: 1_000 } },
    });
    expect(summary.events.accepted).toBe(3_000 + 3_000 + 58 * 2_000);
    expect(summary.apiGateway.rejectedFleetCapacity).toBe(180_000 - 122_000);
    expect(summary.apiGateway.rejectedAccountLimit).toBe(0);
  });

  it('does not apply API Gateway’s 10,000 requests/s account throttle', () => {
    // 15,000 requests/s: REST would pass 15,000 then 10,000/s; a fleet of 10 × 2,000 passes them all.
    const { summary } = run({ duration: '10s', tenants: tenants(100, 150), kinesis: { shards: 20 }, dynamodb: roomy, apiGateway: { type: 'alb', fleet: { instances: 10 } } });
    expect(summary.events.rejected).toBe(0);
  });

  it('bills ALB hours, LCU-hours and instance-hours instead of requests', () => {
    // 1,000 requests/s of one 512 B event, a new connection each: 1,000 / 25 = 40 LCU on the connections dimension
    // (processed bytes: 1,000 × 512 × 3,600 B/h = 1.72 GB/h = 1.72 LCU, smaller). One hour: 1 ALB-hour at $0.0225,
    // 40 LCU-hours at $0.008, and 2 instance-hours at $0.096.
    const { summary } = run({
      duration: '1h',
      tenants: tenants(100, 10),
      kinesis: { shards: 2 },
      dynamodb: roomy,
      apiGateway: { type: 'alb', fleet: { instances: 2 } },
    });
    expect(summary.cost.byService.apiGateway).toBe(0);
    expect(summary.cost.byService.elb).toBeCloseTo(0.0225 + 40 * 0.008, 6);
    expect(summary.cost.byService.ec2).toBeCloseTo(2 * 0.096, 6);
    const lcu = summary.cost.lines.find((l) => l.item === 'alb-lcu-hours')!;
    expect(lcu.confidence).toBe('UNCONFIRMED');
  });
});

describe('processor: kcl on a fixed fleet', () => {
  it('processes each shard at recordsPerSecondPerWorker: the backlog ages as computed', () => {
    // One shard, 600 records/s arriving, one worker at 450/s. After T s the worker has read 450·T records, i.e. what
    // arrived before 450·T/600; the oldest unread record is T·(1 − 450/600) = 150 s old at T = 600.
    const { timeline, summary } = run({
      duration: '10m',
      tenants: tenants(1, 600),
      kinesis: { shards: 1 },
      dynamodb: roomy,
      processor: 'kcl',
      kcl: { instances: 1, recordsPerSecondPerWorker: 450 },
    });
    const age = timeline.columns.iteratorAgeMs[599]! / 1000;
    expect(age).toBeGreaterThan(150 - 3);
    expect(age).toBeLessThan(150 + 3);
    expect(summary.processor).toEqual({ type: 'kcl', instances: 1, recordsPerSecondPerWorker: 450 });
  });

  it('shares the fleet’s leases when there are more shards than it can hold', () => {
    // 4 shards, 1 instance holding at most 2 leases at 1,000 records/s each: 2,000/s over 4 shards = 500 per shard,
    // against 600 arriving per shard: at T = 600 the oldest unread record is 600 · (1 − 500/600) = 100 s old.
    const { timeline } = run({
      duration: '10m',
      tenants: tenants(4, 600, { name: 't' }),
      kinesis: { shards: 4, partitionKey: 'tenant-timestamp' },
      dynamodb: roomy,
      processor: 'kcl',
      kcl: { instances: 1, maxLeasesPerInstance: 2, recordsPerSecondPerWorker: 1_000 },
    });
    const age = timeline.columns.iteratorAgeMs[599]! / 1000;
    expect(age).toBeGreaterThan(100 - 3);
    expect(age).toBeLessThan(100 + 3);
  });

  it('bills instance-hours, not Lambda requests or GB-seconds', () => {
    // One hour of 3 instances at $0.096.
    const { summary } = run({ duration: '1h', resolution: '10s', tenants: tenants(10, 50), kinesis: { shards: 2 }, dynamodb: roomy, processor: 'kcl', kcl: { instances: 3 } });
    expect(summary.cost.byService.lambda).toBe(0);
    expect(summary.cost.byService.ec2).toBeCloseTo(3 * 0.096, 6);
    expect(summary.events.stored).toBe(summary.events.accepted);
  });
});
