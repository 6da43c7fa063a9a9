import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { auditPipeline } from './audit/audit-pipeline.ts';
import { startPipeline, type RunningPipeline } from './run-pipeline.ts';
import { pipelineScenario, postEvents, waitFor } from '../test/pipeline-helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 10); // Monday 5 January 2026, ISO week 2

describe('the real pipeline on the embedded target: API → Kinesis → processor → DynamoDB and Firehose → S3', () => {
  let pipeline: RunningPipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({
      scenario: pipelineScenario({ tenants: 3, shards: 2, batchSize: 50, parallelizationFactor: 2 }),
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      // Events of January 2026 must not count as past retention whenever this test runs.
      retentionSeconds: 20 * 365 * 86_400,
      processor: { pollIntervalMs: 50 },
      // tenant-3 measures temperatures: a number, required.
      schemas: { 'tenant-3': { fields: { celsius: { type: 'number', required: true } } } },
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('provisions the scenario tenants with keys and says where it listens', () => {
    expect(pipeline.tenants.map((t) => t.id)).toEqual(['tenant-1', 'tenant-2', 'tenant-3']);
    expect(pipeline.tenants.every((t) => t.apiKey.length === 43 && t.eventsPerSecond === 5)).toBe(true);
    expect(pipeline.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores each posted event exactly once in its week table and delivers it to S3; resent events overwrite themselves', async () => {
    const [a, b] = pipeline.tenants;
    // 300 events for tenant-1 across a week boundary (Sunday 11 Jan → Monday 12 Jan), 200 for tenant-2.
    const eventsA = Array.from({ length: 300 }, (_, i) => ({ id: `a-${i}`, timestamp: Date.UTC(2026, 0, 11, 23, 59, 0) + i * 1000, seq: i }));
    const eventsB = Array.from({ length: 200 }, (_, i) => ({ id: `b-${i}`, timestamp: T0 + i, seq: i, data: 'x' }));
    expect(await postEvents(pipeline.apiUrl, a!, eventsA, 100)).toEqual([202, 202, 202]);
    expect(await postEvents(pipeline.apiUrl, b!, eventsB, 50)).toEqual([202, 202, 202, 202]);
    // A client resending a request it got no answer for: same ids, no second copy.
    expect(await postEvents(pipeline.apiUrl, b!, eventsB.slice(0, 50), 50)).toEqual([202]);
    await waitFor('550 records stored', () => pipeline.processor!.counters.stored >= 550);

    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters, firehoseBuffered: 0 });
    await waitFor('S3 delivery', async () => (await auditPipeline({ aws: pipeline.aws, names: pipeline.names })).delivered === 500);
    const after = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
    expect(audit).toMatchObject({ accepted: 550, inKinesis: 550, inKinesisDistinct: 500, stored: 500, storedTwice: 0, missingFromDynamo: 0, acceptedNotInKinesis: 0 });
    expect(after).toMatchObject({ delivered: 500, missingFromS3: 0, ok: true });
    expect(after.deliveredRecords).toBeGreaterThanOrEqual(500);
    // Each stored event's time from the API's acceptance: positive, percentiles in order, within this test's span.
    const latency = pipeline.processor!.counters.endToEndMs;
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p50 <= latency.p99 && latency.p99 <= latency.max).toBe(true);
    expect(latency.max).toBeLessThan(30_000);
    // tenant-1's first 60 events (23:59:00 … 23:59:59 on Sunday) are in week 2, the other 240 in week 3.
    expect(after.tables).toEqual(expect.arrayContaining(['events_2026_W02', 'events_2026_W03']));
    const count = async (table: string, tenant: string) =>
      (await pipeline.aws.dynamodb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :t', ExpressionAttributeValues: { ':t': { S: tenant } }, Select: 'COUNT' }))).Count;
    expect(await count('events_2026_W02', 'tenant-1')).toBe(60);
    expect(await count('events_2026_W03', 'tenant-1')).toBe(240);
    expect(await count('events_2026_W02', 'tenant-2')).toBe(200);
  });

  it("sends an event that breaks its tenant's schema to the dead-letter prefix, counted, and stores the rest", async () => {
    const c = pipeline.tenants[2]!;
    const before = pipeline.processor!.counters.deadLettered;
    const events = [
      { id: 'c-ok-1', timestamp: T0, celsius: 21.5 },
      { id: 'c-bad', timestamp: T0, celsius: 'warm' },
      { id: 'c-missing', timestamp: T0, fahrenheit: 70 },
      { id: 'c-ok-2', timestamp: T0, celsius: -3 },
    ];
    expect(await postEvents(pipeline.apiUrl, c, events)).toEqual([202]);
    await waitFor('2 dead letters', () => pipeline.processor!.counters.deadLettered >= before + 2);
    await waitFor('S3 delivery', async () => (await auditPipeline({ aws: pipeline.aws, names: pipeline.names })).delivered === 502);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
    expect(audit).toMatchObject({ stored: 502, deadLettered: 2, missingFromDynamo: 0, missingFromS3: 0, ok: true });
    const keys = await pipeline.aws.s3.send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: pipeline.names.bucket, Prefix: 'dead-letter/tenant-3/' }));
    expect(keys.KeyCount).toBe(1);
    const body = await (await pipeline.aws.s3.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: pipeline.names.bucket, Key: keys.Contents![0]!.Key! }))).Body!.transformToString();
    const letters = body.trim().split('\n').map((l) => JSON.parse(l) as { reason: string; event: { id: string } });
    expect(letters.map((l) => l.event.id).sort()).toEqual(['c-bad', 'c-missing']);
    expect(letters.find((l) => l.event.id === 'c-bad')!.reason).toContain('field celsius: expected number, got string');
    expect(letters.find((l) => l.event.id === 'c-missing')!.reason).toContain('field celsius: required');
  });

  it('an event DynamoDB refuses (an item over 400 KB) is found by bisecting its batch and dead-lettered; the rest of the batch is stored', async () => {
    const b = pipeline.tenants[1]!;
    const before = pipeline.processor!.counters;
    const events = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `big-ok-${i}`, timestamp: T0, seq: i })),
      { id: 'big-1', timestamp: T0, seq: 99, data: 'x'.repeat(500_000) },
      ...Array.from({ length: 5 }, (_, i) => ({ id: `big-ok-${i + 5}`, timestamp: T0, seq: i + 5 })),
    ];
    expect(await postEvents(pipeline.apiUrl, b, events)).toEqual([202]);
    await waitFor('the big event dead-lettered', () => pipeline.processor!.counters.deadLettered >= before.deadLettered + 1);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters, firehoseBuffered: 11 });
    expect(audit).toMatchObject({ stored: 512, deadLettered: 3, missingFromDynamo: 0, storedTwice: 0 });
    expect(audit.ok).toBe(true);
  });
});
