/**
 * Kinesis Data Streams, write side (§1): per-shard limits of 1 MiB/s and 1,000 records/s enforced per second,
 * partition keys mapped onto equal hash ranges, PutRecords partial failure with producer retries (full-jitter
 * backoff) and drops after the retry budget, UpdateShardCount rules (§1.3) and on-demand capacity (§1.4).
 * Flows are aggregated per shard and tick; nothing here is per record.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

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
  reshardSeconds: z.number().nonnegative().default(180),
  /** UpdateShardCount calls per rolling 24 h: 10 today, 2 before ~2020 (§1.3). */
  updateShardCountPer24h: z.number().int().positive().default(10),
  /** Shards per stream reachable by UpdateShardCount: 10,000 today (§1.3). */
  maxShardsPerStream: z.number().int().positive().default(10_000),
  autoscaler: kinesisAutoscalerSchema.default('none'),
});
export type KinesisConfig = z.output<typeof kinesisConfigSchema>;

/** The `producer:` section: the ingest API's PutRecords client. */
export const producerConfigSchema = z.strictObject({
  /** PutRecords retries of failed records; after these the record is dropped. */
  maxRetries: z.number().int().nonnegative().default(3),
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

/** On-demand mode (§1.4): a new stream writes 4 MB/s; capacity follows 2× the previous peak with a 15-minute lag. */
export const ON_DEMAND = {
  initialWriteBytes: 4 * 1_048_576,
  /** "more than double the previous peak within a 15-minute duration" throttles. */
  followSeconds: 15 * 60,
} as const;

/** Partition-key lengths count towards the byte limit (§1.1); typical UTF-8 lengths of each key strategy. */
const KEY_BYTES: Record<KinesisConfig['partitionKey'], number> = { tenant: 12, 'tenant-timestamp': 26, random: 32 };

export interface ReshardResult {
  readonly applied: boolean;
  readonly refusal?: string;
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

export class KinesisModel {
  readonly mode: KinesisConfig['mode'];
  shards: number;
  updating = false;
  pendingTarget = 0;
  /** Times of accepted UpdateShardCount calls, for the rolling-24-hour quota. */
  private readonly calls: number[] = [];
  shardsMax: number;
  reshards = 0;

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
  /** Per group, the share of its traffic landing on each shard (groups × shards), null when uniform. */
  private weights: Float64Array | null = null;
  private readonly tenantKeys: Float64Array[] | null;

  private demandR: Float64Array;
  private demandB: Float64Array;
  private freshR: Float64Array;
  private freshB: Float64Array;
  readonly tick: KinesisTickResult;

  /** On-demand: running peak of accepted bytes/s per minute, and capacity as of now. */
  private onDemandCapacity: number = ON_DEMAND.initialWriteBytes;
  private readonly peakByMinute: number[] = [];
  private minuteBytes = 0;
  private minuteIndex = 0;
  /** On-demand shard count to switch to at the next put. */
  private pendingLayout: number | null = null;

  constructor(
    private readonly config: KinesisConfig,
    private readonly groups: readonly GroupTraffic[],
    producer: ProducerConfig,
    private readonly dt: number,
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
    this.shards = config.mode === 'on-demand' ? this.onDemandShards() : config.shards;
    this.shardsMax = this.shards;
    this.tenantKeys = config.partitionKey === 'tenant' ? groups.map((g) => tenantKeyPositions(g)) : null;
    this.retryRecords = new Float64Array(0);
    this.retryBytes = new Float64Array(0);
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
    this.layout(this.shards, null);
  }

  /** Stream write capacity per second as (records, bytes). */
  capacity(): { records: number; bytes: number } {
    if (this.mode === 'on-demand') {
      return { records: (this.onDemandCapacity / SHARD_LIMITS.writeBytes) * SHARD_LIMITS.writeRecords, bytes: this.onDemandCapacity };
    }
    return { records: this.shards * SHARD_LIMITS.writeRecords, bytes: this.shards * SHARD_LIMITS.writeBytes };
  }

  /**
   * One tick of PutRecords: fresh records and bytes per group (already admitted by the API), plus retries that come
   * due. Results are in `this.tick` (reused).
   */
  put(now: number, fresh: Float64Array): KinesisTickResult {
    if (this.pendingLayout !== null) {
      this.relayout(this.pendingLayout);
      this.pendingLayout = null;
    }
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
      if (this.weights === null) {
        const r = records / n;
        const b = bytes / n;
        for (let s = 0; s < n; s++) {
          freshR[s] = freshR[s]! + r;
          freshB[s] = freshB[s]! + b;
        }
      } else {
        const base = g * n;
        for (let s = 0; s < n; s++) {
          const w = this.weights[base + s]!;
          if (w === 0) continue;
          freshR[s] = freshR[s]! + records * w;
          freshB[s] = freshB[s]! + bytes * w;
        }
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
    // Provisioned: each shard enforces its own limit. On-demand: the stream's capacity is pooled over shards,
    // except that one partition key can never exceed one shard (§1.2).
    let poolFraction = 1;
    if (this.mode === 'on-demand') {
      let totalR = 0;
      let totalB = 0;
      for (let s = 0; s < n; s++) {
        totalR += demandR[s]!;
        totalB += demandB[s]!;
      }
      poolFraction = Math.min(1, totalR > 0 ? t.capacityRecords / totalR : 1, totalB > 0 ? t.capacityBytes / totalB : 1);
    }
    const capR = SHARD_LIMITS.writeRecords * dt;
    const capB = SHARD_LIMITS.writeBytes * dt;
    const nextSlot = (k: number) => (this.slot + this.retryDelayTicks[k]!) % this.ringSize;

    for (let s = 0; s < n; s++) {
      const r = demandR[s]!;
      if (r === 0) continue;
      const b = demandB[s]!;
      const f =
        this.mode === 'on-demand' && this.weights === null
          ? poolFraction
          : Math.min(this.mode === 'on-demand' ? poolFraction : 1, capR / r, b > 0 ? capB / b : 1);
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
    if (this.mode === 'on-demand') this.followPeak(now, t.acceptedBytes);
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
   * UpdateShardCount (§1.3): refused while UPDATING, above 2× or below ½ of the open shards, above the per-stream
   * maximum, or past the calls-per-rolling-24-hours quota. Accepted calls take `reshardSeconds` to complete.
   */
  requestShardCount(now: number, target: number): ReshardResult {
    if (this.mode === 'on-demand') return { applied: false, refusal: 'ValidationException: on-demand streams have no shard count to update' };
    const current = this.shards;
    const refuse = (refusal: string): ReshardResult => ({ applied: false, refusal });
    if (this.updating) return refuse('ResourceInUseException: stream is UPDATING');
    if (!Number.isInteger(target) || target < 1) return refuse(`InvalidArgumentException: target ${target} is not a positive integer`);
    if (target === current) return refuse(`InvalidArgumentException: target equals the open shard count ${current}`);
    if (target > 2 * current) return refuse(`InvalidArgumentException: ${current} → ${target} is more than 2× the open shards`);
    if (target * 2 < current) return refuse(`InvalidArgumentException: ${current} → ${target} is less than ½ of the open shards`);
    if (target > this.config.maxShardsPerStream) return refuse(`LimitExceededException: ${target} is above ${this.config.maxShardsPerStream} shards per stream`);
    while (this.calls.length > 0 && this.calls[0]! <= now - 86_400) this.calls.shift();
    if (this.calls.length >= this.config.updateShardCountPer24h) {
      return refuse(`LimitExceededException: ${this.config.updateShardCountPer24h} UpdateShardCount calls in the last 24 h`);
    }
    this.calls.push(now);
    this.updating = true;
    this.pendingTarget = target;
    return { applied: true };
  }

  /** Completes an accepted UpdateShardCount: the new shards open with equal hash ranges. */
  completeReshard(): void {
    if (!this.updating) return;
    this.updating = false;
    this.reshards++;
    this.relayout(this.pendingTarget);
  }

  /** Shards open now in on-demand mode: AWS splits shards that pass 500 KB/s, so about capacity / 1 MiB × 2 / 2. */
  private onDemandShards(): number {
    return Math.max(1, Math.ceil(this.onDemandCapacity / SHARD_LIMITS.writeBytes));
  }

  /** On-demand capacity: 2× the highest per-minute write rate seen up to 15 minutes ago (§1.4). */
  private followPeak(now: number, acceptedBytes: number): void {
    this.minuteBytes += acceptedBytes;
    const minute = Math.floor((now + this.dt) / 60);
    if (minute === this.minuteIndex) return;
    const prevPeak = this.peakByMinute.at(-1) ?? 0;
    this.peakByMinute.push(Math.max(prevPeak, this.minuteBytes / 60));
    this.minuteBytes = 0;
    this.minuteIndex = minute;
    const lagMinutes = ON_DEMAND.followSeconds / 60;
    const seen = this.peakByMinute.length > lagMinutes ? this.peakByMinute[this.peakByMinute.length - 1 - lagMinutes]! : 0;
    const capacity = Math.max(ON_DEMAND.initialWriteBytes, 2 * seen);
    if (capacity !== this.onDemandCapacity) {
      this.onDemandCapacity = capacity;
      const shards = this.onDemandShards();
      // Applied at the start of the next put: this tick's per-shard results must keep their layout for the consumer.
      if (shards !== this.shards) this.pendingLayout = shards;
    }
  }

  private relayout(target: number): void {
    const old = this.shards;
    this.shards = target;
    this.shardsMax = Math.max(this.shardsMax, target);
    this.layout(target, old);
  }

  /** Sizes per-shard arrays for `n` shards, carrying pending retries over by hash-range overlap. */
  private layout(n: number, old: number | null): void {
    const K = this.maxRetries;
    const records = new Float64Array(this.ringSize * K * n);
    const bytes = new Float64Array(this.ringSize * K * n);
    if (old !== null) {
      for (let row = 0; row < this.ringSize * K; row++) {
        remapUniform(this.retryRecords, row * old, old, records, row * n, n);
        remapUniform(this.retryBytes, row * old, old, bytes, row * n, n);
      }
    }
    this.retryRecords = records;
    this.retryBytes = bytes;
    this.demandR = new Float64Array(n);
    this.demandB = new Float64Array(n);
    this.freshR = new Float64Array(n);
    this.freshB = new Float64Array(n);
    this.tick.shardRecords = new Float64Array(n);
    this.tick.shardBytes = new Float64Array(n);
    this.weights = this.tenantKeys ? tenantWeights(this.tenantKeys, n) : null;
  }
}

/** Where each tenant's partition key lands in the hash key space, as a fraction in [0, 1) (MD5, as Kinesis hashes). */
function tenantKeyPositions(group: GroupTraffic): Float64Array {
  const positions = new Float64Array(group.count);
  for (let i = 0; i < group.count; i++) {
    const digest = createHash('md5').update(`${group.name}-${i}`).digest();
    // The top 48 bits are plenty to place a key among at most 10,000 equal ranges.
    positions[i] = digest.readUIntBE(0, 6) / 2 ** 48;
  }
  return positions;
}

/** Share of each group's traffic per shard, for equal hash ranges over `n` shards. */
function tenantWeights(keys: readonly Float64Array[], n: number): Float64Array {
  const weights = new Float64Array(keys.length * n);
  keys.forEach((positions, g) => {
    for (const p of positions) weights[g * n + Math.floor(p * n)] = weights[g * n + Math.floor(p * n)]! + 1 / positions.length;
  });
  return weights;
}

/** Moves per-shard amounts from `from` equal ranges to `to` equal ranges in proportion to their overlap. */
export function remapUniform(src: Float64Array, srcOffset: number, from: number, dst: Float64Array, dstOffset: number, to: number): void {
  for (let i = 0; i < from; i++) {
    const amount = src[srcOffset + i]!;
    if (amount === 0) continue;
    const lo = i / from;
    const hi = (i + 1) / from;
    for (let j = Math.floor(lo * to); j < to && j / to < hi; j++) {
      const overlap = Math.min(hi, (j + 1) / to) - Math.max(lo, j / to);
      if (overlap > 0) dst[dstOffset + j] = dst[dstOffset + j]! + amount * overlap * from;
    }
  }
}
