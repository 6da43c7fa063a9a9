/**
 * Kinesis Data Streams, write side (§1): per-shard limits of 1 MiB/s and 1,000 records/s enforced per second,
 * partition keys mapped onto each open shard's hash range, PutRecords partial failure with producer retries
 * (full-jitter backoff) and drops after the retry budget, UpdateShardCount, SplitShard and MergeShards (§1.3), and
 * on-demand capacity as AWS builds it: shards that split when they pass half their limit (§1.4).
 * Hash ranges need not be equal: a split/merge sequence leaves uneven ranges, and each shard's limit sees its share.
 * Flows are aggregated per shard and tick; nothing here is per record. Pure: time comes in as `now`.
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import { keyHashPosition, keyWeights } from './key-hash.ts';

const kinesisAutoscalerSchema = z.union([
  z.literal('none'),
  // The named policy's own schema validates the rest of the section (see scenarios/load.ts).
  z.looseObject({
    /** A bundled policy name or a path to a TypeScript/JavaScript module exporting a policy. */
    policy: z.string().min(1),
  }),
]);

/** The `kinesis:` section. */
export const kinesisConfigSchema = z.strictObject({
  mode: z.enum(['provisioned', 'on-demand']).default('provisioned'),
  shards: z.number().int().positive().default(1),
  partitionKey: z.enum(['tenant', 'tenant-timestamp', 'random']).default('tenant-timestamp'),
  /** How long UpdateShardCount keeps the stream UPDATING: "a few minutes" (§1.3), UNCONFIRMED. */
  reshardSeconds: duration().default(180),
  /**
   * How long one SplitShard or MergeShards keeps the stream UPDATING. AWS gives no number (§1.3 "Split/merge
   * duration", UNCONFIRMED); 30 s is kinesis-scaling-utils' own expectation ("stream mutation takes around 30
   * seconds", StreamScalingUtils.waitForStreamStatus, KSU).
   */
  splitMergeSeconds: duration().default(30),
  /** UpdateShardCount calls per rolling 24 h: 10 today, 2 before ~2020 (§1.3). */
  updateShardCountPer24h: z.number().int().positive().default(10),
  /**
   * Shards UpdateShardCount can reach, and above which it cannot scale a stream down unless the result is below it
   * (KDS-USC-API): 10,000 today, 500 in 2018–~2021, 200 before (§1.3). SplitShard/MergeShards are not bound by it.
   */
  maxShardsPerStream: z.number().int().positive().default(10_000),
  /**
   * On-demand: a shard whose one-minute average ingest reaches this share of its limit, in bytes or in records, is
   * split in two. §1.4 says 500 KB/s (bytes); the records half (500 records/s) is AWS's 2023 blog on 1 GB/s
   * on-demand streams as issue 13 reads it, not in aws-reference.md: UNCONFIRMED.
   */
  onDemandSplitShare: z.number().positive().max(1).default(0.5),
  /** On-demand: "splits it within 15 minutes" (§1.4); taken as the full 15 minutes (UNCONFIRMED exact timing). */
  onDemandSplitSeconds: duration().default(900),
  /**
   * On-demand write cap per stream in MiB/s (AWS writes MB; per-shard "1 MB" is 1 MiB, §1.1). Default by region
   * (KDS-Q-live, §1.4): 10 GB/s in us-east-1, us-west-2 and eu-west-1, 200 MB/s elsewhere (200 MB/s everywhere in 2022).
   */
  onDemandMaxWriteMiBps: z.number().positive().optional(),
  /**
   * PutRecords request cap in MiB (§1.1): 10 on the current API page, 5 before (KDS-Q-2022, SDK docs). With API
   * Gateway's Kinesis integration one request is one PutRecords, so a tenant batch above 500 records or this size
   * is sent as several requests (billed, and counted by the account throttle).
   */
  putRecordsMaxRequestMiB: z.number().positive().default(10),
  autoscaler: kinesisAutoscalerSchema.default('none'),
});
export type KinesisConfig = z.output<typeof kinesisConfigSchema>;

