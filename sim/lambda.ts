/**
 * The stream processor: a Lambda function behind a Kinesis event-source mapping (§4). Per shard, up to
 * `parallelizationFactor` batches in flight, each taking `batchMs + perRecordMs × records`; reads bounded by the
 * shard's 2 MiB/s, 2,000 records/s and 5 GetRecords calls/s (§1.1). Each record is written to DynamoDB and Firehose;
 * throttled writes are retried inside the invocation (the SDK's unprocessed-items loop), so a throttled downstream
 * makes batches slower and the shard's backlog and iterator age grow. A record is checkpointed once both writes
 * succeeded. After a reshard, children are read only once every parent has drained.
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import { SHARD_LIMITS } from './kinesis.ts';

export const lambdaConfigSchema = z.strictObject({
  /** Records per batch: default 100, max 10,000 (§4). */
  batchSize: z.number().int().min(1).max(10_000).default(100),
  /** Concurrent batches per shard: 1–10, default 1 (§4). */
  parallelizationFactor: z.number().int().min(1).max(10).default(1),
  /** MaximumBatchingWindowInSeconds: 0–300 s, default 0 (§4). */
  batchWindow: duration().pipe(z.number().min(0).max(300)).default(0),
  memoryMb: z.number().int().min(128).max(10_240).default(256),
  architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
  /** Fixed time per invocation (start, SDK set-up, checkpoint). Workload-specific: UNCONFIRMED, a parameter. */
  batchMs: z.number().nonnegative().default(20),
  /** Time per record, writes included. Workload-specific: UNCONFIRMED, a parameter. */
  perRecordMs: z.number().nonnegative().default(0.5),
  /** Wait before retrying throttled writes inside an invocation (SDK backoff, first step ~100 ms). */
  retryBackoffMs: z.number().nonnegative().default(100),
  /** Stream retention: records older than this expire unread and are lost (default 24 h, §4). */
  retention: duration().default(86_400),
  /**
   * A batch is cut at 6 MB of the invocation's payload (§4, "Payload cap", LAM-2023), taken as 6 MiB. The payload is
   * JSON: each record's data base64-encoded (4/3 of its bytes) plus the event record's other fields.
   */
  maxPayloadBytes: z.number().positive().default(6 * 1_048_576),
  /**
   * JSON bytes of one Kinesis event record besides its base64 data (eventID, eventSourceARN, sequenceNumber,
   * partitionKey, ...). Not in aws-reference.md: UNCONFIRMED, about 500 B by counting the event record's fields.
   */
  recordEnvelopeBytes: z.number().nonnegative().default(500),
});
export type LambdaConfig = z.output<typeof lambdaConfigSchema>;

/**
 * Records per invocation: `batchSize`, or fewer when the invocation's JSON would pass `maxPayloadBytes` (§4). A record
 * of B bytes (partition key included) takes ceil(B/3)×4 bytes of base64 plus `recordEnvelopeBytes`.
 */
export function batchRecords(c: Pick<LambdaConfig, 'batchSize' | 'maxPayloadBytes' | 'recordEnvelopeBytes'>, bytesPerRecord: number): number {
  const json = Math.ceil(bytesPerRecord / 3) * 4 + c.recordEnvelopeBytes;
  if (!(json > 0)) return c.batchSize;
  return Math.max(1, Math.min(c.batchSize, Math.floor(c.maxPayloadBytes / json)));
}

/** Invocations one shard keeps running at once for `busyMs` of work in a tick: at least one, at most `pf` (§4). */
function concurrentOn(busyMs: number, pf: number, dt: number): number {
  if (!(busyMs > 0)) return 0;
  return Math.min(pf, Math.max(1, Math.ceil(busyMs / (dt * 1000) - 1e-9)));
}

/** Cohorts kept per shard queue; past this, new arrivals merge into the newest cohort (ages stay conservative). */
const COHORTS = 1024;

/** One shard's records in arrival order, as cohorts (one per tick), plus what the processor holds in flight. */
class ShardQueue {
  readonly times = new Float64Array(COHORTS);
  readonly records = new Float64Array(COHORTS);
  readonly bytes = new Float64Array(COHORTS);
  head = 0;
  size = 0;
  /** Records in the queue not yet read; the rest (total − unread) are in flight. */
  unread = 0;
  unreadBytes = 0;
  total = 0;
  /** Records read and still waiting for their DynamoDB / Firehose write. */
  ddbPending = 0;
  fhPending = 0;
  /** This tick's reads, between `plan` and `settle`. */
  read = 0;
  /** A child shard waiting for its parents to drain (§4): it takes records but is not read yet. */
  waiting = false;
  inFlightBefore = 0;

