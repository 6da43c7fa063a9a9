import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';

const POW_128 = 1n << 128n;
/** Open shards' [start, end] as bigints, in hash order. */
const ranges = (shards: Shard[]) =>
  shards
    .filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber)
    .map((s) => [BigInt(s.HashKeyRange!.StartingHashKey!), BigInt(s.HashKeyRange!.EndingHashKey!)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('UpdateShardCount on kinesalite, through the edge with the Kinesis SDK client', () => {
  let target: EmbeddedTarget;
  let aws: AwsClients;
  let delayMs = 0;
  beforeAll(async () => {
    // Two calls per 24 h (the pre-2020 quota, §1.3) so the quota is reachable in a short test.
    target = await startEmbedded({ kinesis: { updateShardCountPer24h: 2, reshardDelayMs: () => delayMs } });
    aws = createAwsClients(target);
  });
  afterAll(async () => {
    aws?.destroy();
    await target?.stop();
  });

  const shards = async (stream: string) => (await aws.kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const status = async (stream: string) =>
    (await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus;
  const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => e.name);
  // A client waits for ACTIVE before resharding, as on AWS (UpdateShardCount on a CREATING stream is ResourceInUse).
  const createActive = async (stream: string, count: number) => {
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: count }));
    while ((await status(stream)) !== 'ACTIVE') await new Promise((r) => setTimeout(r, 5));
  };

  it('2 → 4 splits each parent at its middle: 4 open shards of 2^126 keys, 2 closed parents, data before the reshard still read from the parents', async () => {
    await createActive('up', 2);
    const keys = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);
    const put = await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'up', Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(k) })) }));
    expect(put.FailedRecordCount).toBe(0);

    // A 1 s floor keeps "UPDATING right after the call" true however fast the splits run on a busy machine.
    delayMs = 1_000;
    const answer = await aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'up', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    expect(answer).toMatchObject({ StreamName: 'up', CurrentShardCount: 2, TargetShardCount: 4 });
    expect(await status('up')).toBe('UPDATING');
    await target.reshard.settled('up');
    delayMs = 0;
    expect(await status('up')).toBe('ACTIVE');
    expect(target.reshard.history().at(-1)).toMatchObject({ from: 2, to: 4, splits: 2, merges: 0 });

    const all = await shards('up');
    expect(all).toHaveLength(6);
    const quarter = POW_128 / 4n;
    expect(ranges(all)).toEqual([0n, 1n, 2n, 3n].map((k) => [quarter * k, quarter * (k + 1n) - 1n]));
    const parents = all.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber);
    expect(parents.map((s) => s.ShardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const children = all.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    expect(children.map((s) => s.ParentShardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000000', 'shardId-000000000001', 'shardId-000000000001']);

    const read: string[] = [];
    for (const parent of parents) {
      const { ShardIterator } = await aws.kinesis.send(new GetShardIteratorCommand({ StreamName: 'up', ShardId: parent.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: ShardIterator! }));
      read.push(...(got.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));
    }
    expect(read.sort()).toEqual([...keys].sort());
  });

  it('4 → 2 merges adjacent pairs; a third call in 24 h is refused with LimitExceededException', async () => {
    await createActive('down', 4);
    await aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'down', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    await target.reshard.settled('down');
    expect(target.reshard.history().at(-1)).toMatchObject({ from: 4, to: 2, splits: 0, merges: 2 });
    const all = await shards('down');
    const half = POW_128 / 2n;
    expect(ranges(all)).toEqual([[0n, half - 1n], [half, POW_128 - 1n]]);
    const merged = all.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    expect(merged.map((s) => [s.ParentShardId, s.AdjacentParentShardId])).toEqual([
      ['shardId-000000000000', 'shardId-000000000001'],
      ['shardId-000000000002', 'shardId-000000000003'],
    ]);
    await aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'down', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    await target.reshard.settled('down');
    expect(await errorOf(aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'down', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' })))).toBe('LimitExceededException');
    // A stream created again under the name is a new resource with a fresh quota.
    await aws.kinesis.send(new DeleteStreamCommand({ StreamName: 'down' }));
    await new Promise((r) => setTimeout(r, 20));
    await createActive('down', 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(await errorOf(aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'down', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' })))).toBe('no error');
    await target.reshard.settled('down');
  });

  it('2 → 3 splits at the thirds and merges across the old middle: 3 equal open shards', async () => {
    await createActive('thirds', 2);
    await aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'thirds', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }));
    await target.reshard.settled('thirds');
    expect(target.reshard.history().at(-1)).toMatchObject({ splits: 2, merges: 1 });
    const third = POW_128 / 3n;
    expect(ranges(await shards('thirds'))).toEqual([[0n, third - 1n], [third, 2n * third - 1n], [2n * third, POW_128 - 1n]]);
  });

  it('refusals as AWS answers them: 1 → 3 (more than 2×), 4 → 1 (less than ½), a missing stream, a bad scaling type, a call while UPDATING', async () => {
    await createActive('one', 1);
    await createActive('four', 4);
    const update = (StreamName: string, TargetShardCount: number) =>
      errorOf(aws.kinesis.send(new UpdateShardCountCommand({ StreamName, TargetShardCount, ScalingType: 'UNIFORM_SCALING' })));
    expect(await update('one', 3)).toBe('InvalidArgumentException');
    expect(await update('four', 1)).toBe('InvalidArgumentException');
    expect(await update('missing', 2)).toBe('ResourceNotFoundException');
    expect(await errorOf(aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'one', TargetShardCount: 2, ScalingType: 'OTHER' as 'UNIFORM_SCALING' })))).toBe('ValidationException');
    expect(await errorOf(aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'one', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' })))).toBe('InvalidArgumentException');
    const garbled = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Kinesis_20131202.UpdateShardCount', 'content-type': 'application/x-amz-json-1.1' },
      body: '{"StreamName": "one",',
    });
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { __type: string }).__type).toBe('SerializationException');
    // The refused calls left the stream as it was.
    expect(ranges(await shards('one'))).toEqual([[0n, POW_128 - 1n]]);

    delayMs = 1_000;
    const started = Date.now();
    await aws.kinesis.send(new UpdateShardCountCommand({ StreamName: 'one', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    expect(await update('one', 1)).toBe('ResourceInUseException');
    expect(await status('one')).toBe('UPDATING');
    await target.reshard.settled('one');
    delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await status('one')).toBe('ACTIVE');
    expect(ranges(await shards('one'))).toHaveLength(2);
  });
});
