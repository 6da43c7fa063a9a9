/**
 * The audit of a real pipeline run, from what the services hold rather than from the pipeline's own counters: every
 * event still in the stream must be stored in DynamoDB exactly once (or dead-lettered) and delivered to S3 at least
 * once (or dead-lettered, or still in Firehose's buffer), and the events the API acknowledged must all be in the stream.
 * Identities are tenant + event id; S3 copies are deduplicated by them (Firehose delivery is at-least-once).
 *
 * What the API counted balances against the stream: the events it acknowledged (202) and the events Kinesis took from
 * requests answered 503 because others of them were dropped (put but unacknowledged) are all in the stream, so all
 * must be stored; the dropped ones never reached it. When the run stopped waiting while the processor was still
 * catching up (`processorBehind`), events in the stream not stored or delivered yet are late (`lateToDynamo`,
 * `lateToS3`), not missing: reported, but not a problem.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { unmetered } from '../aws-clients.ts';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { DEAD_LETTER_PREFIX } from '../storage/dead-letter.ts';
import { EventTables } from '../storage/event-tables.ts';
import type { PipelineNames } from '../storage/provision.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { withRetries } from '../storage/backoff.ts';

export interface AuditInput {
  aws: { kinesis: KinesisClient; dynamodb: DynamoDBClient; s3: S3Client };
  names: PipelineNames;
  /** The API's counters, when it can be asked (a running pipeline). */
  api?: { eventsAccepted: number; eventsUnacknowledgedInKinesis: number; eventsDropped: number };
  /** Records in our Firehose's buffers, not yet written to S3. */
  firehoseBuffered?: number;
  /** The processor was still making progress when the run stopped waiting (loadgen/drain.ts, end `cap`). */
  processorBehind?: boolean;
}

export interface AuditResult {
  /** Acknowledged with 202 (the API's counter). */
  accepted: number | null;
  /** Taken by Kinesis from requests answered 503 (the API's counter): in the stream, to be stored, never acknowledged. */
  putButUnacknowledged: number | null;
  /** Never reached Kinesis after the API's last retry (the API's counter, per event). */
  dropped: number | null;
  /** Records in the stream, and distinct events among them (a client may resend an id). */
  inKinesis: number;
  inKinesisDistinct: number;
  /** Distinct events stored over all period tables, and events stored more than once. */
  stored: number;
  storedTwice: number;
  tables: string[];
  /** Distinct events in S3 under the Firehose prefix, and the records there (duplicates included). */
  delivered: number;
  deliveredRecords: number;
  deadLettered: number;
  firehoseBuffered: number | null;
  /** Events in the stream neither stored nor dead-lettered. */
  missingFromDynamo: number;
  /** Events in the stream neither in S3 nor dead-lettered (some may still be in Firehose's buffer). */
  missingFromS3: number;
  /** With `processorBehind`: events in the stream not stored (not delivered) yet, counted here instead of missing. */
  lateToDynamo: number;
  lateToS3: number;
  /** Acknowledged events not found in the stream (by count). */
  acceptedNotInKinesis: number;
  examples: string[];
  ok: boolean;
  problems: string[];
}

const keyOf = (tenant: string, id: string) => `${tenant}/${id}`;

