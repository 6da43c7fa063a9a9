/**
 * The raw PutRecords rate of a Kinesis endpoint through the SDK, for the bench: it puts `records` records of
 * `recordBytes` bytes in PutRecords calls of `batchSize`, `concurrency` calls at a time, into a fresh stream. Pointed
 * at the emulator's own URL it gives the emulator's rate; at the edge, the edge's cost on top; with the gateway, its cost.
 */
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { EMULATOR_CREDENTIALS } from './target.ts';

export interface KinesisRateOptions {
  /** Default 20,000 records of 200 B in calls of 500, one call at a time (the measurement). */
  records?: number;
  recordBytes?: number;
  batchSize?: number;
  concurrency?: number;
  shards?: number;
  region?: string;
  stream?: string;
}

export interface KinesisRate {
  endpoint: string;
  records: number;
  calls: number;
  failedRecords: number;
  seconds: number;
  recordsPerSecond: number;
}

export async function measureKinesisPutRate(endpoint: string, options: KinesisRateOptions = {}): Promise<KinesisRate> {
  const total = options.records ?? 20_000;
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 1;
  const stream = options.stream ?? `rate-${randomBytes(4).toString('hex')}`;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const client = new KinesisClient({
    region: options.region ?? 'us-east-1',
    endpoint,
    credentials: { ...EMULATOR_CREDENTIALS },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    maxAttempts: 1,
  });
  try {
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: options.shards ?? 4 }));
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') {
      await new Promise((r) => setTimeout(r, 50));
    }
    const data = randomBytes(options.recordBytes ?? 200);
    const batches = Math.ceil(total / batchSize);
    let next = 0;
    let calls = 0;
    let failedRecords = 0;
    const worker = async () => {
      for (let b = next++; b < batches; b = next++) {
        const n = Math.min(batchSize, total - b * batchSize);
        const records = Array.from({ length: n }, (_, i) => ({ PartitionKey: `k-${b}-${i}`, Data: data }));
        const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
        calls++;
        failedRecords += out.FailedRecordCount ?? 0;
      }
    };
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
    return { endpoint, records: total, calls, failedRecords, seconds, recordsPerSecond: total / seconds };
  } finally {
    client.destroy();
    agent.destroy();
  }
}
