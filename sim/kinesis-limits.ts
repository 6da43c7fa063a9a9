/**
 * Kinesis limits one request at a time, for the quota gateway: the shard a partition key hashes to (MD5, as Kinesis
 * hashes it), the per-shard write and read limits of SHARD_LIMITS as per-second buckets (sim/rate-bucket.ts), and a KinesisModel per
 * stream for the rules that keep state (UpdateShardCount's quota and steps, on-demand capacity following the peak).
 */
import { createHash } from 'node:crypto';
import { RateBucket } from './rate-bucket.ts';
import { KinesisModel, SHARD_LIMITS, type KinesisConfig } from './kinesis.ts';

/** The 128-bit hash key of a record: its ExplicitHashKey if given, else MD5 of the partition key (§1.1). */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined && explicitHashKey !== '') return BigInt(explicitHashKey);
  return BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

/** A shard's write bucket: [records, bytes] per second (§1.1). */
export function shardWriteWindow(): RateBucket {
  return new RateBucket([SHARD_LIMITS.writeRecords, SHARD_LIMITS.writeBytes]);
}

/** A shard's read bucket: [GetRecords calls, bytes] per second (§1.1: 5 calls and 2 MiB per second per shard). */
export function shardReadWindow(): RateBucket {
  return new RateBucket([SHARD_LIMITS.getRecordsCalls, SHARD_LIMITS.readBytes]);
}

/**
 * A stream's state machine for UpdateShardCount and on-demand capacity: the simulator's KinesisModel with one traffic
 * group, no producer retries and 1-second ticks. `meanBytes` of its group is set per call of `observeSecond`, which
 * feeds a closed second's accepted writes so on-demand capacity follows the peak as in the simulator.
 */
export class StreamLimits {
  readonly model: KinesisModel;
  private readonly group = { name: 'stream', count: 1, meanBytes: 0 };
  private readonly fresh = new Float64Array(1);

  constructor(config: KinesisConfig, openShards: number) {
    // The model adds the key strategy's typical key bytes; the gateway counts real key bytes, so observe without them.
    this.model = new KinesisModel({ ...config, shards: openShards, partitionKey: 'random' }, [this.group], { maxRetries: 0, backoffBaseMs: 100, backoffMaxMs: 20_000 }, 1);
  }

  /** Stream-level write capacity per second now: provisioned shards × limits, or the on-demand capacity. */
  capacity(): { records: number; bytes: number } {
    return this.model.capacity();
  }

  /** On-demand: feeds the accepted writes of the second that started at `second` into the model's peak tracking. */
  observeSecond(second: number, records: number, bytes: number): void {
    if (this.model.mode !== 'on-demand' || records <= 0) return;
    this.group.meanBytes = Math.max(0, bytes / records - 32);
    this.fresh[0] = records;
    this.model.put(second, this.fresh);
  }
}
