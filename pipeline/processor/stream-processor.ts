/**
 * The stream processor (the seed's Lambda behind a Kinesis event-source mapping), run as a local consumer: one poller
 * per open shard, checkpoints in the lease table, resharding followed (a child shard is read only once each of its
 * parents has been read to SHARD_END), period tables kept ahead and aged off. `stop()` drains (reads every shard to
 * its tip and checkpoints); `abort()` stops at once without checkpointing what is in flight (read again on restart).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { KinesisClient, Shard, _Record } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { S3Client } from '@aws-sdk/client-s3';
import { DeadLetterWriter } from '../storage/dead-letter.ts';
import { DynamoWriter } from '../storage/dynamo-writer.ts';
import { EventTables, type EventTablesOptions } from '../storage/event-tables.ts';
import { FirehoseWriter } from '../storage/firehose-writer.ts';
import { SchemaStore } from '../storage/schema-store.ts';
import { listAllShards } from '../storage/stream-scan.ts';
import { sleep } from '../storage/backoff.ts';
import { LatencyRecorder, type LatencySummary } from '../../sim/latency.ts';
import { handleBatch, type BatchWriters } from './batch-handler.ts';
import { LeaseTable, SHARD_END } from './lease-table.ts';
import { ShardPoller, type PollerConfig } from './shard-poller.ts';

export interface ProcessorOptions {
  aws: { kinesis: KinesisClient; dynamodb: DynamoDBClient; firehose: FirehoseClient; s3: S3Client };
  streamName: string;
  deliveryStream: string;
  /** The bucket of the dead-letter prefix (the delivery stream's bucket). */
  bucket: string;
  /** The scenario's `lambda:` section: batch size, parallelization factor, batching window (seconds). */
  lambda: { batchSize: number; parallelizationFactor: number; batchWindow: number };
  tables: EventTablesOptions;
  leaseTable?: string;
  /** Where tenant schemas are read (default SCHEMA_TABLE; the aws target prefixes it). */
  schemaTable?: string;
  schemaTtlMs?: number;
  /** Wait at the tip of a shard before polling again (default 250 ms; Lambda polls once a second at rest, §4). */
  pollIntervalMs?: number;
  /** Least time between GetRecords calls on one shard (default 200 ms: 5 calls/s per shard, §1.1). */
  getRecordsIntervalMs?: number;
  /** How often shards are listed again to pick up a reshard (also done at once when a shard ends). */
  shardSyncMs?: number;
  /** How often tables are created ahead and aged off. */
  maintainMs?: number;
  /** The clock for tables and retention (tests move it). */
  now?: () => number;
}

export interface ProcessorCounters {
  recordsRead: number;
  /** Events written to DynamoDB (a re-written event counts again; the audit deduplicates). */
  stored: number;
  delivered: number;
  deadLettered: number;
  batches: number;
  /** Retried item/record writes (DynamoDB, Firehose, dead letters) and GetRecords calls. */
  retries: number;
  throttled: number;
  /** Age of the last record of the last batch when it finished (Lambda's IteratorAge), ms. */
  iteratorAgeMs: number;
  /** Accepted by the API → stored and handed to Firehose, ms (HDR percentiles, the simulator's keys). */
  endToEndMs: LatencySummary;
  /** Largest MillisBehindLatest of the last read of each shard. */
  millisBehindLatest: number;
  shardsRunning: number;
  shardsFinished: number;
  errors: number;
  lastError?: string;
}

/** Shard start and end times, to check that children were read only after their parents. */
export interface ShardEvent {
  shardId: string;
  kind: 'start' | 'end';
  at: number;
}

export class StreamProcessor {
  readonly owner = randomUUID();
  readonly leases: LeaseTable;
  readonly tables: EventTables;
  readonly schemas: SchemaStore;
  readonly shardLog: ShardEvent[] = [];
  private readonly writers: BatchWriters;
  private readonly dynamo: DynamoWriter;
  private readonly firehose: FirehoseWriter;
  private readonly deadLetters: DeadLetterWriter;
  /** Stops every poller and backoff at once: dozens wait on it under throttling, so no listener cap (not a leak). */
  private readonly abortController = uncapped(new AbortController());
  private readonly running = new Map<string, { poller: ShardPoller; done: Promise<void> }>();
  private readonly finished = new Set<string>();
  private checkpoints = new Map<string, string>();
  private readonly behind = new Map<string, number>();
  private draining = false;
  private stopped = false;
  /** Open shards read to their tip by `stop()`: not started again. */
  private readonly drained = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private syncing: Promise<void> | undefined;
  private readonly counts = { recordsRead: 0, batches: 0, iteratorAgeMs: 0, readRetries: 0, errors: 0, lastError: undefined as string | undefined };
  private readonly config: PollerConfig;
  private readonly latency = new LatencyRecorder();

  constructor(private readonly options: ProcessorOptions) {
    const { aws } = options;
    this.leases = new LeaseTable(aws.dynamodb, options.leaseTable);
    this.tables = new EventTables(aws.dynamodb, options.tables);
    this.schemas = new SchemaStore(aws.dynamodb, options.schemaTtlMs, options.schemaTable);
    this.dynamo = new DynamoWriter(aws.dynamodb, this.tables);
    this.firehose = new FirehoseWriter(aws.firehose, options.deliveryStream);
    this.deadLetters = new DeadLetterWriter(aws.s3, options.bucket);
    this.writers = { dynamo: this.dynamo, firehose: this.firehose, deadLetters: this.deadLetters, schemas: this.schemas, tables: this.tables, now: options.now ?? Date.now };
    this.config = {
      batchSize: options.lambda.batchSize,
      parallelizationFactor: options.lambda.parallelizationFactor,
      batchWindowMs: options.lambda.batchWindow * 1000,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      getRecordsIntervalMs: options.getRecordsIntervalMs ?? 200,
    };
  }