/** The `producer:` section: the ingest API's PutRecords client. */
export const producerConfigSchema = z.strictObject({
  /** PutRecords retries of failed records; after these the record is dropped. */
  maxRetries: z.number().int().nonnegative().max(100).default(3),
  /** Full-jitter exponential backoff, as the AWS SDK v3 standard retry strategy (base 100 ms, cap 20 s). */
  backoffBaseMs: z.number().positive().default(100),
  backoffMaxMs: z.number().positive().default(20_000),
});
export type ProducerConfig = z.output<typeof producerConfigSchema>;

/** Per-shard limits (§1.1; byte figures as kinesis-scaling-utils uses them, §2.2). */
export const SHARD_LIMITS = {
  writeBytes: 1_048_576,
  writeRecords: 1_000,
  readBytes: 2_097_152,
  readRecords: 2_000,
  getRecordsCalls: 5,
  getRecordsMaxRecords: 10_000,
} as const;

/**
 * PutRecords per request (§1.1): at most 500 records, and at most `putRecordsMaxRequestMiB` of records (partition keys
 * included): 5 MiB in KDS-Q-2022 and every SDK doc, 10 MiB on the current API page (change date UNCONFIRMED).
 */
export const PUT_RECORDS = { maxRecords: 500 } as const;

/** Records one PutRecords call can carry for records of `recordBytes` (data + key) under a `maxRequestBytes` cap. */
export function putRecordsPerCall(recordBytes: number, maxRequestBytes: number): number {
  const bySize = recordBytes > 0 ? Math.floor(maxRequestBytes / recordBytes) : PUT_RECORDS.maxRecords;
  return Math.max(1, Math.min(PUT_RECORDS.maxRecords, bySize));
}

/** PutRecords calls a batch of `events` records of `recordBytes` needs. */
export function putRecordsCalls(events: number, recordBytes: number, maxRequestBytes: number): number {
  return Math.ceil(events / putRecordsPerCall(recordBytes, maxRequestBytes));
}

/** On-demand mode (§1.4): a new stream writes 4 MB/s, i.e. starts as 4 shards. */
export const ON_DEMAND = {
  initialShards: 4,
  /** Regions whose on-demand write cap is 10 GB/s (KDS-Q-live, §1.4); 200 MB/s elsewhere. */
  bigRegions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  bigRegionMiBps: 10 * 1024,
  otherMiBps: 200,
} as const;

/** On-demand write cap of a region in MiB/s (§1.4). */
export function onDemandMaxWriteMiBps(region: string): number {
  return (ON_DEMAND.bigRegions as readonly string[]).includes(region) ? ON_DEMAND.bigRegionMiBps : ON_DEMAND.otherMiBps;
}

/** Two hash positions closer than this are the same (kinesis-scaling-utils' softCompare tolerance is 1e-9, KSU). */
export const HASH_EPSILON = 1e-9;

/** Partition-key lengths count towards the byte limit (§1.1); typical UTF-8 lengths of each key strategy. */
export const KEY_BYTES: Record<KinesisConfig['partitionKey'], number> = { tenant: 12, 'tenant-timestamp': 26, random: 32 };

export interface ReshardResult {
  readonly applied: boolean;
  readonly refusal?: string;
  /** When the stream is ACTIVE again, if applied (seconds since run start). */
  readonly activeAt?: number;
}

export interface KinesisTickResult {
  /** Records accepted this tick by attempt number (0 = first try), for latency accounting. */
  readonly acceptedByAttempt: Float64Array;
  acceptedRecords: number;
  acceptedBytes: number;
  /** Throttled record attempts (WriteProvisionedThroughputExceeded counts each). */
  throttledRecords: number;
  /** Records given up after the retry budget. */
  droppedRecords: number;
  /** Bytes and records accepted per open shard, for the consumers. */
  shardRecords: Float64Array;
  shardBytes: Float64Array;
  /** Fresh demand this tick (first attempts) against capacity, for scaling lag. */
  demandRecords: number;
  demandBytes: number;
  capacityRecords: number;
  capacityBytes: number;
  /** Shards whose demand exceeded their limit this tick. */
  hotShards: number;
}

