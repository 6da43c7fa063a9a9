/**
 * One shard's poller, as the Lambda event-source mapping runs it (§4): GetRecords in a loop (up to 10,000 records a
 * call, §1.1), records buffered until `batchSize` is reached, the batching window ends, or the shard ends; then the
 * buffer is handed over in rounds of up to `parallelizationFactor` concurrent batches of `batchSize`, split by
 * partition key (so each key stays in order), each round checkpointed once all its batches succeeded. GetRecords calls
 * on a shard are spaced at least `getRecordsIntervalMs` apart (a shard takes 5 calls/s, §1.1), and at the tip the
 * poller waits `pollIntervalMs` (Lambda polls once a second at rest). A closed shard is read to its end
 * (NextShardIterator null) and checkpointed SHARD_END.
 */
import { createHash } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { fullJitterDelay, isRetryable, sleep, withRetries } from '../storage/backoff.ts';

export interface PollerConfig {
  batchSize: number;
  parallelizationFactor: number;
  /** MaximumBatchingWindowInSeconds, in ms. */
  batchWindowMs: number;
  pollIntervalMs: number;
  /** Least time between two GetRecords calls on the shard: 200 ms = the 5 calls/s per shard of §1.1. */
  getRecordsIntervalMs: number;
}

/** GetRecords returns at most 10,000 records per call (§1.1). */
const GET_RECORDS_MAX = 10_000;

export interface PollerHooks {
  /** Writes a batch; resolves when it is stored. Rejects (e.g. aborted) to leave it unchecked. */
  handle(records: _Record[], shardId: string): Promise<void>;
  checkpoint(shardId: string, sequenceNumber: string): Promise<void>;
  /** After each GetRecords: records returned and MillisBehindLatest. */
  onRead(shardId: string, records: _Record[], millisBehind: number): void;
  onBatchDone(shardId: string, records: _Record[]): void;
  onRetry(): void;
}

export type PollerEnd = 'shard-end' | 'drained' | 'aborted';

export class ShardPoller {
  /** Set to stop at the tip: the poller returns once it has read and checkpointed everything there is. */
  draining = false;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    readonly shardId: string,
    private readonly checkpoint: string | undefined,
    private readonly config: PollerConfig,
    private readonly hooks: PollerHooks,
    private readonly signal: AbortSignal,
  ) {}

  async run(): Promise<PollerEnd> {
    let lastCheckpoint = this.checkpoint;
    let iterator = await this.iteratorAfter(lastCheckpoint);
    let buffer: _Record[] = [];
    let bufferSince = 0;
    let lastCall = 0;
    let failures = 0;
    let emptyAtTip = 0;
    while (!this.signal.aborted) {
      const wait = lastCall + this.config.getRecordsIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, this.signal);
      if (this.signal.aborted) break;
      let records: _Record[] = [];
      let millisBehind = 0;
      let next: string | undefined;
      lastCall = Date.now();
      try {
        const page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_MAX }));
        records = page.Records ?? [];
        millisBehind = page.MillisBehindLatest ?? 0;
        next = page.NextShardIterator;
        failures = 0;
      } catch (error) {
        if (this.signal.aborted) break;
        const name = (error as Error).name;
        if (name === 'ExpiredIteratorException') {
          // Read again from the last checkpoint: what is buffered was not written yet.
          buffer = [];
          iterator = await this.iteratorAfter(lastCheckpoint);
          continue;
        }
        if (!isRetryable(error)) throw error;
        this.hooks.onRetry();
        await sleep(fullJitterDelay(Math.min(failures++, 8), { baseMs: 100, maxMs: 5_000 }), this.signal);
        continue;
      }
      this.hooks.onRead(this.shardId, records, millisBehind);
      if (records.length > 0 && buffer.length === 0) bufferSince = Date.now();
      for (const r of records) buffer.push(r);
      const ended = next === undefined || next === null;
      const atTip = records.length === 0 && millisBehind === 0;
      const windowOver = Date.now() - bufferSince >= this.config.batchWindowMs;
      if (buffer.length > 0 && (ended || buffer.length >= this.config.batchSize || windowOver || (this.draining && atTip))) {
        // Rounds of up to parallelizationFactor batches, each round checkpointed when all its batches are stored.
        const round = this.config.batchSize * this.config.parallelizationFactor;
        for (let i = 0; i < buffer.length; i += round) {
          const taken = buffer.slice(i, i + round);
          if (!(await this.process(taken))) return 'aborted';
          const last = taken[taken.length - 1]!.SequenceNumber!;
          await this.hooks.checkpoint(this.shardId, last);
          lastCheckpoint = last;
        }
        buffer = [];
      }
      if (ended) {
        await this.hooks.checkpoint(this.shardId, 'SHARD_END');
        return 'shard-end';
      }
      iterator = next!;
      emptyAtTip = atTip ? emptyAtTip + 1 : 0;
      if (atTip) {
        // Two empty reads in a row: a closed shard answers one empty page before its iterator ends, and drain must
        // not stop there, or its children would go unread.
        if (this.draining && buffer.length === 0 && emptyAtTip >= 2) return 'drained';
        await sleep(buffer.length > 0 ? Math.min(this.config.pollIntervalMs, Math.max(1, this.config.batchWindowMs - (Date.now() - bufferSince))) : this.config.pollIntervalMs, this.signal);
      }
    }
    return 'aborted';
  }

  /** Up to `parallelizationFactor` batches at once, records split by partition key so each key keeps its order. */
  private async process(records: _Record[]): Promise<boolean> {
    const pf = this.config.parallelizationFactor;
    const groups: _Record[][] = Array.from({ length: pf }, () => []);
    if (pf === 1) groups[0] = records;
    else for (const r of records) groups[keySlot(r.PartitionKey ?? '', pf)]!.push(r);
    const batches: _Record[][] = [];
    for (const g of groups) for (let i = 0; i < g.length; i += this.config.batchSize) batches.push(g.slice(i, i + this.config.batchSize));
    try {
      await Promise.all(
        batches.map(async (b) => {
          await this.hooks.handle(b, this.shardId);
          this.hooks.onBatchDone(this.shardId, b);
        }),
      );
      return true;
    } catch (error) {
      if (this.signal.aborted) return false;
      throw error;
    }
  }

  private async iteratorAfter(checkpoint: string | undefined): Promise<string> {
    const out = await withRetries(() => this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: this.shardId,
        ...(checkpoint ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    ), { signal: this.signal });
    return out.ShardIterator!;
  }
}

function keySlot(key: string, n: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % n;
}
