/**
 * The dead-letter prefix: events the processor cannot store (they break their tenant's schema, or their event-time
 * table is past retention) are written to S3 as `dead-letter/<tenant>/<yyyy>/<mm>/<dd>/<shard>-<first sequence>.jsonl`,
 * one `{reason, event}` per line. The key is fixed by the batch's position in the stream, so a batch processed twice
 * (at-least-once) overwrites its own object instead of adding a copy.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PipelineEvent } from '../ingest/events.ts';
import { fullJitterDelay, isRetryable, sleep } from './backoff.ts';
import { AbortedError } from './dynamo-writer.ts';

export const DEAD_LETTER_PREFIX = 'dead-letter/';

export interface DeadLetter {
  event: PipelineEvent;
  reason: string;
}

export class DeadLetterWriter {
  deadLettered = 0;
  retries = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** Writes one object per tenant for the batch starting at `firstSequence` of `shardId`. */
  async write(letters: readonly DeadLetter[], shardId: string, firstSequence: string, signal?: AbortSignal): Promise<void> {
    const byTenant = new Map<string, DeadLetter[]>();
    for (const letter of letters) {
      const list = byTenant.get(letter.event.tenant) ?? [];
      list.push(letter);
      byTenant.set(letter.event.tenant, list);
    }
    await Promise.all(
      [...byTenant].map(async ([tenant, list]) => {
        const day = new Date(list[0]!.event.acceptedAt).toISOString().slice(0, 10).replaceAll('-', '/');
        const key = `${DEAD_LETTER_PREFIX}${encodeURIComponent(tenant)}/${day}/${shardId}-${firstSequence}.jsonl`;
        const body = list.map((l) => JSON.stringify({ reason: l.reason, event: l.event })).join('\n') + '\n';
        for (let attempt = 0; ; attempt++) {
          if (signal?.aborted) throw new AbortedError(`aborted with ${list.length} dead letters unwritten`);
          try {
            await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
            this.deadLettered += list.length;
            return;
          } catch (error) {
            if (!isRetryable(error)) throw error;
            this.retries++;
            await sleep(fullJitterDelay(Math.min(attempt, 10), { baseMs: 50, maxMs: 5_000 }), signal);
          }
        }
      }),
    );
  }
}