export interface GroupTraffic {
  readonly name: string;
  readonly count: number;
  readonly meanBytes: number;
}

/** A shard's hash range as fractions of the key space [0, 1). */
export interface ShardRange {
  readonly lo: number;
  readonly hi: number;
}

export class KinesisModel {
  readonly mode: KinesisConfig['mode'];
  shards: number;
  updating = false;
  pendingTarget = 0;
  /** Times of accepted UpdateShardCount calls, for the rolling-24-hour quota. */
  private readonly calls: number[] = [];
  shardsMax: number;
  /** Completed resharding operations: UpdateShardCount calls, SplitShard and MergeShards, on-demand splits. */
  reshards = 0;
  /** Bumped at every change of the open shards' layout; consumers compare it to know when to follow. */
  layoutVersion = 0;
  /**
   * After the latest layout change, for each open shard the index it had before if its hash range is unchanged (its
   * records keep flowing to the same consumer), or -1 for a new child shard.
   */
  lastKept: Int32Array = new Int32Array(0);

  private readonly keyBytes: number;
  private readonly maxRetries: number;
  /** Ticks of backoff before retry attempt k (index k-1), and its mean delay in ms (for latency). */
  readonly retryDelayTicks: Int32Array;
  readonly retryDelayMs: Float64Array;
  private readonly ringSize: number;
  private slot = 0;
  /** Pending retries: [slot][attempt-1][shard] → records, and their bytes. */
  private retryRecords: Float64Array;
  private retryBytes: Float64Array;
  /** Open shards' hash ranges: shard s covers [bounds[s], bounds[s+1]); widths[s] is its share of uniform keys. */
  private bounds: Float64Array;
  private widths: Float64Array;
  /** The layout an accepted UpdateShardCount/SplitShard/MergeShards applies when it completes. */
  private pendingBounds: Float64Array | null = null;
  /** Per group, the share of its traffic landing on each shard (groups × shards), null when keys spread uniformly. */
  private weights: Float64Array | null = null;
  private readonly tenantKeys: Float64Array[] | null;

  private demandR: Float64Array;
  private demandB: Float64Array;
  private freshR: Float64Array;
  private freshB: Float64Array;
  readonly tick: KinesisTickResult;

  /** On-demand: per-shard accepted records and bytes in the current minute, and when a split of each is due. */
  private minuteR: Float64Array = new Float64Array(0);
  private minuteB: Float64Array = new Float64Array(0);
  private splitDueAt: Float64Array = new Float64Array(0);
  private splitsPending = 0;
  private nextSplitAt = Infinity;
  private minuteIndex = 0;
  private readonly onDemandMaxShards: number;

