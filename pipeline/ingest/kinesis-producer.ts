/**
 * PutRecords for the ingest API: records cut into calls within the API's limits (500 records and 5 MiB per call,
 * partition keys included: the long-standing caps of §1.1, which the newer 10 MiB still admits), failed records
 * (per-record ErrorCode, or the whole call failing) resent with full-jitter backoff, and what is still failing after
 * the last retry reported as dropped. The SDK's own retries are off (pipeline/aws-clients.ts): every retry is ours and
 * counted.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { fullJitterDelay, isRetryable, sleep, type BackoffConfig } from '../storage/backoff.ts';

/** PutRecords caps (§1.1): 500 records, 5 MiB per request including partition keys. */
export const PUT_RECORDS_LIMITS = { maxRecords: 500, maxBytes: 5 * 1_048_576 } as const;

export interface ProducerOptions extends BackoffConfig {
  /** Retries of a failed record after its first attempt (the scenario's `producer.maxRetries`, 3 by default). */
  readonly maxRetries: number;
}

export interface PutOutcome {
  /** Records Kinesis took. */
  put: number;
  /** Records given up after the last retry. */
  dropped: number;
  /** Record attempts that were retries. */
  retries: number;
  /** The last non-retryable error, if one ended a call. */
  error?: string;
}

export class KinesisProducer {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly options: ProducerOptions,
  ) {}

  /** Puts every entry; resolves once each is in Kinesis or given up. Calls run concurrently. */
  async putAll(entries: PutRecordsRequestEntry[]): Promise<PutOutcome> {
    const outcome: PutOutcome = { put: 0, dropped: 0, retries: 0 };
    await Promise.all(chunk(entries).map((c) => this.putChunk(c, outcome)));
    return outcome;
  }

  private async putChunk(entries: PutRecordsRequestEntry[], outcome: PutOutcome): Promise<void> {
    let pending = entries;
    for (let attempt = 0; ; attempt++) {
      let failed: PutRecordsRequestEntry[];
      try {
        const result = await this.kinesis.send(new PutRecordsCommand({ StreamName: this.streamName, Records: pending }));
        const records = result.Records ?? [];
        failed = result.FailedRecordCount ? pending.filter((_, i) => records[i]?.ErrorCode) : [];
      } catch (error) {
        if (!isRetryable(error)) {
          // A refusal no retry can fix (the stream is gone, a malformed call): the records are dropped, not acknowledged.
          outcome.dropped += pending.length;
          outcome.error = (error as Error).message;
          return;
        }
        failed = pending;
      }
      outcome.put += pending.length - failed.length;
      if (failed.length === 0) return;
      if (attempt >= this.options.maxRetries) {
        outcome.dropped += failed.length;
        return;
      }
      outcome.retries += failed.length;
      pending = failed;
      await sleep(fullJitterDelay(attempt, this.options));
    }
  }
}

/** Cuts entries into PutRecords calls of at most 500 records and 5 MiB (data + partition keys). */
export function chunk(entries: PutRecordsRequestEntry[]): PutRecordsRequestEntry[][] {
  const chunks: PutRecordsRequestEntry[][] = [];
  let current: PutRecordsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = (entry.Data?.length ?? 0) + Buffer.byteLength(entry.PartitionKey ?? '');
    if (current.length > 0 && (current.length === PUT_RECORDS_LIMITS.maxRecords || bytes + size > PUT_RECORDS_LIMITS.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
