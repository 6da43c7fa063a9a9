/**
 * PutRecords for the ingest API. Records from concurrent requests share calls: at most `maxInFlight` calls run at
 * once, and records that arrive meanwhile queue up and leave together in the next call (within PutRecords' 500
 * records and 5 MiB, partition keys included: the long-standing caps of §1.1, which the newer 10 MiB still admits).
 * An idle API sends a request's records at once; a busy one sends fewer, fuller calls, so the cost per event falls as
 * the load rises. Failed records (per-record ErrorCode, or the whole call failing) are resent with full-jitter backoff;
 * what still fails after the last retry is reported as dropped, record by record (`failed`: the entries' indexes), as
 * the simulator's producer drops records (sim/kinesis.ts): the rest of the same request is in the stream. The SDK's
 * own retries are off (pipeline/aws-clients.ts): every retry is ours and counted.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { fullJitterDelay, isRetryable, type BackoffConfig } from '../storage/backoff.ts';

/** PutRecords caps (§1.1): 500 records, 5 MiB per request including partition keys. */
export const PUT_RECORDS_LIMITS = { maxRecords: 500, maxBytes: 5 * 1_048_576 } as const;

export interface ProducerOptions extends BackoffConfig {
  /** Retries of a failed record after its first attempt (the scenario's `producer.maxRetries`, 3 by default). */
  readonly maxRetries: number;
  /** PutRecords calls at once (default 16). */
  readonly maxInFlight?: number;
}

export interface PutOutcome {
  /** Records Kinesis took. */
  put: number;
  /** Records given up after the last retry. */
  dropped: number;
  /** Indexes (into the entries given to putAll) of the records given up, ascending. */
  failed: number[];
  /** Record attempts that were retries. */
  retries: number;
  /** The last non-retryable error, if one ended a call. */
  error?: string;
}

interface Pending {
  entry: PutRecordsRequestEntry;
  bytes: number;
  attempts: number;
  index: number;
  outcome: PutOutcome;
  settle: () => void;
}

export class KinesisProducer {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  /** PutRecords calls made, and records they carried (first attempts and retries). */
  calls = 0;
  records = 0;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly options: ProducerOptions,
  ) {}

  /** Puts every entry; resolves once each is in Kinesis or given up. */
  putAll(entries: PutRecordsRequestEntry[]): Promise<PutOutcome> {
    const outcome: PutOutcome = { put: 0, dropped: 0, failed: [], retries: 0 };
    if (entries.length === 0) return Promise.resolve(outcome);
    return new Promise((resolve) => {
      let left = entries.length;
      const settle = () => {
        if (--left === 0) {
          outcome.failed.sort((a, b) => a - b);
          resolve(outcome);
        }
      };
      entries.forEach((entry, index) => {
        this.queue.push({ entry, bytes: (entry.Data?.length ?? 0) + Buffer.byteLength(entry.PartitionKey ?? ''), attempts: 0, index, outcome, settle });
      });
      this.pump();
    });
  }

  private pump(): void {
    const max = this.options.maxInFlight ?? 16;
    while (this.inFlight < max && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next call's records: queue order, up to 500 records and 5 MiB. */
  private take(): Pending[] {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && n < PUT_RECORDS_LIMITS.maxRecords) {
      const size = this.queue[n]!.bytes;
      if (n > 0 && bytes + size > PUT_RECORDS_LIMITS.maxBytes) break;
      bytes += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async send(batch: Pending[]): Promise<void> {
    let failed: Pending[];
    this.calls++;
    this.records += batch.length;
    try {
      const result = await this.kinesis.send(new PutRecordsCommand({ StreamName: this.streamName, Records: batch.map((p) => p.entry) }));
      const records = result.Records ?? [];
      failed = result.FailedRecordCount ? batch.filter((_, i) => records[i]?.ErrorCode) : [];
    } catch (error) {
      if (!isRetryable(error)) {
        // A refusal no retry can fix (the stream is gone, a malformed call): the records are dropped, not acknowledged.
        for (const p of batch) {
          p.outcome.dropped++;
          p.outcome.failed.push(p.index);
          p.outcome.error = (error as Error).message;
          p.settle();
        }
        return;
      }
      failed = batch;
    }
    const failedSet = new Set(failed);
    for (const p of batch) {
      if (failedSet.has(p)) continue;
      p.outcome.put++;
      p.settle();
    }
    for (const p of failed) {
      if (p.attempts >= this.options.maxRetries) {
        p.outcome.dropped++;
        p.outcome.failed.push(p.index);
        p.settle();
        continue;
      }
      p.outcome.retries++;
      const delay = fullJitterDelay(p.attempts++, this.options);
      setTimeout(() => {
        this.queue.push(p);
        this.pump();
      }, delay);
    }
  }
}
