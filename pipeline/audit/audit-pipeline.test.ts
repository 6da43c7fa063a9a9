import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type RunningPipeline } from '../run-pipeline.ts';
import { createKinesisQuota } from '../gateway/kinesis-quota.ts';
import { MetricsStore } from '../gateway/metrics-store.ts';
import { createManualClock } from '../gateway/scenario-clock.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { pipelineScenario, postEvents, waitFor } from '../../test/pipeline-helpers.ts';
import { auditPipeline } from './audit-pipeline.ts';

const T0 = Date.UTC(2026, 0, 5, 10);
const events = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, timestamp: T0 + i, seq: i }));

/**
 * One shard behind the gateway's Kinesis quota (1,000 records/s) on a clock that stands still while the requests are
 * posted: nothing refills, so a record throttled once is throttled on every retry, and exactly the records past the
 * 1,000th fail. Then the clock moves so the processor can read.
 */
describe('a request partly put to Kinesis: 503 naming the dropped events, the rest stored, the audit balanced', () => {
  const clock = createManualClock();
  let pipeline: RunningPipeline;
  let ticking: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    const scenario = pipelineScenario({ tenants: 1, shards: 1 });
    const quota = createKinesisQuota({ config: scenario.kinesis, clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    pipeline = await startPipeline({
      scenario,
      middleware: [quota.middleware],
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 20 * 365 * 86_400,
      processor: { pollIntervalMs: 50 },
      producer: { maxRetries: 2, baseMs: 1, maxMs: 5 },
    });
  });
  afterAll(async () => {
    if (ticking) clearInterval(ticking);
    await pipeline?.stop();
  });

  it('of 150 events with 100 records of the second left, the 50 past it are named in the 503 and dropped; the other 100 are stored', async () => {
    const tenant = pipeline.tenants[0]!;
    // 900 of the second's 1,000 records, acknowledged.
    expect(await postEvents(pipeline.apiUrl, tenant, events('a', 900), 450)).toEqual([202, 202]);
    const res = await fetch(`${pipeline.apiUrl}/v1/tenants/${tenant.id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
      body: JSON.stringify({ events: events('c', 150) }),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; dropped: number; putButUnacknowledged: number; failed: Array<{ index: number; id: string }>; ids: string[] };
    expect(body).toMatchObject({ error: 'kinesis_unavailable', dropped: 50, putButUnacknowledged: 100 });
    expect(body.failed).toEqual(Array.from({ length: 50 }, (_, i) => ({ index: 100 + i, id: `c-${100 + i}` })));
    expect(body.ids).toHaveLength(150);
    // Counted per event: 50 dropped, 100 put but unacknowledged, each of the 50 retried twice.
    expect(pipeline.api.counters).toMatchObject({ eventsAccepted: 900, eventsDropped: 50, eventsUnacknowledgedInKinesis: 100, putRetries: 100 });
    const metrics = await (await fetch(`${pipeline.apiUrl}/metrics`)).text();
    expect(metrics).toContain('ingestlab_events_dropped_total 50');
    expect(metrics).toContain('ingestlab_events_unacknowledged_in_kinesis_total 100');

    // Time moves again (a scenario second every 50 ms): the processor reads and stores what is in the stream.
    ticking = setInterval(() => clock.set(clock.now() + 1), 50);
    await waitFor('1,000 stored', () => pipeline.processor!.counters.stored >= 1_000, 30_000);
    await waitFor('1,000 delivered', async () => (await auditPipeline({ aws: pipeline.aws, names: pipeline.names })).delivered === 1_000, 30_000);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
    // stored = 900 acknowledged + (150 − 50) put but unacknowledged; nothing missing, nothing unexplained.
    expect(audit).toMatchObject({
      accepted: 900,
      putButUnacknowledged: 100,
      dropped: 50,
      inKinesis: 1_000,
      stored: 1_000,
      storedTwice: 0,
      delivered: 1_000,
      missingFromDynamo: 0,
      missingFromS3: 0,
      acceptedNotInKinesis: 0,
      ok: true,
    });
    const inStream = new Set<string>();
    await scanStream(pipeline.aws.kinesis, pipeline.names.stream, (r) => inStream.add(JSON.parse(Buffer.from(r.Data!).toString()).id));
    for (let i = 0; i < 150; i++) expect(inStream.has(`c-${i}`)).toBe(i < 100);
  }, 90_000);

  it('a client resending the 50 named events, then the whole request, adds exactly 50 stored events and no duplicates', async () => {
    const tenant = pipeline.tenants[0]!;
    await new Promise((r) => setTimeout(r, 200)); // a fresh scenario second: the bucket has refilled
    expect(await postEvents(pipeline.apiUrl, tenant, events('c', 150).slice(100), 50)).toEqual([202]);
    expect(await postEvents(pipeline.apiUrl, tenant, events('c', 150), 150)).toEqual([202]);
    await waitFor('1,200 writes', () => pipeline.processor!.counters.stored >= 1_200, 30_000);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters, firehoseBuffered: 0 });
    // 900 + 50 + 150 acknowledged; 1,000 + 50 + 150 records in the stream, of 1,050 distinct events, each stored once.
    expect(audit).toMatchObject({ accepted: 1_100, putButUnacknowledged: 100, dropped: 50, inKinesis: 1_200, inKinesisDistinct: 1_050, stored: 1_050, storedTwice: 0, missingFromDynamo: 0, acceptedNotInKinesis: 0 });
  }, 60_000);
});
