/**
 * The ingest API (the seed's API Gateway + integration), on fastify: `POST /v1/tenants/{tenantId}/events` with an
 * `x-api-key`. Checks run cheapest first and nothing of a refused request reaches Kinesis: the key (401/403) before
 * the body is read, the body's size (413, fastify stops reading at the limit), type (415) and JSON (400), each event
 * (400, naming its index and field), then the tenant's events/s (429 with Retry-After). Only then PutRecords; the
 * answer is 202 once Kinesis holds every event of the request, or 503 if some were dropped after the last retry: its
 * body names those (`failed`: index and id); the request's other events are in the stream, counted put but
 * unacknowledged (docs/pipeline.md).
 */
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { RECORD_LIMITS } from '../../sim/record-limits.ts';
import { encodeEvent, EventError, readEvents } from './events.ts';
import { KinesisProducer, type ProducerOptions } from './kinesis-producer.ts';
import { countersToJson, newIngestCounters, prometheusText, type IngestCounters } from './metrics.ts';
import { partitionKeyOf, type PartitionKeyStrategy } from './partition-keys.ts';
import { TenantKeys, type TenantKey } from './tenant-keys.ts';
import { TenantLimiter } from './tenant-limiter.ts';

/** API Gateway's request payload cap: 10 MB, cannot be raised (§6). */
export const MAX_PAYLOAD_BYTES = 10_000_000;

export interface IngestApiOptions {
  kinesis: KinesisClient;
  streamName: string;
  tenants: readonly TenantKey[];
  partitionKey: PartitionKeyStrategy;
  producer: ProducerOptions;
  /** Events/s per tenant and bucket size (API Gateway usage plan), or 'none'. */
  tenantLimit: { rate: number; burst?: number } | 'none';
  maxPayloadBytes?: number;
  port?: number;
  host?: string;
  /** More to show at `GET /_ingestlab/status` (the processor's counters when it runs in this process). */
  status?: () => Record<string, unknown>;
}

export interface IngestApi {
  url: string;
  port: number;
  counters: IngestCounters;
  keys: TenantKeys;
  /** Stops accepting (new requests get 503), waits for requests in flight, then closes. */
  close(): Promise<void>;
}

type Problem = { status: number; error: string; message: string; index?: number; field?: string };