  push(time: number, records: number, bytes: number): void {
    if (records <= 0) return;
    if (this.size === COHORTS) {
      const last = (this.head + this.size - 1) % COHORTS;
      this.records[last] = this.records[last]! + records;
      this.bytes[last] = this.bytes[last]! + bytes;
    } else {
      const at = (this.head + this.size) % COHORTS;
      this.times[at] = time;
      this.records[at] = records;
      this.bytes[at] = bytes;
      this.size++;
    }
    this.unread += records;
    this.unreadBytes += bytes;
    this.total += records;
  }

  /** Removes `n` records from the front; calls `sink(records, arrivedAt)` per cohort touched. */
  pop(n: number, sink: (records: number, arrivedAt: number) => void): void {
    let left = Math.min(n, this.total);
    this.total -= left;
    while (left > 1e-9 && this.size > 0) {
      const r = this.records[this.head]!;
      const take = Math.min(r, left);
      sink(take, this.times[this.head]!);
      left -= take;
      if (take >= r - 1e-9) {
        this.head = (this.head + 1) % COHORTS;
        this.size--;
      } else {
        const share = take / r;
        this.bytes[this.head] = this.bytes[this.head]! * (1 - share);
        this.records[this.head] = r - take;
      }
    }
    if (this.size === 0) this.total = 0;
  }

  oldest(): number | undefined {
    return this.size > 0 ? this.times[this.head] : undefined;
  }

  get inFlight(): number {
    return Math.max(this.ddbPending, this.fhPending);
  }
}

export interface ConsumerTick {
  /** Records each sink is asked to write this tick (retries included). */
  ddbAttempts: number;
  fhAttempts: number;
  fhBytes: number;
  fhRequests: number;
  /** New records read from Kinesis this tick. */
  readRecords: number;
  readBytes: number;
  invocations: number;
  /** Invocations running at once this tick, over all shards: a count (§4: up to parallelizationFactor per shard). */
  concurrency: number;
  gbSeconds: number;
  /** Records checkpointed this tick. */
  completed: number;
  /** Records that expired before their DynamoDB write succeeded: never stored. */
  expired: number;
  /** Records that expired before their Firehose write succeeded: never delivered (some may be stored). */
  expiredDelivery: number;
  /** Age of the oldest record not yet checkpointed, over all shards (ms). */
  iteratorAgeMs: number;
}

export class LambdaConsumer {
  private queues: ShardQueue[];
  /** This tick's share of invocations able to work (`plan`). */
  private share = 1;
  private parents: ShardQueue[] = [];
  readonly tick: ConsumerTick = {
    ddbAttempts: 0,
    fhAttempts: 0,
    fhBytes: 0,
    fhRequests: 0,
    readRecords: 0,
    readBytes: 0,
    invocations: 0,
    concurrency: 0,
    gbSeconds: 0,
    completed: 0,
    expired: 0,
    expiredDelivery: 0,
    iteratorAgeMs: 0,
  };

  constructor(
    /** Not readonly: the KCL consumer (kcl.ts) re-derives it when the shard count changes. */
    protected config: LambdaConfig,
    shards: number,
    private readonly dt: number,
  ) {
    this.queues = Array.from({ length: shards }, () => new ShardQueue());
  }

  /** Records in the stream not yet checkpointed (backlog and in flight). */
  backlog(): number {
    let sum = 0;
    for (const q of this.parents) sum += q.total;
    for (const q of this.queues) sum += q.total;
    return sum;
  }

  /**
   * Records in the stream still owed to each sink: unread ones, plus read ones whose write to that sink has not
   * succeeded yet. A record stored in DynamoDB but waiting on Firehose is owed to Firehose only.
   */
  owed(): { dynamodb: number; firehose: number } {
    let dynamodb = 0;
    let firehose = 0;
    for (const q of [...this.parents, ...this.queues]) {
      dynamodb += q.unread + q.ddbPending;
      firehose += q.unread + q.fhPending;
    }
    return { dynamodb, firehose };
  }