  constructor(
    private readonly config: KinesisConfig,
    private readonly groups: readonly GroupTraffic[],
    producer: ProducerConfig,
    private readonly dt: number,
    region = 'us-east-1',
  ) {
    this.mode = config.mode;
    this.keyBytes = KEY_BYTES[config.partitionKey];
    this.maxRetries = producer.maxRetries;
    this.retryDelayTicks = new Int32Array(this.maxRetries);
    this.retryDelayMs = new Float64Array(this.maxRetries);
    for (let k = 1; k <= this.maxRetries; k++) {
      // SDK v3 standard retries: delay = random(0, min(cap, base·2^k)); the mean is half of that.
      const ceiling = Math.min(producer.backoffMaxMs, producer.backoffBaseMs * 2 ** k);
      this.retryDelayMs[k - 1] = ceiling / 2;
      this.retryDelayTicks[k - 1] = Math.max(1, Math.round(ceiling / 2 / 1000 / dt));
    }
    this.ringSize = (this.maxRetries > 0 ? Math.max(...this.retryDelayTicks) : 0) + 1;
    const capMiBps = config.onDemandMaxWriteMiBps ?? onDemandMaxWriteMiBps(region);
    // One shard writes 1 MiB/s, so the cap in shards is the cap in MiB/s (§1.1, §1.4).
    this.onDemandMaxShards = Math.max(1, Math.floor(capMiBps * (1_048_576 / SHARD_LIMITS.writeBytes)));
    this.shards = config.mode === 'on-demand' ? Math.min(ON_DEMAND.initialShards, this.onDemandMaxShards) : config.shards;
    this.shardsMax = this.shards;
    this.tenantKeys = config.partitionKey === 'tenant' ? groups.map((g) => tenantKeyPositions(g)) : null;
    this.retryRecords = new Float64Array(0);
    this.retryBytes = new Float64Array(0);
    this.bounds = equalBounds(this.shards);
    this.widths = new Float64Array(0);
    this.demandR = this.demandB = this.freshR = this.freshB = new Float64Array(0);
    this.tick = {
      acceptedByAttempt: new Float64Array(this.maxRetries + 1),
      acceptedRecords: 0,
      acceptedBytes: 0,
      throttledRecords: 0,
      droppedRecords: 0,
      shardRecords: new Float64Array(0),
      shardBytes: new Float64Array(0),
      demandRecords: 0,
      demandBytes: 0,
      capacityRecords: 0,
      capacityBytes: 0,
      hotShards: 0,
    };
    this.layout(this.bounds, null);
    this.layoutVersion = 0;
  }

  /** Stream write capacity per second as (records, bytes): open shards × per-shard limits, in both modes. */
  capacity(): { records: number; bytes: number } {
    return { records: this.shards * SHARD_LIMITS.writeRecords, bytes: this.shards * SHARD_LIMITS.writeBytes };
  }

  /** The open shards' hash ranges, lowest first (a copy). */
  ranges(): ShardRange[] {
    const out: ShardRange[] = [];
    for (let s = 0; s < this.shards; s++) out.push({ lo: this.bounds[s]!, hi: this.bounds[s + 1]! });
    return out;
  }

