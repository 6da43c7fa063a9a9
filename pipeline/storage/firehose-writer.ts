/**
 * Sends events to the Firehose delivery stream as newline-delimited JSON with PutRecordBatch: at most 500 records and
 * 4 MiB per call (§5); entries that come back with an ErrorCode (FailedPutCount > 0: throttled, ServiceUnavailable)
 * and retryable call failures are resent with full-jitter backoff until they succeed or the caller aborts.
 */
import { PutRecordBatchCommand, type FirehoseClient, type _Record } from '@aws-sdk/client-firehose';
import type { PipelineEvent } from '../ingest/events.ts';
import { fullJitterDelay, isRetryable, sleep, type BackoffConfig } from './backoff.ts';
import { AbortedError } from './dynamo-writer.ts';

/** PutRecordBatch caps (§5): 500 records, 4 MiB per call. */
export const PUT_RECORD_BATCH_LIMITS = { maxRecords: 500, maxBytes: 4 * 1_048_576 } as const;

export interface DeliveryCounters {
  delivered: number;
  retries: number;
  throttled: number;
}

export class FirehoseWriter {
  readonly counters: DeliveryCounters = { delivered: 0, retries: 0, throttled: 0 };

  constructor(
    private readonly firehose: FirehoseClient,
    private readonly deliveryStream: string,
    private readonly backoff: BackoffConfig = { baseMs: 50, maxMs: 5_000 },
  ) {}

  async write(events: readonly PipelineEvent[], signal?: AbortSignal): Promise<void> {
    const records = events.map((e) => ({ Data: Buffer.from(JSON.stringify(e) + '\n') }));
    const calls: Promise<void>[] = [];
    let batch: _Record[] = [];
    let bytes = 0;
    for (const record of records) {
      if (batch.length === PUT_RECORD_BATCH_LIMITS.maxRecords || (batch.length > 0 && bytes + record.Data.length > PUT_RECORD_BATCH_LIMITS.maxBytes)) {
        calls.push(this.putBatch(batch, signal));
        batch = [];
        bytes = 0;
      }
      batch.push(record);
      bytes += record.Data.length;
    }
    if (batch.length > 0) calls.push(this.putBatch(batch, signal));
    await Promise.all(calls);
  }

  private async putBatch(records: _Record[], signal?: AbortSignal): Promise<void> {
    let pending = records;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AbortedError(`aborted with ${pending.length} records undelivered`);
      try {
        const out = await this.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: this.deliveryStream, Records: pending }));
        const failed = out.FailedPutCount ? pending.filter((_, i) => out.RequestResponses?.[i]?.ErrorCode) : [];
        this.counters.delivered += pending.length - failed.length;
        if (failed.length === 0) return;
        this.counters.throttled += failed.length;
        pending = failed;
      } catch (error) {
        if (!isRetryable(error)) throw error;
      }
      this.counters.retries += pending.length;
      await sleep(fullJitterDelay(Math.min(attempt, 10), this.backoff), signal);
    }
  }
}