  /**
   * The stream's shards changed. Without `kept` (UpdateShardCount), every shard closes: today's shards become parents
   * and new records go to `shards` children. With `kept` (one entry per new shard: the index of the old shard with
   * the same hash range, or -1), only shards whose range changed (split or merged) close; the others keep their queue.
   * Children are read only once every parent has drained (§4, resharding).
   */
  reshard(shards: number, kept?: ArrayLike<number>): void {
    const old = this.queues;
    const keep = new Set<number>();
    const next: ShardQueue[] = [];
    for (let j = 0; j < shards; j++) {
      const i = kept ? kept[j]! : -1;
      if (i >= 0 && i < old.length) {
        keep.add(i);
        next.push(old[i]!);
      } else next.push(new ShardQueue());
    }
    for (let i = 0; i < old.length; i++) if (!keep.has(i) && old[i]!.total > 0) this.parents.push(old[i]!);
    for (let j = 0; j < shards; j++) {
      const i = kept ? kept[j]! : -1;
      if (!(i >= 0 && i < old.length)) next[j]!.waiting = this.parents.length > 0;
    }
    this.queues = next;
  }

  /** Adds this tick's accepted records per shard (arrival at mid-tick). */
  ingest(now: number, shardRecords: Float64Array, shardBytes: Float64Array): void {
    const at = now + this.dt / 2;
    for (let s = 0; s < this.queues.length; s++) this.queues[s]!.push(at, shardRecords[s]!, shardBytes[s]!);
  }

  /**
   * Phase 1: what each readable shard reads and how many writes it attempts. `capacityShare` (0–1) is the share of
   * its invocations able to work this tick (the rest stalled, e.g. on refused schema lookups).
   */
  plan(now: number, capacityShare = 1): ConsumerTick {
    this.share = capacityShare < 0 ? 0 : capacityShare > 1 ? 1 : capacityShare;
    const t = this.tick;
    t.ddbAttempts = t.fhAttempts = t.fhBytes = t.fhRequests = t.readRecords = t.readBytes = 0;
    t.invocations = t.concurrency = t.gbSeconds = t.completed = t.expired = t.expiredDelivery = 0;
    for (const q of this.parents) this.planShard(now, q);
    for (const q of this.queues) {
      if (q.waiting) q.read = 0;
      else this.planShard(now, q);
    }
    return t;
  }

  /** Phase 2: applies the share of writes each sink accepted, checkpoints finished records and records latency. */
  settle(now: number, ddbAccepted: number, fhAccepted: number, onCompleted: (records: number, ageSeconds: number) => void): void {
    const t = this.tick;
    const fd = t.ddbAttempts > 0 ? ddbAccepted / t.ddbAttempts : 1;
    const ff = t.fhAttempts > 0 ? fhAccepted / t.fhAttempts : 1;
    const end = now + this.dt;
    // A record waits on average half a poll interval (the mapping polls each shard once per second, or once per
    // batching window, §4) and then one batch's processing time; time queued behind a backlog comes on top.
    const processingSeconds =
      Math.max(1, this.config.batchWindow) / 2 + (this.config.batchMs + this.config.perRecordMs * this.config.batchSize) / 1000;
    let oldest = Infinity;
    const settleQueue = (q: ShardQueue): void => {
      q.ddbPending = (q.ddbPending + q.read) * (1 - fd);
      q.fhPending = (q.fhPending + q.read) * (1 - ff);
      if (q.ddbPending < 1e-6) q.ddbPending = 0;
      if (q.fhPending < 1e-6) q.fhPending = 0;
      const completed = q.inFlightBefore + q.read - q.inFlight;
      if (completed > 0) {
        t.completed += completed;
        q.pop(completed, (records, arrivedAt) => onCompleted(records, Math.max(0, end - arrivedAt - this.dt / 2) + processingSeconds));
      }
      q.read = 0;
    };
    for (const q of this.parents) settleQueue(q);
    for (const q of this.queues) if (!q.waiting) settleQueue(q);
    if (this.parents.length > 0 && this.parents.every((q) => q.total <= 1e-6)) {
      this.parents = [];
      for (const q of this.queues) q.waiting = false;
    }
    for (const q of this.parents) oldest = Math.min(oldest, q.oldest() ?? Infinity);
    for (const q of this.queues) oldest = Math.min(oldest, q.oldest() ?? Infinity);
    t.iteratorAgeMs = oldest === Infinity ? 0 : Math.max(0, end - oldest) * 1000;
  }