  /**
   * One tick of PutRecords: fresh records and bytes per group (already admitted by the API), plus retries that come
   * due. Results are in `this.tick` (reused).
   */
  put(now: number, fresh: Float64Array): KinesisTickResult {
    // On-demand splits that came due apply before this tick's records are placed, so every accepted record lands in
    // the layout the consumer sees.
    if (this.nextSplitAt <= now) this.applyDueSplits(now);
    const dt = this.dt;
    const n = this.shards;
    const t = this.tick;
    const { demandR, demandB, freshR, freshB } = this;
    demandR.fill(0);
    demandB.fill(0);
    freshR.fill(0);
    freshB.fill(0);
    t.acceptedByAttempt.fill(0);
    t.shardRecords.fill(0);
    t.shardBytes.fill(0);
    t.acceptedRecords = t.acceptedBytes = t.throttledRecords = t.droppedRecords = t.hotShards = 0;
    t.demandRecords = t.demandBytes = 0;

    for (let g = 0; g < this.groups.length; g++) {
      const records = fresh[g]!;
      if (records === 0) continue;
      const bytes = records * (this.groups[g]!.meanBytes + this.keyBytes);
      t.demandRecords += records;
      t.demandBytes += bytes;
      // Uniform keys land on each shard in proportion to its hash range; tenant keys where their MD5 falls.
      const w = this.weights === null ? this.widths : this.weights.subarray(g * n, (g + 1) * n);
      for (let s = 0; s < n; s++) {
        const ws = w[s]!;
        if (ws === 0) continue;
        freshR[s] = freshR[s]! + records * ws;
        freshB[s] = freshB[s]! + bytes * ws;
      }
    }
    for (let s = 0; s < n; s++) {
      demandR[s] = freshR[s]!;
      demandB[s] = freshB[s]!;
    }
    const K = this.maxRetries;
    const slotBase = this.slot * K * n;
    for (let k = 0; k < K; k++) {
      const row = slotBase + k * n;
      for (let s = 0; s < n; s++) {
        demandR[s] = demandR[s]! + this.retryRecords[row + s]!;
        demandB[s] = demandB[s]! + this.retryBytes[row + s]!;
      }
    }

    const cap = this.capacity();
    t.capacityRecords = cap.records * dt;
    t.capacityBytes = cap.bytes * dt;
    // Each shard enforces its own limit, in both modes: an on-demand stream is made of shards too (§1.1, §1.4), so
    // one partition key never exceeds one shard (§1.2).
    const capR = SHARD_LIMITS.writeRecords * dt;
    const capB = SHARD_LIMITS.writeBytes * dt;
    const nextSlot = (k: number) => (this.slot + this.retryDelayTicks[k]!) % this.ringSize;

    for (let s = 0; s < n; s++) {
      const r = demandR[s]!;
      if (r === 0) continue;
      const b = demandB[s]!;
      const f = Math.min(1, capR / r, b > 0 ? capB / b : 1);
      if (f < 1) t.hotShards++;
      const bytesPerRecord = b / r;
      // First attempts.
      this.settle(s, 0, freshR[s]!, freshB[s]!, f, K > 0 ? nextSlot(0) : -1, n);
      // Retries due now, attempt k+1.
      for (let k = 0; k < K; k++) {
        const idx = slotBase + k * n + s;
        const rr = this.retryRecords[idx]!;
        if (rr === 0) continue;
        const rb = this.retryBytes[idx]!;
        this.retryRecords[idx] = 0;
        this.retryBytes[idx] = 0;
        this.settle(s, k + 1, rr, rb, f, k + 1 < K ? nextSlot(k + 1) : -1, n);
      }
      t.shardRecords[s] = r * f;
      t.shardBytes[s] = r * f * bytesPerRecord;
      t.acceptedRecords += r * f;
      t.acceptedBytes += b * f;
    }
    this.slot = (this.slot + 1) % this.ringSize;
    if (this.mode === 'on-demand') this.watchShards(now);
    return t;
  }

  /** Splits one attempt class on one shard into accepted and throttled; throttled go to `retrySlot` or are dropped. */
  private settle(s: number, attempt: number, records: number, bytes: number, f: number, retrySlot: number, n: number): void {
    if (records === 0) return;
    const t = this.tick;
    t.acceptedByAttempt[attempt] = t.acceptedByAttempt[attempt]! + records * f;
    const throttled = records * (1 - f);
    if (throttled === 0) return;
    t.throttledRecords += throttled;
    if (retrySlot < 0) {
      t.droppedRecords += throttled;
      return;
    }
    const idx = (retrySlot * this.maxRetries + attempt) * n + s;
    this.retryRecords[idx] = this.retryRecords[idx]! + throttled;
    this.retryBytes[idx] = this.retryBytes[idx]! + bytes * (1 - f);
  }

  /** Records waiting for a retry (in flight at the producer). */
  pendingRetries(): number {
    let sum = 0;
    for (let i = 0; i < this.retryRecords.length; i++) sum += this.retryRecords[i]!;
    return sum;
  }

