/**
 * Firehose Direct PUT → S3 (§5): the delivery stream's quotas of records/s, requests/s and MiB/s for the region and
 * era, raised automatically while the stream is throttled (on by default; ramp UNCONFIRMED), PutRecordBatch limits
 * (500 records, 4 MiB), and buffering hints: one S3 object per flush, at whichever of `bufferMb` or `bufferSeconds`
 * comes first. Pure: time comes in as `now`.
 */
import { z } from 'zod';
import { duration } from './duration.ts';

const MiB = 1_048_576;

/** Direct PUT quotas per delivery stream by documentation era (§5, FH-Q). */
const QUOTAS = {
  /** Docs from 2021-02-05 on. */
  v3: { big: { records: 500_000, requests: 2_000, bytes: 5 * MiB }, other: { records: 100_000, requests: 1_000, bytes: 1 * MiB } },
  /** Docs 2018-08 to 2020-11. */
  v2: { big: { records: 5_000, requests: 2_000, bytes: 5 * MiB }, other: { records: 1_000, requests: 1_000, bytes: 1 * MiB } },
  /** Docs 2017-12: the same in every region (the API reference still prints these). */
  v1: { big: { records: 5_000, requests: 2_000, bytes: 5 * MiB }, other: { records: 5_000, requests: 2_000, bytes: 5 * MiB } },
} as const;
const BIG_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

export const PUT_RECORD_BATCH = { maxRecords: 500, maxBytes: 4 * MiB } as const;

export const firehoseConfigSchema = z.strictObject({
  /** Buffering interval: 0–900 s in the current API, default 300 (§5). */
  bufferSeconds: duration().pipe(z.number().min(0).max(900)).default(300),
  /** Buffering size: 1–128 MiB, default 5 (§5). */
  bufferMb: z.number().min(1).max(128).default(5),
  quotaEra: z.enum(['v3', 'v2', 'v1']).default('v3'),
  /** Raised quotas (they scale together, §5); overrides the era's numbers when set. */
  recordsPerSecond: z.number().positive().optional(),
  requestsPerSecond: z.number().positive().optional(),
  mibPerSecond: z.number().positive().optional(),
  /**
   * Firehose raises a throttled Direct PUT stream's quota by itself: "Firehose automatically increases the throughput
   * quota of Direct PUT streams that experience throttle because of increased data ingestion until the throttle
   * stops" (AWS Knowledge Center, repost.aws/knowledge-center/firehose-traffic-throttles-in-quota, AWS OFFICIAL; the
   * quota page itself was not read: aws-reference.md §5 does not have it). On by default; `false` reproduces the
   * fixed quotas of older documentation. The ramp is not documented (UNCONFIRMED): see `quotaIncrease`.
   */
  quotaAutoIncrease: z.boolean().default(true),
  /**
   * The ramp, UNCONFIRMED: after a minute with throttling, all three quotas are multiplied by `factor` (they scale
   * together, §5) `delay` after that minute ends, one step at a time, for as long as minutes keep throttling at the
   * raised quotas. They never come down within a run. Defaults: ×2 after 5 minutes.
   */
  quotaIncrease: z
    .strictObject({
      factor: z.number().gt(1).default(2),
      delay: duration().default(300),
    })
    .prefault({}),
});
export type FirehoseConfig = z.output<typeof firehoseConfigSchema>;

export interface FirehosePut {
  acceptedRecords: number;
  throttledRecords: number;
}

export class FirehoseModel {
  /** Direct PUT quotas now, per second; raised by the automatic increase when it is on. */
  readonly limits: { records: number; requests: number; bytes: number };
  /** Times at which the automatic increase raised the quotas (seconds since run start). */
  readonly quotaIncreases: number[] = [];
  private minute = 0;
  private minuteThrottled = 0;
  private increaseAt = Infinity;
  private bufferRecords = 0;
  private bufferBytes = 0;
  /** Arrival time of the oldest record in the buffer (the interval counts from the first record). */
  private bufferSince = 0;
  objects = 0;
  deliveredRecords = 0;
  deliveredBytes = 0;
  throttledRecords = 0;
  acceptedBytes = 0;
  /** Records delivered in the last `advance`, and their mean wait in the buffer (s), for latency. */
  lastDelivered = 0;
  lastDeliveredWait = 0;
  private readonly result: FirehosePut = { acceptedRecords: 0, throttledRecords: 0 };

