import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand, PutRecordsCommand, UpdateShardCountCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { KinesisModel, kinesisConfigSchema } from '../../sim/kinesis.ts';
import { hashKeyOf } from '../../sim/kinesis-limits.ts';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { createKinesisQuota, type KinesisQuota } from './kinesis-quota.ts';
import { MetricsStore } from './metrics-store.ts';
import { createManualClock, createScaledClock, scenarioDate, type ScenarioClock } from './scenario-clock.ts';
import { createQuotaGateway } from './quota-gateway.ts';
import { scenarioSchema } from '../../scenarios/schema.ts';

const DATA = Buffer.alloc(100, 'x');

/** The simulator's share of 1,500 records/s throttled on one shard with no retries (KinesisModel, 1 s ticks). */
function simulatorThrottledShare(recordsPerSecond: number): number {
  const model = new KinesisModel(kinesisConfigSchema.parse({ shards: 1, partitionKey: 'random' }), [{ name: 't', count: 1, meanBytes: 100 }], { maxRetries: 0, backoffBaseMs: 100, backoffMaxMs: 20_000 }, 1);
  let offered = 0;
  let throttled = 0;
  for (let t = 0; t < 10; t++) {
    const r = model.put(t, Float64Array.of(recordsPerSecond));
    offered += recordsPerSecond;
    throttled += r.throttledRecords;
  }
  return throttled / offered;
}

async function withGateway(clock: ScenarioClock, weight: number, run: (kinesis: KinesisClient, quota: KinesisQuota, target: EmbeddedTarget) => Promise<void>) {
  const quota = createKinesisQuota({ config: kinesisConfigSchema.parse({ reshardSeconds: 180 }), clock, weight, metrics: new MetricsStore(clock, 120) });
  const target = await startEmbedded({ middleware: [quota.middleware] });
  const aws: AwsClients = createAwsClients(target);
  try {
    await run(aws.kinesis, quota, target);
  } finally {
    aws.destroy();
    await target.stop();
  }
}

const records = (n: number, key: () => string = randomUUID) => Array.from({ length: n }, () => ({ PartitionKey: key(), Data: DATA }));