  /**
   * UpdateShardCount with UNIFORM_SCALING (§1.3, KDS-USC-API): refused while UPDATING, above 2× or below ½ of the
   * open shards, above `maxShardsPerStream`, down from a stream above that cap unless the result is below it, or past
   * the calls-per-rolling-24-hours quota. Accepted calls take `reshardSeconds`; the new shards have equal ranges.
   */
  requestShardCount(now: number, target: number): ReshardResult {
    if (this.mode === 'on-demand') return { applied: false, refusal: 'ValidationException: on-demand streams have no shard count to update' };
    const current = this.shards;
    const cap = this.config.maxShardsPerStream;
    const refuse = (refusal: string): ReshardResult => ({ applied: false, refusal });
    if (this.updating) return refuse('ResourceInUseException: stream is UPDATING');
    if (!Number.isInteger(target) || target < 1) return refuse(`InvalidArgumentException: target ${target} is not a positive integer`);
    if (target === current) return refuse(`InvalidArgumentException: target equals the open shard count ${current}`);
    if (target > 2 * current) return refuse(`InvalidArgumentException: ${current} → ${target} is more than 2× the open shards`);
    if (target * 2 < current) return refuse(`InvalidArgumentException: ${current} → ${target} is less than ½ of the open shards`);
    if (target > cap && target > current) return refuse(`LimitExceededException: ${target} is above ${cap} shards per stream (UpdateShardCount)`);
    if (current > cap && target >= cap) {
      return refuse(`LimitExceededException: a stream of ${current} shards (above ${cap}) can only be scaled down below ${cap}`);
    }
    while (this.calls.length > 0 && this.calls[0]! <= now - 86_400) this.calls.shift();
    if (this.calls.length >= this.config.updateShardCountPer24h) {
      return refuse(`LimitExceededException: ${this.config.updateShardCountPer24h} UpdateShardCount calls in the last 24 h`);
    }
    this.calls.push(now);
    this.updating = true;
    this.pendingTarget = target;
    this.pendingBounds = equalBounds(target);
    return { applied: true, activeAt: now + this.config.reshardSeconds };
  }

  /**
   * SplitShard (§1.3): splits the open shard whose range holds `at` (a key-space fraction strictly inside it) into
   * [lo, at) and [at, hi). One operation at a time: refused while UPDATING. Completes after `splitMergeSeconds`.
   */
  splitShard(now: number, at: number): ReshardResult {
    if (this.mode === 'on-demand') return { applied: false, refusal: 'ValidationException: on-demand streams are split by AWS' };
    if (this.updating) return { applied: false, refusal: 'ResourceInUseException: stream is UPDATING' };
    const s = this.shardAt(at);
    if (s < 0 || at - this.bounds[s]! <= HASH_EPSILON || this.bounds[s + 1]! - at <= HASH_EPSILON) {
      return { applied: false, refusal: `InvalidArgumentException: NewStartingHashKey ${at} is not inside an open shard` };
    }
    const next = new Float64Array(this.shards + 2);
    next.set(this.bounds.subarray(0, s + 1), 0);
    next[s + 1] = at;
    next.set(this.bounds.subarray(s + 1), s + 2);
    return this.startOperation(now, next);
  }

  /**
   * MergeShards (§1.3): merges the two adjacent open shards that meet at `boundary`. Refused while UPDATING.
   * Completes after `splitMergeSeconds`.
   */
  mergeShards(now: number, boundary: number): ReshardResult {
    if (this.mode === 'on-demand') return { applied: false, refusal: 'ValidationException: on-demand streams are managed by AWS' };
    if (this.updating) return { applied: false, refusal: 'ResourceInUseException: stream is UPDATING' };
    let s = -1;
    for (let i = 1; i < this.shards; i++) if (Math.abs(this.bounds[i]! - boundary) <= HASH_EPSILON) s = i;
    if (s < 0) return { applied: false, refusal: `InvalidArgumentException: no two adjacent open shards meet at ${boundary}` };
    const next = new Float64Array(this.shards);
    next.set(this.bounds.subarray(0, s), 0);
    next.set(this.bounds.subarray(s + 1), s);
    return this.startOperation(now, next);
  }

  private startOperation(now: number, next: Float64Array): ReshardResult {
    this.updating = true;
    this.pendingBounds = next;
    this.pendingTarget = next.length - 1;
    return { applied: true, activeAt: now + this.config.splitMergeSeconds };
  }

