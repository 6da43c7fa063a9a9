/**
 * Writes events to their period's table with BatchWriteItem: at most 25 puts per call (§3 / BatchWriteItem's cap),
 * UnprocessedItems (throttled) and retryable failures resent with full-jitter backoff until they succeed or the caller
 * aborts (then the batch is not checkpointed and will be read again: at-least-once). Keys are deduplicated within a
 * call, which DynamoDB requires, and a re-write of the same event overwrites itself.
 */
import { BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { PipelineEvent } from '../ingest/events.ts';
import { fullJitterDelay, isRetryable, sleep, type BackoffConfig } from './backoff.ts';
import { sortKey, type EventTables } from './event-tables.ts';

/** BatchWriteItem takes at most 25 requests per call. */
export const BATCH_WRITE_MAX_ITEMS = 25;

export interface WriteCounters {
  stored: number;
  retries: number;
  throttled: number;
}

export class AbortedError extends Error {
  override name = 'AbortedError';
}

export class DynamoWriter {
  readonly counters: WriteCounters = { stored: 0, retries: 0, throttled: 0 };

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tables: EventTables,
    private readonly backoff: BackoffConfig = { baseMs: 50, maxMs: 5_000 },
  ) {}

  async write(events: readonly PipelineEvent[], signal?: AbortSignal): Promise<void> {
    const byTable = new Map<string, Map<string, WriteRequest>>();
    for (const event of events) {
      const table = await this.tables.tableFor(event.timestamp);
      let items = byTable.get(table);
      if (!items) byTable.set(table, (items = new Map()));
      const sk = sortKey(event);
      items.set(`${event.tenant}\u0000${sk}`, { PutRequest: { Item: toItem(event, sk) } });
    }
    const calls: Promise<void>[] = [];
    for (const [table, items] of byTable) {
      const requests = [...items.values()];
      for (let i = 0; i < requests.length; i += BATCH_WRITE_MAX_ITEMS) {
        calls.push(this.writeBatch(table, requests.slice(i, i + BATCH_WRITE_MAX_ITEMS), signal));
      }
    }
    await Promise.all(calls);
  }

  private async writeBatch(table: string, requests: WriteRequest[], signal?: AbortSignal): Promise<void> {
    let pending = requests;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new AbortedError(`aborted with ${pending.length} items unwritten to ${table}`);
      try {
        const out = await this.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        const left = out.UnprocessedItems?.[table] ?? [];
        this.counters.stored += pending.length - left.length;
        if (left.length === 0) return;
        this.counters.throttled += left.length;
        pending = left;
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ResourceNotFoundException') {
          // The table went away (deleted by hand, or a restarted emulator): create it again and resend.
          this.tables.forget(table);
          const first = pending[0]?.PutRequest?.Item;
          if (first) await this.tables.tableFor(Number(first['timestamp']?.N));
        } else if (!isRetryable(error)) throw error;
        if (name.includes('ProvisionedThroughputExceeded') || name.includes('Throttl')) this.counters.throttled += pending.length;
      }
      this.counters.retries += pending.length;
      await sleep(fullJitterDelay(Math.min(attempt, 10), this.backoff), signal);
    }
  }
}

function toItem(event: PipelineEvent, sk: string): Record<string, AttributeValue> {
  return {
    pk: { S: event.tenant },
    sk: { S: sk },
    id: { S: event.id },
    timestamp: { N: String(event.timestamp) },
    acceptedAt: { N: String(event.acceptedAt) },
    storedAt: { N: String(Date.now()) },
    // Fields as one JSON document: any JSON the tenant sends round-trips, whatever its types.
    fields: { S: JSON.stringify(event.fields) },
  };
}
