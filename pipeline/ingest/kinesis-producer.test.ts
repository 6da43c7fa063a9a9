import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { KinesisProducer } from './kinesis-producer.ts';

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
    expect(await producer.putAll(entries('a', 1_200))).toEqual({ put: 1_200, dropped: 0, retries: 0 });
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