  constructor(
    private readonly config: FirehoseConfig,
    region: string,
  ) {
    const era = QUOTAS[config.quotaEra][BIG_REGIONS.has(region) ? 'big' : 'other'];
    this.limits = {
      records: config.recordsPerSecond ?? era.records,
      requests: config.requestsPerSecond ?? era.requests,
      bytes: (config.mibPerSecond ?? era.bytes / MiB) * MiB,
    };
  }

  get buffered(): { records: number; bytes: number } {
    return { records: this.bufferRecords, bytes: this.bufferBytes };
  }

  /** PutRecordBatch calls of one tick; the quotas cut all three dimensions by the same share. */
  put(now: number, dt: number, records: number, bytes: number, requests: number): FirehosePut {
    if (this.config.quotaAutoIncrease) this.followThrottling(now);
    const r = this.result;
    if (records <= 0) {
      r.acceptedRecords = r.throttledRecords = 0;
      return r;
    }
    const f = Math.min(1, (this.limits.records * dt) / records, (this.limits.requests * dt) / requests, (this.limits.bytes * dt) / bytes);
    r.acceptedRecords = records * f;
    r.throttledRecords = records - r.acceptedRecords;
    this.throttledRecords += r.throttledRecords;
    this.minuteThrottled += r.throttledRecords;
    if (this.bufferRecords === 0) this.bufferSince = now;
    this.bufferRecords += r.acceptedRecords;
    this.bufferBytes += bytes * f;
    this.acceptedBytes += bytes * f;
    return r;
  }

  /**
   * The automatic increase (UNCONFIRMED ramp): when a minute ends with throttled records and no step is pending, the
   * quotas are multiplied by `quotaIncrease.factor` `quotaIncrease.delay` after that minute's end.
   */
  private followThrottling(now: number): void {
    if (now >= this.increaseAt) {
      const k = this.config.quotaIncrease.factor;
      this.limits.records *= k;
      this.limits.requests *= k;
      this.limits.bytes *= k;
      this.quotaIncreases.push(this.increaseAt);
      this.increaseAt = Infinity;
      // Only throttling at the raised quotas calls for another step.
      this.minuteThrottled = 0;
    }
    const minute = Math.floor(now / 60 + 1e-9);
    if (minute === this.minute) return;
    if (this.minuteThrottled > 0 && this.increaseAt === Infinity) this.increaseAt = minute * 60 + this.config.quotaIncrease.delay;
    this.minute = minute;
    this.minuteThrottled = 0;
  }

  /** Flushes the buffer to S3 at the end of the tick ending at `now`. */
  advance(now: number): void {
    this.lastDelivered = 0;
    this.lastDeliveredWait = 0;
    const sizeLimit = this.config.bufferMb * MiB;
    const age = now - this.bufferSince;
    let waitSum = 0;
    // Size-triggered flushes: every full buffer is an object.
    while (this.bufferBytes >= sizeLimit) {
      const share = sizeLimit / this.bufferBytes;
      waitSum += this.flush(this.bufferRecords * share, sizeLimit) * (age / 2);
    }
    if (this.bufferRecords > 0 && age >= this.config.bufferSeconds) {
      waitSum += this.flush(this.bufferRecords, this.bufferBytes) * age;
    }
    this.lastDeliveredWait = this.lastDelivered > 0 ? waitSum / this.lastDelivered : 0;
  }

  private flush(records: number, bytes: number): number {
    this.objects++;
    this.bufferRecords -= records;
    this.bufferBytes -= bytes;
    if (this.bufferRecords < 1e-9) this.bufferRecords = this.bufferBytes = 0;
    this.deliveredRecords += records;
    this.deliveredBytes += bytes;
    this.lastDelivered += records;
    return records;
  }
}
