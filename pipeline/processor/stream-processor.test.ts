import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { auditPipeline } from '../audit/audit-pipeline.ts';
import { startPipeline, type RunningPipeline } from '../run-pipeline.ts';
import { listAllShards } from '../storage/stream-scan.ts';
import { StreamProcessor } from './stream-processor.ts';
import { pipelineScenario, postEvents, waitFor } from '../../test/pipeline-helpers.ts';

describe('resharding mid-run: parents are read to their end before their children, a drain reads them all, nothing is lost', () => {
  let pipeline: RunningPipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({
      scenario: pipelineScenario({ tenants: 4, shards: 2, batchSize: 100, partitionKey: 'random' }),
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 20 * 365 * 86_400,
      processor: { pollIntervalMs: 50, shardSyncMs: 200 },
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('2 → 4 shards with UpdateShardCount while events flow', async () => {
    const PER_TENANT = 500;
    const events = (t: number) => Array.from({ length: PER_TENANT }, (_, i) => ({ id: `r${t}-${i}`, timestamp: Date.UTC(2026, 0, 7) + i, seq: i }));
    const [t1, t2, t3, t4] = pipeline.tenants;
    // Half the traffic before the reshard, half while and after it.
    await Promise.all([t1, t2].map((t, i) => postEvents(pipeline.apiUrl, t!, events(i), 50)));
    const during = Promise.all([t3, t4].map((t, i) => postEvents(pipeline.apiUrl, t!, events(i + 2), 50)));
    await pipeline.aws.kinesis.send(new UpdateShardCountCommand({ StreamName: pipeline.names.stream, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    expect((await during).flat().every((s) => s === 202)).toBe(true);
    await pipeline.target.reshard.settled(pipeline.names.stream);
    // After the reshard, more events: they land on the children only.
    await postEvents(pipeline.apiUrl, t1!, Array.from({ length: 200 }, (_, i) => ({ id: `late-${i}`, timestamp: Date.UTC(2026, 0, 7) + i })), 100);
    const TOTAL = 4 * PER_TENANT + 200;

    const shards = await listAllShards(pipeline.aws.kinesis, pipeline.names.stream);
    const open = shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    expect(open).toHaveLength(4);
    // Drain now: stop() must read every parent to its end and every child to its tip before it returns.
    await pipeline.processor!.stop();
    expect(pipeline.processor!.counters.shardsFinished).toBe(shards.length - open.length);
    expect(pipeline.processor!.counters.stored).toBe(TOTAL);

    // Every shard with parents started only after each parent ended (SHARD_END checkpointed).
    const log = pipeline.processor!.shardLog;
    const startOf = (id: string) => log.find((e) => e.shardId === id && e.kind === 'start')?.at;
    const endOf = (id: string) => log.find((e) => e.shardId === id && e.kind === 'end')?.at;
    let children = 0;
    for (const shard of shards) {
      for (const parent of [shard.ParentShardId, shard.AdjacentParentShardId]) {
        if (!parent || !shards.some((s) => s.ShardId === parent)) continue;
        children++;
        expect(endOf(parent), `${parent} ended`).toBeDefined();
        expect(startOf(shard.ShardId!)!, `${shard.ShardId} starts after its parent ${parent} ended`).toBeGreaterThanOrEqual(endOf(parent)!);
      }
    }
    expect(children).toBeGreaterThanOrEqual(4);

    await waitFor('S3 delivery', () => pipeline.target.firehose!.totals().deliveredRecords >= TOTAL);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
    expect(audit).toMatchObject({ accepted: TOTAL, inKinesis: TOTAL, stored: TOTAL, storedTwice: 0, delivered: TOTAL, missingFromDynamo: 0, missingFromS3: 0, ok: true });
  }, 45_000);
});

describe('a drain after a reshard reads the closed parents to their end, then the children', () => {
  it('a processor started after 1 → 2 shards and stopped at once still stores every event', async () => {
    const pipeline = await startPipeline({
      scenario: pipelineScenario({ tenants: 1, shards: 1, partitionKey: 'random' }),
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 20 * 365 * 86_400,
      processor: false,
    });
    try {
      const tenant = pipeline.tenants[0]!;
      const events = (from: number) => Array.from({ length: 300 }, (_, i) => ({ id: `d-${from + i}`, timestamp: Date.UTC(2026, 0, 7) + i }));
      await postEvents(pipeline.apiUrl, tenant, events(0), 100);
      await pipeline.aws.kinesis.send(new UpdateShardCountCommand({ StreamName: pipeline.names.stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
      await pipeline.target.reshard.settled(pipeline.names.stream);
      await postEvents(pipeline.apiUrl, tenant, events(300), 100);
      const processor = new StreamProcessor({ ...pipeline.processorOptions, aws: pipeline.aws, pollIntervalMs: 50 });
      await processor.start();
      await processor.stop();
      // The parent's 300 events, then the children's 300: a drain that stopped at the parent's first empty page
      // (a closed shard answers one before its iterator ends) would leave the children unread.
      expect(processor.counters).toMatchObject({ stored: 600, shardsFinished: 1 });
      const log = processor.shardLog;
      const parentEnd = log.find((e) => e.kind === 'end')!.at;
      expect(log.filter((e) => e.kind === 'start' && e.at >= parentEnd)).toHaveLength(2);
    } finally {
      await pipeline.stop();
    }
  });
});

describe('period tables: the next week is created ahead of its start, and retention drops the oldest', () => {
  let pipeline: RunningPipeline;
  // The processor's clock, moved by the test: Saturday 10 January 2026, noon (ISO week 2 runs 5–11 January).
  let now = Date.UTC(2026, 0, 10, 12);
  beforeAll(async () => {
    pipeline = await startPipeline({
      scenario: pipelineScenario({ tenants: 1, shards: 1 }), // dynamodb.createAhead: 1 day (the default)
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 7 * 86_400,
      processor: { pollIntervalMs: 50, maintainMs: 100, now: () => now },
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  const tables = async () => (await pipeline.processor!.tables.listEventTables()).sort();

  it('on Saturday only week 2 exists; from Sunday 00:00 (a day ahead) week 3 too', async () => {
    expect(await tables()).toEqual(['events_2026_W02']);
    now = Date.UTC(2026, 0, 11, 0, 0, 1);
    await waitFor('week 3 created', async () => (await tables()).includes('events_2026_W03'), 5_000);
    expect(await tables()).toEqual(['events_2026_W02', 'events_2026_W03']);
  });

  it('a week after week 2 ended, its table is dropped; an event of week 2 then goes to the dead letters, not a new table', async () => {
    now = Date.UTC(2026, 0, 19, 0, 0, 1); // Monday of week 4; week 2 ended on the 12th, 7 days ago
    await waitFor('week 2 dropped', async () => !(await tables()).includes('events_2026_W02'), 5_000);
    expect(await tables()).toEqual(['events_2026_W03', 'events_2026_W04']);
    const tenant = pipeline.tenants[0]!;
    expect(await postEvents(pipeline.apiUrl, tenant, [{ id: 'old', timestamp: Date.UTC(2026, 0, 8) }, { id: 'new', timestamp: Date.UTC(2026, 0, 19, 1) }])).toEqual([202]);
    await waitFor('both handled', () => pipeline.processor!.counters.stored + pipeline.processor!.counters.deadLettered >= 2, 10_000);
    expect(pipeline.processor!.counters).toMatchObject({ stored: 1, deadLettered: 1 });
    expect(await tables()).toEqual(['events_2026_W03', 'events_2026_W04']);
  });
});