export async function auditPipeline(input: AuditInput): Promise<AuditResult> {
  const { aws, names } = input;
  const kinesisIds = new Set<string>();
  const inKinesis = await scanStream(aws.kinesis, names.stream, (record) => {
    try {
      const e = JSON.parse(Buffer.from(record.Data ?? []).toString('utf8')) as { tenant: string; id: string };
      kinesisIds.add(keyOf(e.tenant, e.id));
    } catch {
      kinesisIds.add(`unknown/${record.SequenceNumber}`);
    }
  });

  const tables = await new EventTables(aws.dynamodb, { tablePer: 'week', mode: 'on-demand', writeCapacity: 1, readCapacity: 1, createAheadSeconds: 0, retentionSeconds: 0, ...(names.eventTablePrefix ? { tablePrefix: names.eventTablePrefix } : {}) }).listEventTables();
  const storedCounts = new Map<string, number>();
  for (const table of tables) {
    await scanTable(aws.dynamodb, table, (item) => {
      const key = keyOf(item['pk']!.S!, item['id']!.S!);
      storedCounts.set(key, (storedCounts.get(key) ?? 0) + 1);
    });
  }
  let storedTwice = 0;
  for (const n of storedCounts.values()) if (n > 1) storedTwice++;

  const deliveredIds = new Set<string>();
  const deliveredRecords = await readJsonLines(aws.s3, names.bucket, names.firehosePrefix, (line) => {
    const e = line as { tenant: string; id: string };
    deliveredIds.add(keyOf(e.tenant, e.id));
  });
  const deadIds = new Set<string>();
  await readJsonLines(aws.s3, names.bucket, DEAD_LETTER_PREFIX, (line) => {
    const { event } = line as { event: { tenant: string; id: string } };
    deadIds.add(keyOf(event.tenant, event.id));
  });

  const examples: string[] = [];
  let missingFromDynamo = 0;
  let missingFromS3 = 0;
  for (const key of kinesisIds) {
    if (deadIds.has(key)) continue;
    if (!storedCounts.has(key)) {
      missingFromDynamo++;
      if (examples.length < 5) examples.push(`${key} not in DynamoDB`);
    }
    if (!deliveredIds.has(key)) missingFromS3++;
  }
  // The processor still catching up: what it has not written yet is late, not missing (named in the examples all the same).
  let lateToDynamo = 0;
  let lateToS3 = 0;
  if (input.processorBehind) {
    lateToDynamo = missingFromDynamo;
    lateToS3 = missingFromS3;
    missingFromDynamo = 0;
    missingFromS3 = 0;
    for (let i = 0; i < examples.length; i++) examples[i] = examples[i]!.replace(/ not in DynamoDB$/, ' not in DynamoDB yet (late)');
  }
  const accepted = input.api?.eventsAccepted ?? null;
  const acceptedNotInKinesis = input.api ? Math.max(0, input.api.eventsAccepted + input.api.eventsUnacknowledgedInKinesis - inKinesis) : 0;
  const buffered = input.firehoseBuffered ?? null;

  const problems: string[] = [];
  if (missingFromDynamo > 0) problems.push(`${missingFromDynamo} events in Kinesis are neither stored in DynamoDB nor dead-lettered`);
  if (storedTwice > 0) problems.push(`${storedTwice} events are stored more than once (same tenant and id in two items)`);
  if (acceptedNotInKinesis > 0) problems.push(`${acceptedNotInKinesis} acknowledged events are not in the stream`);
  if (missingFromS3 > (buffered ?? 0)) {
    problems.push(`${missingFromS3} events in Kinesis are not in S3${buffered ? ` (only ${buffered} are still in Firehose's buffer)` : ''}`);
  }
  return {
    accepted,
    putButUnacknowledged: input.api?.eventsUnacknowledgedInKinesis ?? null,
    dropped: input.api?.eventsDropped ?? null,
    inKinesis,
    inKinesisDistinct: kinesisIds.size,
    stored: storedCounts.size,
    storedTwice,
    tables,
    delivered: deliveredIds.size,
    deliveredRecords,
    deadLettered: deadIds.size,
    firehoseBuffered: buffered,
    missingFromDynamo,
    missingFromS3,
    lateToDynamo,
    lateToS3,
    acceptedNotInKinesis,
    examples,
    ok: problems.length === 0,
    problems,
  };
}

async function scanTable(dynamodb: DynamoDBClient, table: string, onItem: (item: Record<string, AttributeValue>) => void): Promise<void> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await withRetries(() =>
      dynamodb.send(unmetered(new ScanCommand({ TableName: table, ProjectionExpression: 'pk, id', ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }))),
    );
    for (const item of page.Items ?? []) onItem(item);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Reads every object under `prefix` as JSON lines; returns the number of lines. Eight objects at a time. */
async function readJsonLines(s3: S3Client, bucket: string, prefix: string, onLine: (value: unknown) => void): Promise<number> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await withRetries(() => s3.send(unmetered(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }))));
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  let lines = 0;
  for (let i = 0; i < keys.length; i += 8) {
    const texts = await Promise.all(
      keys.slice(i, i + 8).map((key) => withRetries(async () => (await (await s3.send(unmetered(new GetObjectCommand({ Bucket: bucket, Key: key })))).Body?.transformToString()) ?? '')),
    );
    for (const text of texts) {
      for (const line of text.split('\n')) {
        if (!line) continue;
        onLine(JSON.parse(line));
        lines++;
      }
    }
  }
  return lines;
}
