import { afterEach, describe, expect, it } from 'vitest';
import { scenario } from '../test/builders.ts';
import { runLoad, type LoadOptions } from './driver.ts';
import { loadReport } from './result.ts';
import { scenarioTenantIds } from './schedule.ts';
import { startIngestStandIn, type StandIn, type StandInOptions } from './test-support/ingest-stand-in.ts';

let server: StandIn | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A scenario, a stand-in that knows each tenant's key (`key-<tenant id>`), and the options to drive it. */
async function setUp(input: Record<string, unknown>, standIn: Omit<StandInOptions, 'keys'> = {}) {
  const s = scenario(input);
  const ids = scenarioTenantIds(s);
  server = await startIngestStandIn({ ...standIn, keys: Object.fromEntries(ids.map((id) => [`key-${id}`, id])) });
  const options: LoadOptions = { url: server.url, scenario: s, credentials: ids.map((id) => ({ tenantId: id, apiKey: `key-${id}` })), startEpochMs: 1_700_000_000_000 };
  return { s, server, options };
}

describe('load driver against the ingest API stand-in', () => {
  it('sends 100 req/s for 1 s as exactly 100 requests, paced 10 ms apart, all accepted', async () => {
    const { server, options } = await setUp({ duration: '1s', tenants: [{ name: 'a', rate: 100, noise: 'none' }] });
    const report = loadReport(await runLoad(options));
    expect(server.received).toHaveLength(100);
    expect(report.sent.requests).toBe(100);
    expect(report.events.accepted).toBe(100);
    expect(report.statuses).toEqual({ 202: 100 });
    // Paced, not bursted: 10 requests per 100 ms window. A generator that bursts each second's budget (autocannon's own
    // overallRate) would send all 100 within a few ms; on a loaded machine a stall of the event loop shifts a few
    // requests into the next window, never dozens.
    const arrivals = server.received.map((r) => r.arrivedAt);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(500);
    const windows = new Array<number>(12).fill(0);
    for (const t of arrivals) windows[Math.min(11, Math.floor((t - arrivals[0]!) / 100))]!++;
    expect(Math.max(...windows)).toBeLessThanOrEqual(35);
    // Precision is for the bench (npm run bench) to measure; here: not far behind even on a loaded machine.
    expect(report.rateRatio).toBeGreaterThan(0.9);
  });

  it('each tenant posts to its own path with its own key; bodies carry the seeded ids, timestamps and sizes', async () => {
    const { server, options } = await setUp({
      duration: '2s',
      seed: 5,
      tenants: [{ name: 'a', count: 2, rate: 10, noise: 'none', batchSize: 5, eventBytes: 300 }, { name: 'b', rate: 3, noise: 'none' }],
    });
    const report = loadReport(await runLoad(options));
    expect(report.statuses).toEqual({ 202: 14 });
    const byTenant = new Map<string, string[]>();
    for (const r of server.received) {
      expect(r.headers['x-api-key']).toBe(`key-${r.tenantId}`);
      for (const e of r.events) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), String(e.id)]);
    }
    // a: 2 tenants × 10 events/s × 2 s = 40 events in 8 batches of 5; b: 3 events/s × 2 s = 6 single events.
    expect(byTenant.get('a-1')).toEqual(Array.from({ length: 20 }, (_, i) => `s5-a-1-${i}`));
    expect(byTenant.get('a-2')).toEqual(Array.from({ length: 20 }, (_, i) => `s5-a-2-${i}`));
    expect(byTenant.get('b-1')).toEqual(Array.from({ length: 6 }, (_, i) => `s5-b-1-${i}`));
    const batch = server.received.find((r) => r.tenantId === 'a-1')!;
    expect(batch.events).toHaveLength(5);
    // eventBytes 300: every event is 300 bytes of JSON; the batch is {"events":[...]} around them.
    expect(batch.bodyBytes).toBe(5 * 300 + 4 + '{"events":[]}'.length);
    // b's first event is sent at 1/6 s: its timestamp is scenario time 0 + 167 ms.
    const single = server.received.find((r) => r.tenantId === 'b-1')!;
    expect(single.events[0]!.timestamp).toBe(1_700_000_000_167);
    expect(single.headers['x-ingestlab-weight']).toBe('1');
  });

  it('retries 429s with backoff as the producer section says, then counts the rest as rejected', async () => {
    // 20 events/s for 0.5 s: 10 requests.
    const input = { duration: '500ms', tenants: [{ name: 'a', rate: 20, noise: 'none' }] };
    // The stand-in throttles every first attempt: with 2 retries every request ends accepted on its second attempt.
    const first = await setUp(input, { throttle: (r) => r.headers['x-ingestlab-attempt'] === '0', retryAfterSeconds: 0 });
    const ok = loadReport(await runLoad({ ...first.options, retry: { maxRetries: 2, backoffBaseMs: 5, backoffMaxMs: 50 } }));
    expect(ok.statuses).toEqual({ 202: 10, 429: 10 });
    expect(ok.sent.retries).toBe(10);
    expect(ok.events).toMatchObject({ accepted: 10, rejected: 0 });
    // The event latency runs from the first attempt's intended time, so it includes the backoff.
    expect(ok.ingestLatencyMs.max).toBeGreaterThanOrEqual(ok.latencyMs.p50);
    await first.server.close();

    const second = await setUp(input, { throttle: () => true, retryAfterSeconds: 0 });
    const no = loadReport(await runLoad({ ...second.options, retry: { maxRetries: 0, backoffBaseMs: 5, backoffMaxMs: 50 } }));
    expect(no.statuses).toEqual({ 429: 10 });
    expect(no.events).toMatchObject({ accepted: 0, rejected: 10 });
  });

  it('is open-model: a slow server does not slow the sends when connections suffice', async () => {
    const { server, options } = await setUp({ duration: '1s', tenants: [{ name: 'a', rate: 40, noise: 'none' }] }, { delayMs: 300 });
    const report = loadReport(await runLoad({ ...options, connections: 40 }));
    // A closed loop on one connection would need 40 × 0.3 = 12 s; here the 40 requests still arrive within 1 s.
    const arrivals = server.received.map((r) => r.arrivedAt);
    expect(arrivals).toHaveLength(40);
    expect((arrivals.at(-1)! - arrivals[0]!) / 1000).toBeLessThan(1.05);
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(300);
    expect(report.connectionWaits).toBe(0);
    // A closed loop would lag by seconds here; a loaded machine adds tens of ms.
    expect(report.sendLagMs.p99).toBeLessThan(150);
  });

  it('measures latency from the intended send time when requests must wait (coordinated omission corrected)', async () => {
    // 10 requests due every 50 ms (25, 75, …, 475 ms), one connection, 100 ms answers: the connection serves 10/s, so
    // the last request goes out at about 925 ms and is answered at about 1,025 ms: a latency of about 550 ms from its
    // intended 475 ms, not 100 ms.
    const { options } = await setUp({ duration: '500ms', tenants: [{ name: 'a', rate: 20, noise: 'none' }] }, { delayMs: 100 });
    const report = loadReport(await runLoad({ ...options, connections: 1 }));
    expect(report.events.accepted).toBe(10);
    expect(report.latencyMs.max).toBeGreaterThan(450);
    expect(report.sendLagMs.max).toBeGreaterThan(350);
    // Every request after the first fell due while the one connection was busy (answers take 100 ms, 50 ms apart).
    expect(report.connectionWaits).toBe(9);
    // Falling behind shows as a lower achieved rate.
    expect(report.rateRatio).toBeLessThan(0.6);
  });

  it('compressed time: time scale 10 sends a tenth of 10 s of scenario in 1 s, each request weighted 10', async () => {
    const { server, options } = await setUp({ duration: '10s', tenants: [{ name: 'a', rate: 10, noise: 'none' }] });
    const report = loadReport(await runLoad({ ...options, timeScale: 10 }));
    expect(report.sent.requests).toBe(10);
    expect(report.weight).toBe(10);
    expect(server.received.every((r) => r.headers['x-ingestlab-weight'] === '10' && r.headers['x-ingestlab-time-scale'] === '10')).toBe(true);
    // Each 1 s tick offers 10 events and keeps 1, sent at the middle of the tick: scenario time (k + 0.5) s.
    const scenarioMs = server.received.map((r) => Number(r.headers['x-ingestlab-scenario-ms']));
    expect(scenarioMs.slice(0, 3)).toEqual([500, 1500, 2500]);
    expect(report.elapsedSeconds).toBeLessThan(1.5);
  });

  it('counts a refused key as failed, not retried', async () => {
    const { options } = await setUp({ duration: '1s', tenants: [{ name: 'a', rate: 5, noise: 'none' }] });
    const report = loadReport(await runLoad({ ...options, credentials: [{ tenantId: 'a-1', apiKey: 'wrong' }], retry: { maxRetries: 3, backoffBaseMs: 5, backoffMaxMs: 10 } }));
    expect(report.statuses).toEqual({ 401: 5 });
    expect(report.events).toMatchObject({ accepted: 0, failed: 5 });
    expect(report.sent.retries).toBe(0);
  });
});

