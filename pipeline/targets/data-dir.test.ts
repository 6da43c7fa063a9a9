import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { startEmbedded } from './embedded.ts';
import { createAwsClients } from '../aws-clients.ts';
import { waitActive } from '../storage/event-tables.ts';

describe('embedded target with a data directory', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('what is written before stop() reads back after a start with the same directory: records, items, objects, delivery streams and what Firehose had buffered', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ingestlab-data-'));
    dirs.push(dataDir);

    const first = await startEmbedded({ dataDir });
    const a = createAwsClients(first);
    try {
      await a.kinesis.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
      await a.kinesis.send(new PutRecordsCommand({ StreamName: 'kept', Records: ['r1', 'r2', 'r3'].map((d) => ({ PartitionKey: d, Data: Buffer.from(d) })) }));
      await a.dynamodb.send(new CreateTableCommand({
        TableName: 'kept',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
      // dynalite makes a table ACTIVE on a timer even at createTableMs 0: a put before then fails on a loaded machine.
      await waitActive(a.dynamodb, 'kept');
      await a.dynamodb.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'item' }, n: { N: '42' } } }));
      await a.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await a.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'direct.txt', Body: 'hello' }));
      await a.firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'kept',
        ExtendedS3DestinationConfiguration: {
          RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          BucketARN: 'arn:aws:s3:::kept',
          Prefix: 'fh/',
          BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 },
        },
      }));
      await a.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'kept', Records: [{ Data: Buffer.from('e1\n') }, { Data: Buffer.from('e2\n') }] }));
    } finally {
      a.destroy();
      await first.stop();
    }
    expect((await readdir(dataDir)).sort()).toEqual(['dynamodb', 'firehose', 'kinesis', 's3']);

    const second = await startEmbedded({ dataDir });
    const b = createAwsClients(second);
    try {
      const shards = (await b.kinesis.send(new ListShardsCommand({ StreamName: 'kept' }))).Shards!;
      const { ShardIterator } = await b.kinesis.send(new GetShardIteratorCommand({ StreamName: 'kept', ShardId: shards[0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const records = (await b.kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }))).Records ?? [];
      expect(records.map((r) => Buffer.from(r.Data!).toString())).toEqual(['r1', 'r2', 'r3']);

      const item = await b.dynamodb.send(new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'item' } } }));
      expect(item.Item?.n?.N).toBe('42');

      const direct = await b.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'direct.txt' }));
      expect(await direct.Body?.transformToString()).toBe('hello');
      const delivered = (await b.s3.send(new ListObjectsV2Command({ Bucket: 'kept', Prefix: 'fh/' }))).Contents ?? [];
      expect(delivered).toHaveLength(1);
      const body = await b.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: delivered[0]!.Key! }));
      expect(await body.Body?.transformToString()).toBe('e1\ne2\n');

      const described = await b.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'kept' }));
      expect(described.DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription?.Prefix).toBe('fh/');
    } finally {
      b.destroy();
      await second.stop();
    }
  });
});