  /** Creates the lease table if needed, loads checkpoints, makes the current (and next) period's table, starts polling. */
  async start(): Promise<void> {
    await this.leases.create();
    this.checkpoints = await this.leases.all();
    for (const [shard, checkpoint] of this.checkpoints) if (checkpoint === SHARD_END) this.finished.add(shard);
    await this.tables.maintain(this.writers.now());
    await this.syncShards();
    this.timers.push(setInterval(() => void this.syncShards().catch((e) => this.fail(e)), this.options.shardSyncMs ?? 1_000));
    this.timers.push(setInterval(() => void this.tables.maintain(this.writers.now()).catch((e) => this.fail(e)), this.options.maintainMs ?? 60_000));
  }

  get counters(): ProcessorCounters {
    return {
      recordsRead: this.counts.recordsRead,
      stored: this.dynamo.counters.stored,
      delivered: this.firehose.counters.delivered,
      deadLettered: this.deadLetters.deadLettered,
      batches: this.counts.batches,
      retries: this.dynamo.counters.retries + this.firehose.counters.retries + this.deadLetters.retries + this.counts.readRetries,
      throttled: this.dynamo.counters.throttled + this.firehose.counters.throttled,
      iteratorAgeMs: this.counts.iteratorAgeMs,
      endToEndMs: this.latency.summary(),
      millisBehindLatest: Math.max(0, ...this.behind.values()),
      shardsRunning: this.running.size,
      shardsFinished: this.finished.size,
      errors: this.counts.errors,
      ...(this.counts.lastError ? { lastError: this.counts.lastError } : {}),
    };
  }

  /** Lists shards and starts a poller for each unfinished one whose parents are finished (or gone). */
  syncShards(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    if (this.abortController.signal.aborted) return;
    const shards = await listAllShards(this.options.aws.kinesis, this.options.streamName);
    const present = new Set(shards.map((s) => s.ShardId!));
    for (const shard of shards) {
      const id = shard.ShardId!;
      if (this.finished.has(id) || this.running.has(id) || this.drained.has(id)) continue;
      if (!parentsOf(shard).every((p) => this.finished.has(p) || !present.has(p))) continue;
      this.startPoller(id);
    }
  }

  private makePoller(shardId: string): ShardPoller {
    const poller = new ShardPoller(
      this.options.aws.kinesis,
      this.options.streamName,
      shardId,
      this.checkpoints.get(shardId),
      this.config,
      {
        handle: async (records, shard) => {
          const { stored } = await handleBatch(records, shard, this.writers, this.abortController.signal);
          const now = Date.now();
          for (const e of stored) this.latency.record(now - e.acceptedAt, 1);
        },
        checkpoint: async (shard, sequence) => {
          await this.leases.checkpoint(shard, sequence, this.owner);
          this.checkpoints.set(shard, sequence);
        },
        onRead: (shard, records, millisBehind) => {
          this.counts.recordsRead += records.length;
          this.behind.set(shard, millisBehind);
        },
        onBatchDone: (_shard, records) => {
          this.counts.batches++;
          const arrival = records[records.length - 1]?.ApproximateArrivalTimestamp;
          if (arrival) this.counts.iteratorAgeMs = Date.now() - arrival.getTime();
        },
        onRetry: () => this.counts.readRetries++,
      },
      this.abortController.signal,
    );
    poller.draining = this.draining;
    return poller;
  }

  private startPoller(shardId: string): void {
    const entry = { poller: this.makePoller(shardId), done: Promise.resolve() };
    this.shardLog.push({ shardId, kind: 'start', at: Date.now() });
    entry.done = (async () => {
      for (;;) {
        try {
          const end = await entry.poller.run();
          if (end === 'shard-end') {
            this.finished.add(shardId);
            this.shardLog.push({ shardId, kind: 'end', at: Date.now() });
          }
          if (end === 'drained') this.drained.add(shardId);
          return;
        } catch (error) {
          // Lambda retries a failed batch until it succeeds or expires (§4): a new poller starts from the checkpoint.
          this.fail(error);
          await sleep(1_000, this.abortController.signal);
          if (this.abortController.signal.aborted) return;
          entry.poller = this.makePoller(shardId);
        }
      }
    })().finally(() => {
      this.running.delete(shardId);
      this.behind.delete(shardId);
      if (!this.abortController.signal.aborted && !this.stopped) void this.syncShards().catch((e) => this.fail(e));
    });
    this.running.set(shardId, entry);
  }

  private fail(error: unknown): void {
    this.counts.errors++;
    this.counts.lastError = (error as Error).message ?? String(error);
  }

  /**
   * Drains: every shard is read to its tip (children of shards that end meanwhile too) and checkpointed, then
   * everything stops. Call after the API stopped accepting.
   */
  async stop(): Promise<void> {
    this.draining = true;
    for (const { poller } of this.running.values()) poller.draining = true;
    for (;;) {
      await this.syncShards();
      const pending = [...this.running.values()].map((r) => r.done);
      if (pending.length === 0) break;
      await Promise.all(pending);
    }
    this.stopped = true;
    this.clearTimers();
  }

  /** Stops at once: batches in flight are abandoned unchecked and will be read again by the next start. */
  async abort(): Promise<void> {
    this.abortController.abort();
    this.clearTimers();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

function parentsOf(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => typeof p === 'string' && p.length > 0);
}

export type { _Record };

function uncapped(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