  /** Completes the accepted UpdateShardCount, SplitShard or MergeShards: its layout opens now. */
  completeReshard(): void {
    if (!this.updating || this.pendingBounds === null) return;
    this.updating = false;
    this.reshards++;
    const next = this.pendingBounds;
    this.pendingBounds = null;
    this.relayout(next);
  }

  /** Index of the open shard whose range holds `at`, or -1. */
  private shardAt(at: number): number {
    if (!(at >= 0 && at < 1)) return -1;
    let lo = 0;
    let hi = this.shards - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bounds[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * On-demand (§1.4): at the end of each minute, a shard whose average accepted ingest reached `onDemandSplitShare` of
   * its limit in bytes or records is split in two, evenly by hash range, `onDemandSplitSeconds` later. Capacity thus
   * follows twice the previous peak shard by shard, in both dimensions, and a hot key's shard keeps splitting until
   * the key is (nearly) alone on it — one key still never exceeds one shard. Shards are never merged (the previous
   * peak is remembered for 30 days); the stream never exceeds the region's write cap.
   */
  private watchShards(now: number): void {
    const n = this.shards;
    const t = this.tick;
    for (let s = 0; s < n; s++) {
      this.minuteR[s] = this.minuteR[s]! + t.shardRecords[s]!;
      this.minuteB[s] = this.minuteB[s]! + t.shardBytes[s]!;
    }
    const minute = Math.floor((now + this.dt) / 60 + 1e-9);
    if (minute === this.minuteIndex) return;
    const seconds = (minute - this.minuteIndex) * 60;
    this.minuteIndex = minute;
    const share = this.config.onDemandSplitShare;
    const dueAt = now + this.dt + this.config.onDemandSplitSeconds;
    for (let s = 0; s < n; s++) {
      const hot = this.minuteR[s]! / seconds >= share * SHARD_LIMITS.writeRecords || this.minuteB[s]! / seconds >= share * SHARD_LIMITS.writeBytes;
      this.minuteR[s] = 0;
      this.minuteB[s] = 0;
      if (!hot || this.splitDueAt[s]! !== Infinity) continue;
      if (n + this.splitsPending >= this.onDemandMaxShards) break;
      this.splitDueAt[s] = dueAt;
      this.splitsPending++;
      if (dueAt < this.nextSplitAt) this.nextSplitAt = dueAt;
    }
  }

  /** Applies every on-demand split due by `now` in one layout change. */
  private applyDueSplits(now: number): void {
    const n = this.shards;
    const next: number[] = [0];
    let applied = 0;
    let nextDue = Infinity;
    for (let s = 0; s < n; s++) {
      const lo = this.bounds[s]!;
      const hi = this.bounds[s + 1]!;
      const due = this.splitDueAt[s]!;
      if (due <= now) {
        next.push((lo + hi) / 2);
        applied++;
      } else if (due < nextDue) nextDue = due;
      next.push(hi);
    }
    if (applied === 0) {
      this.nextSplitAt = nextDue;
      return;
    }
    // Splits still pending carry over to their shard's new index.
    const carried: number[] = [];
    for (let s = 0; s < n; s++) {
      const due = this.splitDueAt[s]!;
      if (due <= now) carried.push(Infinity, Infinity);
      else carried.push(due);
    }
    this.reshards += applied;
    this.splitsPending -= applied;
    this.relayout(Float64Array.from(next));
    this.splitDueAt.set(carried);
    this.nextSplitAt = nextDue;
  }

  private relayout(next: Float64Array): void {
    const old = this.bounds;
    this.shards = next.length - 1;
    this.shardsMax = Math.max(this.shardsMax, this.shards);
    this.layout(next, old);
  }

  /** Sizes per-shard arrays for the layout `next`, carrying pending retries over by hash-range overlap. */
  private layout(next: Float64Array, old: Float64Array | null): void {
    const n = next.length - 1;
    const K = this.maxRetries;
    const records = new Float64Array(this.ringSize * K * n);
    const bytes = new Float64Array(this.ringSize * K * n);
    if (old !== null) {
      const from = old.length - 1;
      for (let row = 0; row < this.ringSize * K; row++) {
        remapRanges(this.retryRecords, row * from, old, records, row * n, next);
        remapRanges(this.retryBytes, row * from, old, bytes, row * n, next);
      }
    }
    this.lastKept = keptShards(old, next);
    this.bounds = next;
    this.widths = new Float64Array(n);
    for (let s = 0; s < n; s++) this.widths[s] = next[s + 1]! - next[s]!;
    this.retryRecords = records;
    this.retryBytes = bytes;
    this.demandR = new Float64Array(n);
    this.demandB = new Float64Array(n);
    this.freshR = new Float64Array(n);
    this.freshB = new Float64Array(n);
    this.tick.shardRecords = new Float64Array(n);
    this.tick.shardBytes = new Float64Array(n);
    this.minuteR = new Float64Array(n);
    this.minuteB = new Float64Array(n);
    this.splitDueAt = new Float64Array(n).fill(Infinity);
    this.weights = this.tenantKeys ? keyWeights(this.tenantKeys, next) : null;
    this.layoutVersion++;
  }
}

/** `n` equal hash ranges: [0, 1/n, 2/n, …, 1]. */
export function equalBounds(n: number): Float64Array {
  const b = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) b[i] = i / n;
  b[n] = 1;
  return b;
}

/** For each new shard, the old shard with exactly the same range, or -1 (all -1 without an old layout). */
function keptShards(old: Float64Array | null, next: Float64Array): Int32Array {
  const n = next.length - 1;
  const kept = new Int32Array(n).fill(-1);
  if (old === null) return kept;
  let i = 0;
  for (let j = 0; j < n; j++) {
    const lo = next[j]!;
    const hi = next[j + 1]!;
    while (i < old.length - 1 && old[i]! < lo - HASH_EPSILON) i++;
    if (i < old.length - 1 && Math.abs(old[i]! - lo) <= HASH_EPSILON && Math.abs(old[i + 1]! - hi) <= HASH_EPSILON) kept[j] = i;
  }
  return kept;
}

/** Where each tenant's partition key lands in the hash key space, as a fraction in [0, 1) (MD5, as Kinesis hashes). */
function tenantKeyPositions(group: GroupTraffic): Float64Array {
  const positions = new Float64Array(group.count);
  for (let i = 0; i < group.count; i++) {
    // The top 48 bits are plenty to place a key among at most 10,000 ranges.
    positions[i] = keyHashPosition(`${group.name}-${i}`);
  }
  return positions;
}

/**
 * Moves per-shard amounts from the ranges `fromBounds` to the ranges `toBounds` in proportion to their overlap
 * (amounts are spread evenly over each source range).
 */
export function remapRanges(src: Float64Array, srcOffset: number, fromBounds: Float64Array, dst: Float64Array, dstOffset: number, toBounds: Float64Array): void {
  const from = fromBounds.length - 1;
  const to = toBounds.length - 1;
  let j = 0;
  for (let i = 0; i < from; i++) {
    const amount = src[srcOffset + i]!;
    const lo = fromBounds[i]!;
    const hi = fromBounds[i + 1]!;
    while (j < to - 1 && toBounds[j + 1]! <= lo) j++;
    if (amount === 0) continue;
    const width = hi - lo;
    for (let k = j; k < to && toBounds[k]! < hi; k++) {
      const overlap = Math.min(hi, toBounds[k + 1]!) - Math.max(lo, toBounds[k]!);
      if (overlap > 0) dst[dstOffset + k] = dst[dstOffset + k]! + (amount * overlap) / width;
    }
  }
}

/** Moves per-shard amounts from `from` equal ranges to `to` equal ranges in proportion to their overlap. */
export function remapUniform(src: Float64Array, srcOffset: number, from: number, dst: Float64Array, dstOffset: number, to: number): void {
  remapRanges(src, srcOffset, equalBounds(from), dst, dstOffset, equalBounds(to));
}
