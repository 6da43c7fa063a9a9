/**
 * TEST STAND-IN for the ingest API of issue 10 (pipeline/ingest), for the load generator's tests only: a fastify
 * server on 127.0.0.1 that implements the request contract (path, x-api-key, one event or {"events": [...]} up to 500,
 * 202 {accepted, ids}; 400, 401, 403, 413, 415, 429 with Retry-After) and nothing behind it. It records what arrived
 * so tests can check the generator, and can throttle (429) or slow down on demand. Not the pipeline.
 */
import Fastify, { type FastifyInstance } from 'fastify';

export interface StandInOptions {
  /** apiKey → tenant id. */
  readonly keys: Record<string, string>;
  /** Answer 429 (with Retry-After) to this request? Called for every valid request. */
  readonly throttle?: (request: ReceivedRequest, index: number) => boolean;
  readonly retryAfterSeconds?: number;
  /** Wait this long before answering (ms). */
  readonly delayMs?: number;
  readonly bodyLimit?: number;
}

export interface ReceivedRequest {
  /** performance.now() when the request arrived, ms. */
  readonly arrivedAt: number;
  readonly tenantId: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly events: Record<string, unknown>[];
  readonly bodyBytes: number;
}

export interface StandIn {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Status answered, per request in arrival order. */
  readonly answered: number[];
  close(): Promise<void>;
}

export async function startIngestStandIn(options: StandInOptions): Promise<StandIn> {
  const app: FastifyInstance = Fastify({ bodyLimit: options.bodyLimit ?? 10_000_000, keepAliveTimeout: 60_000 });
  const received: ReceivedRequest[] = [];
  const answered: number[] = [];
  let index = 0;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, { text: body as string, json: JSON.parse(body as string) });
    } catch {
      done(null, { text: body as string, invalid: true });
    }
  });
  app.post<{ Params: { tenantId: string } }>('/v1/tenants/:tenantId/events', async (req, reply) => {
    const answer = (status: number, body: Record<string, unknown>) => {
      answered.push(status);
      return reply.code(status).send(body);
    };
    const arrivedAt = performance.now();
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const key = req.headers['x-api-key'];
    const owner = typeof key === 'string' ? options.keys[key] : undefined;
    if (!owner) return answer(401, { error: 'unknown api key' });
    if (owner !== req.params.tenantId) return answer(403, { error: `key of another tenant` });
    const body = req.body as { text: string; json?: any; invalid?: boolean } | undefined;
    if (!body || body.invalid) return answer(400, { error: 'invalid JSON' });
    const events: Record<string, unknown>[] = Array.isArray(body.json?.events) ? body.json.events : [body.json];
    if (events.length > 500) return answer(400, { error: 'more than 500 events' });
    for (const [i, e] of events.entries()) {
      if (e === null || typeof e !== 'object' || !('timestamp' in e)) return answer(400, { error: `events[${i}].timestamp missing` });
    }
    const request: ReceivedRequest = { arrivedAt, tenantId: owner, headers: req.headers, events, bodyBytes: Buffer.byteLength(body.text) };
    received.push(request);
    if (options.throttle?.(request, index++)) {
      reply.header('retry-after', String(options.retryAfterSeconds ?? 1));
      return answer(429, { error: 'over the tenant limit' });
    }
    return answer(202, { accepted: events.length, ids: events.map((e) => e.id) });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'POST' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      answered.push(415);
      return reply.code(415).send({ error: 'expected application/json' });
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received, answered, close: () => app.close() };
}
