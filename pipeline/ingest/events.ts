/**
 * The ingest API's event format: one event, or `{"events": [...]}` (a multi-put of at most 500). An event is an
 * optional `id` (generated when absent), a `timestamp` (ISO 8601 with a zone, or epoch milliseconds) and any other
 * fields. Validation names the first bad event by index and field, so a client can fix its request.
 */
import { randomUUID } from 'node:crypto';

/** Events per request: the multi-put cap of the ingest API (issue 10; PutRecords' 500-record cap, §1.1). */
export const MAX_EVENTS_PER_REQUEST = 500;
const MAX_ID_LENGTH = 128;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
/** Event times the pipeline takes: years 2000–2099 (a table per week of event time must be creatable). */
const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

/** What the pipeline carries for each event, from the API through Kinesis to DynamoDB and S3. */
export interface PipelineEvent {
  tenant: string;
  id: string;
  /** Event time, epoch ms. */
  timestamp: number;
  /** When the API accepted the request, epoch ms (end-to-end latency starts here). */
  acceptedAt: number;
  fields: Record<string, unknown>;
}

export class EventError extends Error {
  constructor(
    message: string,
    readonly index: number | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'EventError';
  }
}

/** Reads a parsed request body into events, or throws EventError naming the first problem. */
export function readEvents(body: unknown, tenant: string, acceptedAt: number): PipelineEvent[] {
  if (!isObject(body)) throw new EventError(`expected a JSON object (one event or {"events": [...]}), got ${kind(body)}`, undefined, undefined);
  const multi = Array.isArray(body.events) && !('timestamp' in body);
  const raw: unknown[] = multi ? (body.events as unknown[]) : [body];
  if (raw.length === 0) throw new EventError('expected at least one event in "events", got an empty list', undefined, 'events');
  if (raw.length > MAX_EVENTS_PER_REQUEST) {
    throw new EventError(`expected at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${raw.length}: split the request`, undefined, 'events');
  }
  const events: PipelineEvent[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) events[i] = readEvent(raw[i], multi ? i : undefined, tenant, acceptedAt);
  return events;
}

function readEvent(value: unknown, index: number | undefined, tenant: string, acceptedAt: number): PipelineEvent {
  const at = (field?: string) => (index === undefined ? field ?? 'event' : `events[${index}]${field ? '.' + field : ''}`);
  if (!isObject(value)) throw new EventError(`${at()}: expected an object, got ${kind(value)}`, index, undefined);
  const { id, timestamp, ...fields } = value;
  let eventId: string;
  if (id === undefined) eventId = randomUUID();
  else if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || /[\u0000-\u001f#]/.test(id)) {
    throw new EventError(`${at('id')}: expected a string of 1–${MAX_ID_LENGTH} printable characters without '#', got ${preview(id)}`, index, 'id');
  } else eventId = id;
  if (timestamp === undefined) throw new EventError(`${at('timestamp')}: required (ISO 8601 or epoch ms)`, index, 'timestamp');
  const time = readTimestamp(timestamp);
  if (time === undefined) {
    throw new EventError(`${at('timestamp')}: expected ISO 8601 with a zone (2026-01-05T10:00:00Z) or epoch ms between 2000 and 2100, got ${preview(timestamp)}`, index, 'timestamp');
  }
  return { tenant, id: eventId, timestamp: time, acceptedAt, fields };
}

function readTimestamp(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    ms = value;
  } else if (typeof value === 'string' && ISO_8601.test(value)) {
    ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  } else return undefined;
  return Number.isFinite(ms) && ms >= MIN_TIME && ms < MAX_TIME ? ms : undefined;
}

/** The Kinesis record's data: the event as one JSON object (what the processor and S3 objects carry). */
export function encodeEvent(event: PipelineEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function preview(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}