describe('load driver on the real pipeline: a 503 counts per event, as the simulator does', () => {
  it('reads the events a 503 names as not put: only those are dropped or resent; the rest count put but unacknowledged', async () => {
    const { startPipeline } = await import('../pipeline/run-pipeline.ts');
    const { createKinesisQuota } = await import('../pipeline/gateway/kinesis-quota.ts');
    const { MetricsStore } = await import('../pipeline/gateway/metrics-store.ts');
    const { createManualClock } = await import('../pipeline/gateway/scenario-clock.ts');
    const { assignCredentials } = await import('./keys.ts');
    // One tenant, two requests of 100 events a second apart, into one shard whose 1,000 records/s are 950 spent; the
    // gateway's clock stands still, so nothing refills and a throttled record stays throttled.
    const s = scenario({ duration: '2s', tenants: [{ name: 'a', rate: 100, noise: 'none', batchSize: 100 }], kinesis: { shards: 1 }, dynamodb: { mode: 'on-demand' } });
    const clock = createManualClock();
    const quota = createKinesisQuota({ config: s.kinesis, clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    // No API retries: a record throttled once is given up at once.
    const pipeline = await startPipeline({ scenario: s, middleware: [quota.middleware], tenantLimit: 'none', processor: false, producer: { maxRetries: 0 } });
    try {
      const tenant = pipeline.tenants[0]!;
      const post = (prefix: string, n: number) =>
        fetch(`${pipeline.apiUrl}/v1/tenants/${tenant.id}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
          body: JSON.stringify({ events: Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, timestamp: 1_700_000_000_000 })) }),
        });
      expect((await post('fill', 475)).status).toBe(202);
      expect((await post('fill2', 475)).status).toBe(202);
      const { credentials } = assignCredentials(scenarioTenantIds(s), { tenants: pipeline.tenants });
      const result = await runLoad({ url: pipeline.apiUrl, scenario: s, credentials, startEpochMs: 1_700_000_000_000, retry: { maxRetries: 1, backoffBaseMs: 1, backoffMaxMs: 5 } });
      // First request: 50 put, its last 50 named in the 503; its retry carries those 50 only, all throttled again.
      // Second request: none put, 100 named; its retry, 100, throttled again. Nothing was answered 2xx.
      expect(result.events).toEqual({ accepted: 0, rejected: 0, dropped: 150, putUnacknowledged: 50, failed: 0, errors: 0, unsent: 0 });
      expect(result.statuses).toEqual({ 503: 4 });
      expect(result.sent).toEqual({ requests: 2, events: 200, retries: 2 });
      // Kinesis saw 100 + 50 records of the first request and 100 + 100 of the second: 50 taken, 300 throttled. A
      // client resending whole requests would have been throttled 350 times.
      expect(quota.counters).toMatchObject({ acceptedRecords: 1_000, throttledRecords: 300 });
      expect(pipeline.api.counters).toMatchObject({ eventsAccepted: 950, eventsDropped: 300, eventsUnacknowledgedInKinesis: 50 });
    } finally {
      await pipeline.stop();
    }
  }, 60_000);

  it('takes a 503 body it cannot read as nothing known put', async () => {
    const { notPutIndexes } = await import('./driver.ts');
    expect(notPutIndexes('{"failed":[{"index":3,"id":"x"},{"index":1,"id":"y"}]}', 5)).toEqual([1, 3]);
    expect(notPutIndexes('{"failed":[]}', 5)).toEqual([]);
    expect(notPutIndexes('{"failed":[{"index":5}]}', 5)).toBeUndefined();
    expect(notPutIndexes('Service Unavailable', 5)).toBeUndefined();
    expect(notPutIndexes('{"error":"closing"}', 5)).toBeUndefined();
    expect(notPutIndexes(undefined, 5)).toBeUndefined();
  });
});
