import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmbedded, type EmbeddedTarget } from './embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';

describe('embedded target: one edge port routes each SDK client to its emulator', () => {
  let target: EmbeddedTarget;
  let aws: AwsClients;
  beforeAll(async () => {
    target = await startEmbedded();
    aws = createAwsClients(target);
  });
  afterAll(async () => {
    aws?.destroy();
    await target?.stop();
  });

  it('Kinesis: a 2-shard stream takes 3 records through the edge', async () => {
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'edge-test', ShardCount: 2 }));
    const summary = await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'edge-test' }));
    expect(summary.StreamDescriptionSummary?.OpenShardCount).toBe(2);
    const put = await aws.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'edge-test',
        Records: ['a', 'b', 'c'].map((k) => ({ PartitionKey: k, Data: Buffer.from(k) })),
      }),
    );
    expect(put.FailedRecordCount).toBe(0);
    expect(put.Records).toHaveLength(3);
  });

  it('DynamoDB: an item written through the edge reads back', async () => {
    await aws.dynamodb.send(
      new CreateTableCommand({
        TableName: 'edge-test',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await aws.dynamodb.send(new PutItemCommand({ TableName: 'edge-test', Item: { pk: { S: 'x' }, n: { N: '7' } } }));
    const got = await aws.dynamodb.send(new GetItemCommand({ TableName: 'edge-test', Key: { pk: { S: 'x' } } }));
    expect(got.Item?.n?.N).toBe('7');
  });

  it('S3: an object written through the edge reads back byte for byte', async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'sink' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'sink', Key: 'a/b.json', Body: '{"x":1}\n' }));
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: 'sink', Key: 'a/b.json' }));
    expect(await got.Body?.transformToString()).toBe('{"x":1}\n');
  });
});
