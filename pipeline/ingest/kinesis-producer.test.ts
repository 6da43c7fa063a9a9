import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { KinesisProducer } from './kinesis-producer.ts';
import { createKinesisQuota } from '../gateway/kinesis-quota.ts';
import { MetricsStore } from '../gateway/metrics-store.ts';
import { createManualClock } from '../gateway/scenario-clock.ts';
import { kinesisConfigSchema } from '../../sim/kinesis.ts';

const entries = (prefix: string, n: number, bytes = 10) => Array.from({ length: n }, (_, i) => ({ Data: Buffer.alloc(bytes, 97), PartitionKey: `${prefix}-${i}` }));

describe('PutRecords producer: calls within the API limits, shared by concurrent requests', () => {
  let target: EmbeddedTarget;
  let aws: AwsClients;
  beforeAll(async () => {
    target = await startEmbedded();
    aws = createAwsClients(target);
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'producer-test', ShardCount: 2 }));
  });
  afterAll(async () => {
    aws?.destroy();
    await target?.stop();
  });

  it('cuts 1,200 records into calls of 500, 500 and 200', async () => {
    const producer = new KinesisProducer(aws.kinesis, 'producer-test', { maxRetries: 1, baseMs: 1, maxMs: 5, maxInFlight: 1 });
    expect(await producer.putAll(entries('a', 1_200))).toEqual({ put: 1_200, dropped: 0, failed: [], retries: 0 });
    expect({ calls: producer.calls, records: producer.records }).toEqual({ calls: 3, records: 1_200 });
  });

  it('cuts by bytes too: 12 records of 1 MiB − 1 KiB go 5 to a 5 MiB call', async () => {
    const producer = new KinesisProducer(aws.kinesis, 'producer-test', { maxRetries: 1, baseMs: 1, maxMs: 5, maxInFlight: 1 });
    // Each record is 1,047,552 B of data + a 4-byte key: 5 fit in 5,242,880 B? 5 × 1,047,556 = 5,237,780: yes, a 6th does not.
    expect(await producer.putAll(entries('b', 12, 1_047_552))).toMatchObject({ put: 12, dropped: 0 });
    expect(producer.calls).toBe(3); // 5 + 5 + 2
  });

  it('with one call in flight, four requests that arrive during it leave together in the next call', async () => {
    const producer = new KinesisProducer(aws.kinesis, 'producer-test', { maxRetries: 1, baseMs: 1, maxMs: 5, maxInFlight: 1 });
    const outcomes = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((r) => producer.putAll(entries(r, 10))));
    expect(outcomes.every((o) => o.put === 10 && o.dropped === 0)).toBe(true);
    expect({ calls: producer.calls, records: producer.records }).toEqual({ calls: 2, records: 50 });
    const keys = new Set<string>();
    await scanStream(aws.kinesis, 'producer-test', (r) => keys.add(r.PartitionKey!));
    for (const r of ['r1', 'r2', 'r3', 'r4', 'r5']) for (let i = 0; i < 10; i++) expect(keys.has(`${r}-${i}`)).toBe(true);
  });
});

describe('PutRecords producer: what fails after the last retry is dropped record by record, the rest is put', () => {
  it('one shard with 100 records/s left: of two requests of 60 and 90, the first is put whole and the second loses exactly its last 50', async () => {
    // The gateway's one-shard bucket (1,000 records/s) on a clock that does not move: nothing refills, every retry of a
    // throttled record is throttled again.
    const clock = createManualClock();
    const quota = createKinesisQuota({ config: kinesisConfigSchema.parse({}), clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    const target = await startEmbedded({ middleware: [quota.middleware] });
    const aws = createAwsClients(target);
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'one-shard', ShardCount: 1 }));
      const filler = new KinesisProducer(aws.kinesis, 'one-shard', { maxRetries: 0, baseMs: 1, maxMs: 5 });
      expect(await filler.putAll(entries('fill', 900))).toEqual({ put: 900, dropped: 0, failed: [], retries: 0 });
      // One call at a time, so the first request's call goes first: 60 of the 100 left, then 40 of the second's 90.
      const producer = new KinesisProducer(aws.kinesis, 'one-shard', { maxRetries: 2, baseMs: 1, maxMs: 5, maxInFlight: 1 });
      const [a, b] = await Promise.all([producer.putAll(entries('a', 60)), producer.putAll(entries('b', 90))]);
      expect(a).toEqual({ put: 60, dropped: 0, failed: [], retries: 0 });
      // 50 failed records × 2 retries each.
      expect(b).toEqual({ put: 40, dropped: 50, failed: Array.from({ length: 50 }, (_, i) => 40 + i), retries: 100 });
      const keys = new Set<string>();
      await scanStream(aws.kinesis, 'one-shard', (r) => keys.add(r.PartitionKey!));
      expect(keys.size).toBe(1_000);
      for (let i = 0; i < 90; i++) expect(keys.has(`b-${i}`)).toBe(i < 40);
      expect(quota.counters).toMatchObject({ acceptedRecords: 1_000, throttledRecords: 150 });
    } finally {
      aws.destroy();
      await target.stop();
    }
  });
});
