/**
 * One delivery stream's buffer: records accumulate until the buffer reaches `SizeInMBs` or `IntervalInSeconds` has
 * passed since the first record entered it, whichever comes first (aws-reference.md §5, "Buffering hints"); each flush
 * is one S3 object of the records concatenated with no delimiter, as Firehose writes them. A failed S3 write is retried
 * with backoff for `retryWindowMs`, then written under the error output prefix; only if that fails too are the records
 * counted as lost.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { fullJitterDelay, sleep } from '../storage/backoff.ts';
import { firehoseObjectKey } from './object-key.ts';

const MiB = 1_048_576;

export interface DeliveryConfig {
  streamName: string;
  version: number;
  bucket: string;
  prefix: string;
  errorOutputPrefix: string;
  sizeInMBs: number;
  intervalInSeconds: number;
}

export interface DeliveryCounts {
  recordsIn: number;
  bytesIn: number;
  /** Objects written under the prefix, and the records and bytes in them. */
  objects: number;
  deliveredRecords: number;
  deliveredBytes: number;
  flushes: number;
  flushesBySize: number;
  flushesByInterval: number;
  /** Flushes forced by DeleteDeliveryStream or stop(). */
  flushesAtStop: number;
  /** S3 writes that failed and were retried. */
  s3Retries: number;
  /** Objects written under the error output prefix after the retry window, and their records. */
  errorObjects: number;
  errorRecords: number;
  /** Records that reached neither the prefix nor the error output prefix. */
  lostRecords: number;
}

export interface DeliveryRuntime {
  s3: () => S3Client;
  /** Epoch ms for the object names. */
  now: () => number;
  /** Scenario seconds per wall second: the interval timer runs `IntervalInSeconds / timeScale` wall seconds. */
  timeScale: () => number;
  retryWindowMs: number;
}

export function emptyCounts(): DeliveryCounts {
  return {
    recordsIn: 0, bytesIn: 0, objects: 0, deliveredRecords: 0, deliveredBytes: 0, flushes: 0, flushesBySize: 0,
    flushesByInterval: 0, flushesAtStop: 0, s3Retries: 0, errorObjects: 0, errorRecords: 0, lostRecords: 0,
  };
}

type FlushReason = 'size' | 'interval' | 'stop';

export class DeliveryBuffer {
  readonly counts: DeliveryCounts = emptyCounts();
  private records: Buffer[] = [];
  private bytes = 0;
  private oldest = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    readonly config: DeliveryConfig,
    private readonly runtime: DeliveryRuntime,
  ) {}

  get buffered(): { records: number; bytes: number } {
    return { records: this.records.length, bytes: this.bytes };
  }

  /** Adds records; a record that would push the buffer past its size flushes what is there first. */
  add(records: readonly Buffer[]): void {
    const limit = this.config.sizeInMBs * MiB;
    for (const record of records) {
      this.counts.recordsIn++;
      this.counts.bytesIn += record.length;
      if (this.records.length > 0 && this.bytes + record.length > limit) this.flush('size');
      if (this.records.length === 0) {
        this.oldest = this.runtime.now();
        this.arm();
      }
      this.records.push(record);
      this.bytes += record.length;
      if (this.bytes >= limit) this.flush('size');
    }
  }

  /** Flushes what is buffered and waits for every S3 write, including earlier ones still in flight. */
  async drain(): Promise<void> {
    this.stopping = true;
    if (this.records.length > 0) this.flush('stop');
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const wallMs = (this.config.intervalInSeconds * 1000) / Math.max(1e-9, this.runtime.timeScale());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.records.length > 0) this.flush('interval');
    }, wallMs);
  }

  private flush(reason: FlushReason): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const records = this.records;
    const bytes = this.bytes;
    const oldest = this.oldest;
    this.records = [];
    this.bytes = 0;
    this.counts.flushes++;
    if (reason === 'size') this.counts.flushesBySize++;
    else if (reason === 'interval') this.counts.flushesByInterval++;
    else this.counts.flushesAtStop++;
    const done = this.deliver(Buffer.concat(records, bytes), records.length, oldest).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private async deliver(body: Buffer, count: number, oldest: number): Promise<void> {
    const { config } = this;
    const key = firehoseObjectKey({ prefix: config.prefix, streamName: config.streamName, version: config.version, time: oldest });
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.runtime.s3().send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: body }));
        this.counts.objects++;
        this.counts.deliveredRecords += count;
        this.counts.deliveredBytes += body.length;
        return;
      } catch {
        // Always one retry; at stop no more (there is no time left to wait out the window), then the error output.
        const giveUp = attempt >= 1 && (this.stopping || Date.now() - started >= this.runtime.retryWindowMs);
        if (giveUp) break;
        this.counts.s3Retries++;
        await sleep(fullJitterDelay(attempt, { baseMs: 100, maxMs: 5_000 }));
      }
    }
    const errorKey = firehoseObjectKey({
      prefix: config.errorOutputPrefix,
      streamName: config.streamName,
      version: config.version,
      time: oldest,
      errorOutputType: 'delivery-failed',
    });
    try {
      await this.runtime.s3().send(new PutObjectCommand({ Bucket: config.bucket, Key: errorKey, Body: body }));
      this.counts.errorObjects++;
      this.counts.errorRecords += count;
    } catch {
      this.counts.lostRecords += count;
    }
  }
}
