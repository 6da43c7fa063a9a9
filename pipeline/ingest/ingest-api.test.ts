import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { startIngestApi, type IngestApi } from './ingest-api.ts';

const STREAM = 'ingest-api-test';
const tenants = [
  { id: 'acme', apiKey: 'key-acme-0123456789' },
  { id: 'globex', apiKey: 'key-globex-0123456789' },
  { id: 'slow', apiKey: 'key-slow-0123456789' },
];

describe('ingest API: every refusal gets its status and nothing of it reaches Kinesis', () => {
  let target: EmbeddedTarget;
  let aws: AwsClients;
  let api: IngestApi;
  const post = (tenant: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/v1/tenants/${tenant}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': `key-${tenant}-0123456789`, ...headers },
      body,
    });
  const streamIds = async () => {
    const ids: string[] = [];
    await scanStream(aws.kinesis, STREAM, (r) => ids.push(JSON.parse(Buffer.from(r.Data!).toString()).id));
    return ids;
  };

  beforeAll(async () => {
    target = await startEmbedded();
    aws = createAwsClients(target);
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
    api = await startIngestApi({
      kinesis: aws.kinesis,
      streamName: STREAM,
      tenants,
      partitionKey: 'tenant-timestamp',
      producer: { maxRetries: 3, baseMs: 10, maxMs: 100 },
      // 'slow' is the only tenant near its limit in these tests: 10 events/s, a bucket of 10.
      tenantLimit: { rate: 10, burst: 10 },
    });
  });
  afterAll(async () => {
    await api?.close();
    aws?.destroy();
    await target?.stop();
  });

  it('refuses bad requests with 400/401/403/413/415, each naming the problem, and puts nothing', async () => {
    const ev = (extra: object = {}) => ({ timestamp: '2026-01-05T10:00:00Z', v: 1, ...extra });
    const cases: Array<[string, Response, number, Record<string, unknown>]> = [
      ['invalid JSON', await post('acme', '{"timestamp": '), 400, { error: 'invalid_json' }],
      ['no timestamp at index 1', await post('acme', JSON.stringify({ events: [ev(), { v: 2 }] })), 400, { error: 'invalid_event', index: 1, field: 'timestamp' }],
      ['a bad timestamp', await post('acme', JSON.stringify(ev({ timestamp: 'yesterday' }))), 400, { error: 'invalid_event', field: 'timestamp' }],
      ['a numeric id at index 2', await post('acme', JSON.stringify({ events: [ev(), ev(), ev({ id: 7 })] })), 400, { error: 'invalid_event', index: 2, field: 'id' }],
      ['an event over 1,000 KiB (a Firehose record)', await post('acme', JSON.stringify(ev({ blob: 'x'.repeat(1_024_000) }))), 400, { error: 'invalid_event', field: 'fields' }],
      ['501 events', await post('acme', JSON.stringify({ events: Array.from({ length: 501 }, () => ev()) })), 400, { error: 'invalid_event', field: 'events' }],
      ['no key', await post('acme', JSON.stringify(ev()), { 'x-api-key': '' }), 401, { error: 'unknown_key' }],
      ['an unknown key', await post('acme', JSON.stringify(ev()), { 'x-api-key': 'not-a-key' }), 401, { error: 'unknown_key' }],
      ["globex's key on acme", await post('acme', JSON.stringify(ev()), { 'x-api-key': 'key-globex-0123456789' }), 403, { error: 'wrong_tenant' }],
      ['10 MB + 1 byte', await post('acme', ' '.repeat(10_000_001)), 413, { error: 'payload_too_large' }],
      ['text/plain', await post('acme', JSON.stringify(ev()), { 'content-type': 'text/plain' }), 415, { error: 'unsupported_media_type' }],
    ];
    for (const [what, res, status, body] of cases) {
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(await res.json()).toMatchObject(body);
    }
    expect(await streamIds()).toEqual([]);
    expect(api.counters.eventsAccepted).toBe(0);
  });

  it('answers 202 with the ids once Kinesis holds every event: given ids kept, missing ones generated', async () => {
    const res = await post(
      'globex',
      JSON.stringify({ events: [{ id: 'g-1', timestamp: 1767607200000, temp: 20 }, { timestamp: '2026-01-05T10:00:01.5+01:00', temp: 21 }] }),
      { 'x-ingestlab-weight': '20' },
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; ids: string[] };
    expect(body.accepted).toBe(2);
    expect(body.ids[0]).toBe('g-1');
    expect(body.ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await streamIds()).sort()).toEqual([...body.ids].sort());
    const records: Array<{ tenant: string; timestamp: number; acceptedAt: number; fields: object }> = [];
    await scanStream(aws.kinesis, STREAM, (r) => records.push(JSON.parse(Buffer.from(r.Data!).toString())));
    const second = records.find((r) => r.fields && (r.fields as { temp: number }).temp === 21)!;
    expect(second.tenant).toBe('globex');
    expect(second.timestamp).toBe(Date.UTC(2026, 0, 5, 9, 0, 1, 500));
    expect(second.acceptedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a tenant over its events/s gets 429 with Retry-After, and its refused events are not put', async () => {
    const before = (await streamIds()).length;
    const batch = (n: number) => JSON.stringify({ events: Array.from({ length: n }, (_, i) => ({ timestamp: 1767607200000 + i, n: i })) });
    const first = await post('slow', batch(8));
    expect(first.status).toBe(202);
    // 2 tokens left (plus what refilled in a few ms): 8 more cannot pass.
    const second = await post('slow', batch(8));
    expect(second.status).toBe(429);
    const wait = Number(second.headers.get('retry-after'));
    // 6 events short at 10 events/s: 1 s (ceil of 0.6).
    expect(wait).toBe(1);
    expect(await second.json()).toMatchObject({ error: 'too_many_events' });
    expect((await streamIds()).length).toBe(before + 8);
    // Another tenant is not held back by it.
    expect((await post('acme', batch(8))).status).toBe(202);
  });

  it('counts requests by status and events in Prometheus text', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toContain('ingestlab_requests_total{status="202"} 3');
    expect(text).toContain('ingestlab_requests_total{status="429"} 1');
    expect(text).toContain('ingestlab_requests_total{status="400"} 6');
    expect(text).toContain('ingestlab_events_accepted_total 18');
    expect(text).toContain('ingestlab_events_dropped_total 0');
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 and counts the events dropped when Kinesis will not take them (here: no such stream)', async () => {
    const broken = await startIngestApi({
      kinesis: aws.kinesis,
      streamName: 'no-such-stream',
      tenants,
      partitionKey: 'tenant',
      producer: { maxRetries: 2, baseMs: 1, maxMs: 5 },
      tenantLimit: 'none',
    });
    try {
      const res = await fetch(`${broken.url}/v1/tenants/acme/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'key-acme-0123456789' },
        body: JSON.stringify({ events: [{ id: 'x1', timestamp: 1767607200000 }, { id: 'x2', timestamp: 1767607200000 }] }),
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'kinesis_unavailable', dropped: 2, putButUnacknowledged: 0, failed: [{ index: 0, id: 'x1' }, { index: 1, id: 'x2' }], ids: ['x1', 'x2'] });
      expect(broken.counters).toMatchObject({ eventsAccepted: 0, eventsDropped: 2, eventsUnacknowledgedInKinesis: 0 });
    } finally {
      await broken.close();
    }
  });
});
