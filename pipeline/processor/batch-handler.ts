/**
 * What the seed's Lambda function does with one batch: decode each record, check it against its tenant's schema (and
 * that its event-time table is not past retention), then write the good events to DynamoDB and Firehose and the rest to
 * the dead-letter prefix, all three concurrently. It resolves only when every write succeeded; then the batch may be
 * checkpointed. Nothing is dropped silently: every record ends stored and delivered, or dead-lettered and counted.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import type { PipelineEvent } from '../ingest/events.ts';
import type { DeadLetter, DeadLetterWriter } from '../storage/dead-letter.ts';
import { AbortedError, type DynamoWriter } from '../storage/dynamo-writer.ts';
import type { EventTables } from '../storage/event-tables.ts';
import type { FirehoseWriter } from '../storage/firehose-writer.ts';
import { schemaViolation, type SchemaStore } from '../storage/schema-store.ts';

export interface BatchWriters {
  dynamo: DynamoWriter;
  firehose: FirehoseWriter;
  deadLetters: DeadLetterWriter;
  schemas: SchemaStore;
  tables: EventTables;
  now: () => number;
}

export async function handleBatch(
  records: readonly _Record[],
  shardId: string,
  writers: BatchWriters,
  signal?: AbortSignal,
): Promise<{ good: number; dead: number; stored: PipelineEvent[] }> {
  const good: PipelineEvent[] = [];
  const dead: DeadLetter[] = [];
  const now = writers.now();
  for (const record of records) {
    const event = decode(record);
    if (typeof event === 'string') {
      dead.push({ reason: event, event: { tenant: 'unknown', id: record.SequenceNumber!, timestamp: now, acceptedAt: now, fields: { raw: Buffer.from(record.Data ?? []).toString('base64') } } });
      continue;
    }
    if (writers.tables.expired(event.timestamp, now)) {
      dead.push({ reason: `event time ${new Date(event.timestamp).toISOString()} is in a period past retention (its table is aged off)`, event });
      continue;
    }
    const violation = schemaViolation(event.fields, await writers.schemas.get(event.tenant));
    if (violation) dead.push({ reason: `breaks the schema of tenant ${event.tenant}: ${violation}`, event });
    else good.push(event);
  }
  const first = records[0]?.SequenceNumber ?? '0';
  const refused: DeadLetter[] = [];
  await Promise.all([
    good.length > 0 ? writeBisecting(good, writers, refused, signal) : undefined,
    dead.length > 0 ? writers.deadLetters.write(dead, shardId, first, signal) : undefined,
  ]);
  // Events a service refused for good (not a throttle: those are retried) go to the dead letters too.
  if (refused.length > 0) await writers.deadLetters.write(refused, shardId, `${first}-refused`, signal);
  const stored = refused.length > 0 ? good.filter((e) => !refused.some((r) => r.event === e)) : good;
  return { good: stored.length, dead: dead.length + refused.length, stored };
}

/**
 * Writes events to DynamoDB and Firehose. A refusal no retry can fix (a validation error) splits the batch in two and
 * tries each half, as BisectBatchOnFunctionError does (§4), until the one event at fault is found and dead-lettered:
 * one bad event neither blocks its shard forever nor takes good events with it.
 */
async function writeBisecting(events: PipelineEvent[], writers: BatchWriters, refused: DeadLetter[], signal?: AbortSignal): Promise<void> {
  try {
    await Promise.all([writers.dynamo.write(events, signal), writers.firehose.write(events, signal)]);
  } catch (error) {
    if (error instanceof AbortedError || signal?.aborted) throw error;
    if (events.length === 1) {
      refused.push({ reason: `refused by ${(error as Error).name}: ${(error as Error).message}`, event: events[0]! });
      return;
    }
    const half = Math.ceil(events.length / 2);
    await writeBisecting(events.slice(0, half), writers, refused, signal);
    await writeBisecting(events.slice(half), writers, refused, signal);
  }
}

function decode(record: _Record): PipelineEvent | string {
  try {
    const e = JSON.parse(Buffer.from(record.Data ?? []).toString('utf8')) as PipelineEvent;
    if (typeof e?.tenant !== 'string' || typeof e.id !== 'string' || typeof e.timestamp !== 'number') return 'not an ingest API event (tenant, id, timestamp)';
    e.fields ??= {};
    return e;
  } catch {
    return 'record data is not JSON';
  }
}