  private planShard(now: number, q: ShardQueue): void {
    const c = this.config;
    const t = this.tick;
    const dt = this.dt;
    this.expire(now, q);
    q.inFlightBefore = q.inFlight;
    const pf = c.parallelizationFactor;
    // Batches stuck on throttled writes wait for their backoff; retrying items costs processing time too.
    const stuck = q.inFlightBefore >= 0.5 ? Math.min(pf, Math.ceil(q.inFlightBefore / c.batchSize)) : 0;
    const retryMs = (q.ddbPending + q.fhPending) * c.perRecordMs;
    let budgetMs = pf * dt * 1000 * this.share - stuck * c.retryBackoffMs - retryMs;
    if (budgetMs < 0) budgetMs = 0;
    let read = 0;
    const bytesPerRecord = q.unread > 0 ? q.unreadBytes / q.unread : 0;
    const batch = batchRecords(c, bytesPerRecord);
    const perRecordCostMs = c.perRecordMs + c.batchMs / batch;
    // Records still waiting for a write occupy the batches in flight: the shard reads only as many new records as
    // one tick's worth of batches can hold besides them, so throughput settles at what the sinks accept.
    const room = (perRecordCostMs > 0 ? (pf * dt * 1000 * this.share) / perRecordCostMs : Infinity) - q.inFlightBefore;
    if (room > 0 && q.unread > 0) {
      read = Math.min(
        q.unread,
        room,
        perRecordCostMs > 0 ? budgetMs / perRecordCostMs : Infinity,
        SHARD_LIMITS.readRecords * dt,
        bytesPerRecord > 0 ? (SHARD_LIMITS.readBytes * dt) / bytesPerRecord : Infinity,
        // The poller's GetRecords returns up to 10,000 records per call; batches are cut from those.
        SHARD_LIMITS.getRecordsCalls * dt * SHARD_LIMITS.getRecordsMaxRecords,
      );
      const readBytes = read * bytesPerRecord;
      q.unread -= read;
      q.unreadBytes -= readBytes;
      if (q.unread < 1e-9) q.unread = q.unreadBytes = 0;
      t.readRecords += read;
      t.readBytes += readBytes;
      t.fhBytes += readBytes;
      // A poll per second (or per batching window) while records trickle in; full batches when they pile up.
      const polls = dt / Math.max(1, c.batchWindow);
      const invocations = Math.max(read / batch, Math.min(read, polls));
      t.invocations += invocations;
      // One PutRecordBatch per 500 records (and per 4 MiB), at least one per invocation.
      t.fhRequests += Math.max(invocations, read / 500, readBytes / (4 * 1_048_576));
      const busyMs = invocations * c.batchMs + read * c.perRecordMs + retryMs + stuck * c.retryBackoffMs;
      t.gbSeconds += (busyMs / 1000) * (c.memoryMb / 1024);
      t.concurrency += concurrentOn(busyMs, pf, dt);
    } else if (stuck > 0) {
      const busyMs = retryMs + stuck * c.retryBackoffMs;
      t.gbSeconds += (busyMs / 1000) * (c.memoryMb / 1024);
      t.concurrency += concurrentOn(busyMs, pf, dt);
    }
    q.read = read;
    t.ddbAttempts += q.ddbPending + read;
    t.fhAttempts += q.fhPending + read;
    t.fhBytes += q.fhPending * (q.total > 0 ? q.unreadBytes / Math.max(q.unread, 1) : 0);
  }

  /**
   * Expires records older than the stream's retention: they are lost (never stored). Unread ones simply vanish; ones
   * in flight (a batch retried until its records expire, §4) leave the processor's pending writes too. In-flight
   * records sit at the front of the queue, so they are the first to expire.
   */
  private expire(now: number, q: ShardQueue): void {
    const limit = now - this.config.retention;
    if (q.size === 0 || q.times[q.head]! >= limit) return;
    let inFlightLeft = q.total - q.unread;
    let expiredInFlight = 0;
    let expiredUnread = 0;
    let expiredUnreadBytes = 0;
    while (q.size > 0 && q.times[q.head]! < limit) {
      const records = q.records[q.head]!;
      const inFlight = Math.min(records, inFlightLeft);
      inFlightLeft -= inFlight;
      expiredInFlight += inFlight;
      expiredUnread += records - inFlight;
      expiredUnreadBytes += q.bytes[q.head]! * ((records - inFlight) / records);
      q.head = (q.head + 1) % COHORTS;
      q.size--;
    }
    q.total -= expiredInFlight + expiredUnread;
    q.unread -= expiredUnread;
    q.unreadBytes -= expiredUnreadBytes;
    if (q.unread < 1e-9 || q.size === 0) q.unread = q.unreadBytes = 0;
    if (q.size === 0) q.total = 0;
    // Of the expired in-flight records, those already written to a sink reached it; each sink loses only the rest.
    const lostInFlight = Math.min(expiredInFlight, q.ddbPending);
    const undeliveredInFlight = Math.min(expiredInFlight, q.fhPending);
    q.ddbPending -= lostInFlight;
    q.fhPending -= undeliveredInFlight;
    this.tick.expired += lostInFlight + expiredUnread;
    this.tick.expiredDelivery += undeliveredInFlight + expiredUnread;
  }
}
