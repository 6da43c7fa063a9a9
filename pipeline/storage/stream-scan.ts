/**
 * Reads every record still in a stream, every shard (closed ones too) from TRIM_HORIZON to its tip: what the audit
 * counts as "in Kinesis". A reader apart from the processor: it keeps no checkpoint, and the quota gateway does not
 * meter it (bookkeeping, not workload).
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard, type _Record } from '@aws-sdk/client-kinesis';
import { isRetryable, sleep, withRetries } from './backoff.ts';
import { unmetered } from '../aws-clients.ts';

/** Every shard, open and closed; `audit` marks the calls unmetered (the processor's own listing is workload). */
export async function listAllShards(kinesis: KinesisClient, streamName: string, options: { audit?: boolean } = {}): Promise<Shard[]> {
  const mark = <C extends ListShardsCommand>(command: C) => (options.audit ? unmetered(command) : command);
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await withRetries(() => kinesis.send(mark(new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }))));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/** Calls `onRecord` for every record of every shard, oldest first within a shard. */
export async function scanStream(kinesis: KinesisClient, streamName: string, onRecord: (record: _Record, shardId: string) => void): Promise<number> {
  let count = 0;
  for (const shard of await listAllShards(kinesis, streamName, { audit: true })) {
    const it = await withRetries(() => kinesis.send(unmetered(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))));
    let iterator = it.ShardIterator;
    while (iterator) {
      let page;
      try {
        page = await kinesis.send(unmetered(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 })));
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
