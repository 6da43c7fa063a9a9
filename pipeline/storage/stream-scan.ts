/**
 * Reads every record still in a stream, every shard (closed ones too) from TRIM_HORIZON to its tip: what the audit
 * counts as "in Kinesis". A reader apart from the processor: it keeps no checkpoint.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard, type _Record } from '@aws-sdk/client-kinesis';
import { isRetryable, sleep, withRetries } from './backoff.ts';

export async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await withRetries(() => kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName })));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/** Calls `onRecord` for every record of every shard, oldest first within a shard. */
export async function scanStream(kinesis: KinesisClient, streamName: string, onRecord: (record: _Record, shardId: string) => void): Promise<number> {
  let count = 0;
  for (const shard of await listAllShards(kinesis, streamName)) {
    const it = await withRetries(() => kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' })));
    let iterator = it.ShardIterator;
    while (iterator) {
      let page;
      try {
        page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      } catch (error) {
        if (!isRetryable(error)) throw error;
        await sleep(200);
        continue;
      }
      for (const record of page.Records ?? []) {
        onRecord(record, shard.ShardId!);
        count++;
      }
      // An open shard's tip: nothing more, nothing behind. A closed shard ends when its iterator does (SHARD_END).
      const open = !shard.SequenceNumberRange?.EndingSequenceNumber;
      if (open && (page.Records?.length ?? 0) === 0 && page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return count;
}