export async function startIngestApi(options: IngestApiOptions): Promise<IngestApi> {
  const counters = newIngestCounters();
  const keys = new TenantKeys(options.tenants);
  const limiter = options.tenantLimit === 'none' ? undefined : new TenantLimiter(options.tenantLimit.rate, options.tenantLimit.burst);
  const producer = new KinesisProducer(options.kinesis, options.streamName, options.producer);
  const app: FastifyInstance = Fastify({ bodyLimit: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES, logger: false, return503OnClosing: true, forceCloseConnections: 'idle' });

  // JSON only: fastify also parses text/plain by default, which this API answers 415.
  app.removeContentTypeParser('text/plain');

  const problem = (p: Problem) => {
    const { status, ...body } = p;
    return { status, body };
  };

  app.addHook('onResponse', async (request, reply) => {
    const n = counters.requestsByStatus.get(reply.statusCode) ?? 0;
    counters.requestsByStatus.set(reply.statusCode, n + 1);
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const p = fastifyProblem(error);
    void reply.status(p.status).send(problem(p).body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return prometheusText(counters);
  });
  app.get('/_ingestlab/status', async () => ({ api: countersToJson(counters), ...options.status?.() }));

  app.post<{ Params: { tenantId: string } }>(
    '/v1/tenants/:tenantId/events',
    {
      // The key is checked before the body is read: a refused caller costs no parsing.
      onRequest: async (request, reply) => {
        const check = keys.check(request.params.tenantId, header(request.headers['x-api-key']));
        if (check === 'unknown-key') {
          return reply.status(401).send({ error: 'unknown_key', message: 'missing or unknown x-api-key' });
        }
        if (check === 'other-tenant') {
          return reply.status(403).send({ error: 'wrong_tenant', message: `this x-api-key belongs to another tenant than ${request.params.tenantId}` });
        }
      },
    },
    async (request, reply) => {
      const tenant = request.params.tenantId;
      const acceptedAt = Date.now();
      let entries: PutRecordsRequestEntry[];
      let ids: string[];
      try {
        const events = readEvents(request.body, tenant, acceptedAt);
        entries = new Array(events.length);
        ids = new Array(events.length);
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!;
          const data = encodeEvent(event);
          const key = partitionKeyOf(options.partitionKey, event);
          // It must fit a Kinesis record (data + key) and, with its newline, a Firehose record (sim/record-limits.ts).
          if (data.length + Buffer.byteLength(key) > RECORD_LIMITS.kinesisBytes || data.length + 1 > RECORD_LIMITS.firehoseBytes) {
            throw new EventError(
              `events[${i}]: ${data.length.toLocaleString('en-US')} bytes encoded, over the ${data.length + 1 > RECORD_LIMITS.firehoseBytes ? "Firehose record's 1,000 KiB" : "Kinesis record's 1 MiB (with the partition key)"}`,
              i,
              'fields',
            );
          }
          entries[i] = { Data: data, PartitionKey: key };
          ids[i] = event.id;
        }
      } catch (error) {
        if (!(error instanceof EventError)) throw error;
        return reply.status(400).send({ error: 'invalid_event', message: error.message, index: error.index, field: error.field });
      }
      if (limiter) {
        const admission = limiter.admit(tenant, entries.length);
        if (!admission.admitted) {
          counters.eventsThrottled += entries.length;
          void reply.header('retry-after', String(admission.retryAfterSeconds));
          return reply.status(429).send({
            error: 'too_many_events',
            message: `tenant ${tenant} is over its ${limiter.rate} events/s; retry after ${admission.retryAfterSeconds} s`,
          });
        }
      }
      const outcome = await producer.putAll(entries);
      counters.putRetries += outcome.retries;
      if (outcome.dropped > 0) {
        // Per event, as the simulator counts: the events Kinesis never took are dropped; the others of the request are
        // in the stream (they will be stored) but not acknowledged, since the request as a whole failed.
        const put = entries.length - outcome.dropped;
        counters.eventsDropped += outcome.dropped;
        counters.eventsUnacknowledgedInKinesis += put;
        return reply.status(503).send({
          error: 'kinesis_unavailable',
          message: `${outcome.dropped} of ${entries.length} events could not be put to Kinesis after retries${outcome.error ? ` (${outcome.error})` : ''}; the request is not acknowledged. The ${put} others are in the stream and will be stored; resend the events named in \`failed\` (or the whole request: storage is idempotent on tenant and id)`,
          dropped: outcome.dropped,
          putButUnacknowledged: put,
          failed: outcome.failed.map((index) => ({ index, id: ids[index]! })),
          ids,
        });
      }
      counters.eventsAccepted += entries.length;
      return reply.status(202).send({ accepted: entries.length, ids });
    },
  );

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    counters,
    keys,
    close: () => app.close(),
  };
}

/** fastify's own refusals (body too large, wrong content type, malformed JSON) in the API's error shape. */
function fastifyProblem(error: FastifyError): Problem {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, error: 'payload_too_large', message: `request body over the ${MAX_PAYLOAD_BYTES.toLocaleString('en-US')}-byte cap (API Gateway's 10 MB)` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, error: 'unsupported_media_type', message: 'expected content-type application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, error: 'invalid_json', message: 'empty body: expected one event or {"events": [...]}' };
  }
  const status = error.statusCode ?? 500;
  if (status === 400) return { status, error: 'invalid_json', message: `body is not valid JSON: ${error.message}` };
  return { status, error: status >= 500 ? 'internal_error' : 'bad_request', message: error.message };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