describe('Kinesis limits through the edge (kinesalite behind the gateway, real SDK)', () => {
  it('one shard offered 1,500 records/s for 4 s with no retries throttles 2,000 of 6,000 (1/3), as the simulator predicts', async () => {
    const predicted = simulatorThrottledShare(1500);
    expect(predicted).toBeCloseTo(1 / 3, 6);
    const clock = createManualClock();
    await withGateway(clock, 1, async (kinesis, quota) => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 's1', ShardCount: 1 }));
      let failed = 0;
      for (let second = 0; second < 4; second++) {
        clock.set(second);
        for (let call = 0; call < 3; call++) {
          const out = await kinesis.send(new PutRecordsCommand({ StreamName: 's1', Records: records(500) }));
          failed += out.FailedRecordCount ?? 0;
          for (const r of out.Records ?? []) {
            if (r.ErrorCode) expect(r.ErrorCode).toBe('ProvisionedThroughputExceededException');
          }
        }
      }
      expect(failed / 6_000).toBeCloseTo(predicted, 2);
      expect(quota.counters).toMatchObject({ acceptedRecords: 4_000, throttledRecords: 2_000 });
    });
  });

  it('one hot key on a 2-shard stream (2,000 records/s of capacity) still throttles 500 of 1,500 per second: limits are per shard by hash range', async () => {
    const clock = createManualClock();
    await withGateway(clock, 1, async (kinesis) => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 's2', ShardCount: 2 }));
      const out = [];
      for (let call = 0; call < 3; call++) out.push(await kinesis.send(new PutRecordsCommand({ StreamName: 's2', Records: records(500, () => 'tenant-42') })));
      expect(out.map((o) => o.FailedRecordCount)).toEqual([0, 0, 500]);
      const shardIds = new Set(out.flatMap((o) => o.Records ?? []).map((r) => r.ShardId).filter(Boolean));
      expect(shardIds.size).toBe(1);
      const failure = out[2]!.Records![0]!;
      expect(failure.ErrorMessage).toContain([...shardIds][0]);
      // Records in order: the merged answer keeps each record's own result at its own index.
      clock.set(1);
      const half = 2n ** 127n;
      const hotHalf = hashKeyOf('tenant-42') >= half;
      const other = Array.from({ length: 50 }, (_, i) => `k${i}`).find((k) => hashKeyOf(k) >= half !== hotHalf)!;
      await kinesis.send(new PutRecordsCommand({ StreamName: 's2', Records: records(500, () => 'tenant-42') }));
      await kinesis.send(new PutRecordsCommand({ StreamName: 's2', Records: records(499, () => 'tenant-42') }));
      const mixed = await kinesis.send(new PutRecordsCommand({ StreamName: 's2', Records: [...records(1, () => 'tenant-42'), ...records(1, () => other), ...records(1, () => 'tenant-42')] }));
      expect(mixed.FailedRecordCount).toBe(1);
      expect(mixed.Records?.[0]?.ShardId).toBe([...shardIds][0]);
      expect(mixed.Records?.[1]?.ShardId).not.toBe([...shardIds][0]);
      expect(mixed.Records?.[1]?.SequenceNumber).toBeDefined();
      expect(mixed.Records?.[2]?.ErrorCode).toBe('ProvisionedThroughputExceededException');
    });
  });

  it('PutRecord over a shard limit is a 400 ProvisionedThroughputExceededException; 1 MiB/s of bytes binds before 1,000 records', async () => {
    const clock = createManualClock();
    await withGateway(clock, 1, async (kinesis) => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 's3', ShardCount: 1 }));
      const big = Buffer.alloc(256 * 1024 - 1, 'y'); // + 1-byte key = 256 KiB: four fill the 1 MiB window
      for (let i = 0; i < 4; i++) await kinesis.send(new PutRecordCommand({ StreamName: 's3', PartitionKey: 'k', Data: big }));
      await expect(kinesis.send(new PutRecordCommand({ StreamName: 's3', PartitionKey: 'k', Data: big }))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      clock.set(1);
      await kinesis.send(new PutRecordCommand({ StreamName: 's3', PartitionKey: 'k', Data: big }));
    });
  });

  it('timeScale 10, weight 100: 150 records per wall second are 1,500 scenario records/s and throttle a third (±3%) once the demand average has risen', async () => {
    const clock = createScaledClock({ timeScale: 10 });
    await withGateway(clock, 100, async (kinesis) => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 's4', ShardCount: 1 }));
      const wallStart = performance.now();
      let sent = 0;
      let failed = 0;
      let sentLater = 0;
      let failedLater = 0;
      // Paced: each call sends what is due by now at 150/s, so every 100 ms scenario second gets about 15.
      while (performance.now() - wallStart < 4000) {
        const due = Math.floor(((performance.now() - wallStart) / 1000) * 150) - sent;
        if (due <= 0) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        const later = performance.now() - wallStart > 1000;
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: 's4', Records: records(due) }));
        sent += due;
        failed += out.FailedRecordCount ?? 0;
        if (later) {
          sentLater += due;
          failedLater += out.FailedRecordCount ?? 0;
        }
      }
      expect(sentLater).toBeGreaterThan(400);
      // Sampled records meet the limit in expectation over a 2 s demand average (sim/sampled-admission.ts): from 10
      // scenario seconds on, a third is refused; before it, the average was still rising from an idle shard.
      expect(Math.abs(failedLater / sentLater - 1 / 3)).toBeLessThan(0.03);
      expect(failed / sent).toBeLessThan(1 / 3);
    });
  });

  it('UpdateShardCount 1 → 2: refused above 2× and while UPDATING; the stream reads UPDATING for the 180 s reshard delay, then 2 shards take 2,000 records/s', async () => {
    const clock = createManualClock();
    await withGateway(clock, 1, async (kinesis, quota) => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 's5', ShardCount: 1 }));
      await expect(kinesis.send(new UpdateShardCountCommand({ StreamName: 's5', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
      const out = await kinesis.send(new UpdateShardCountCommand({ StreamName: 's5', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
      expect(out).toMatchObject({ CurrentShardCount: 1, TargetShardCount: 2 });
      await expect(kinesis.send(new UpdateShardCountCommand({ StreamName: 's5', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
      const summary = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 's5' }))).StreamDescriptionSummary!;
      clock.set(179);
      await quota.poll();
      expect(await summary()).toMatchObject({ StreamStatus: 'UPDATING', OpenShardCount: 1 });
      clock.set(180);
      await quota.poll();
      expect(await summary()).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 2 });
      expect(quota.counters).toMatchObject({ reshards: 1, refusedReshards: 2, reshardErrors: [] });
      clock.set(181);
      let failed = 0;
      for (let call = 0; call < 4; call++) failed += (await kinesis.send(new PutRecordsCommand({ StreamName: 's5', Records: records(500) }))).FailedRecordCount ?? 0;
      // 2,000 random keys over two equal hash ranges: about 1,000 each, so only the binomial excess over 1,000 fails.
      expect(failed).toBeLessThan(100);
    });
  });

  it('reads: 5 GetRecords a second per shard, a 3 MB read (weight 1,000) is a 2 MiB/s debt repaid 0.43 s later; CloudWatch shows it all after the 120 s delay', async () => {
    const clock = createManualClock();
    const scenario = scenarioSchema.parse({ name: 'reads', duration: '1m', tenants: [{ name: 't', rate: 1 }] });
    const gateway = createQuotaGateway(scenario, { clock, weight: 1, pollMs: 0 });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'r', ShardCount: 1 }));
      await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'r', Records: Array.from({ length: 3 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.alloc(1000, 'r') })) }));
      const shard = (await aws.kinesis.send(new ListShardsCommand({ StreamName: 'r' }))).Shards![0]!.ShardId!;
      let iterator = (await aws.kinesis.send(new GetShardIteratorCommand({ StreamName: 'r', ShardId: shard, ShardIteratorType: 'LATEST' }))).ShardIterator!;
      const read = async (weight?: number) => {
        const cmd = new GetRecordsCommand({ ShardIterator: iterator });
        if (weight) cmd.middlewareStack.add((next) => (args: any) => { args.request.headers['x-ingestlab-weight'] = String(weight); return next(args); }, { step: 'build' });
        const out = await aws.kinesis.send(cmd);
        iterator = out.NextShardIterator!;
        return out;
      };
      for (let i = 0; i < 5; i++) await read();
      await expect(read()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
      clock.set(1);
      await read();
      // 3 records of 1,000 B, each standing for 1,000: 3,000,000 B against 2,097,152 B/s.
      clock.set(10);
      iterator = (await aws.kinesis.send(new GetShardIteratorCommand({ StreamName: 'r', ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
      expect((await read(1000)).Records).toHaveLength(3);
      clock.set(10.4);
      await expect(read()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
      clock.set(10.5);
      await read();
      clock.set(60 + 120);
      const out = await aws.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: scenarioDate(clock, 0),
          EndTime: scenarioDate(clock, clock.now()),
          MetricDataQueries: ['IncomingRecords', 'GetRecords.Records', 'GetRecords.Bytes', 'ReadProvisionedThroughputExceeded'].map((name, i) => ({
            Id: `m${i}`,
            MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: name, Dimensions: [{ Name: 'StreamName', Value: 'r' }] }, Period: 60, Stat: 'Sum' },
          })),
        }),
      );
      expect(out.MetricDataResults?.map((r) => r.Values)).toEqual([[3], [3000], [3_000_000], [2]]);
      // Every answered GetRecords reports its MillisBehindLatest: 8 samples in minute 0.
      const age = await aws.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: scenarioDate(clock, 0),
          EndTime: scenarioDate(clock, clock.now()),
          MetricDataQueries: [{ Id: 'age', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'GetRecords.IteratorAgeMilliseconds', Dimensions: [{ Name: 'StreamName', Value: 'r' }] }, Period: 60, Stat: 'SampleCount' } }],
        }),
      );
      expect(age.MetricDataResults?.[0]?.Values).toEqual([8]);
    } finally {
      gateway.close();
      aws.destroy();
      await target.stop();
    }
  });

  it('on-demand: a new stream takes 4 MiB/s, i.e. 4,000 records/s, pooled (§1.4): the 4,001st record in a second is throttled, and one hot key gets one shard’s 1,000 (§1.2)', async () => {
    const clock = createManualClock();
    const quota = createKinesisQuota({ config: kinesisConfigSchema.parse({ mode: 'on-demand' }), clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    const target = await startEmbedded({ middleware: [quota.middleware] });
    const aws = createAwsClients(target);
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'od', ShardCount: 2 }));
      let failed = 0;
      // Spread exactly over the model's 4 shards of 1,000 records/s (4 MiB/s = 4 shards): 1,000 each.
      let j = 0;
      const spread = (n: number) => Array.from({ length: n }, () => ({ PartitionKey: 'k', ExplicitHashKey: String(BigInt(j % 4) * 2n ** 126n + BigInt(j++)), Data: DATA }));
      for (let call = 0; call < 9; call++) failed += (await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'od', Records: spread(call < 8 ? 500 : 1) }))).FailedRecordCount ?? 0;
      expect(failed).toBe(1);
      // One hot key still gets one shard's 1,000 records/s of the 4,000 (§1.2).
      clock.set(1);
      failed = 0;
      for (let call = 0; call < 3; call++) failed += (await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'od', Records: records(500, () => 'hot') }))).FailedRecordCount ?? 0;
      expect(failed).toBe(500);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });
});
