/**
 * startPipeline on the localstack and aws targets, end to end, against the embedded edge (no LocalStack, no AWS account
 * here): the localstack target's own edge (with the quota gateway in front) forwards to the embedded one; the aws
 * target reaches it only through its test-only `testEndpoint`. And `pipeline up --target aws` through the real CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ListStreamsCommand, ListTagsForStreamCommand } from '@aws-sdk/client-kinesis';
import { DescribeTableCommand, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { scenarioSchema, type Scenario } from '../../scenarios/schema.ts';
import { UsageError } from '../../sim/errors.ts';
import { auditPipeline } from '../audit/audit-pipeline.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { RUN_TAG } from '../cleanup.ts';
import { startPipeline } from '../run-pipeline.ts';
import { tableNameFor } from '../storage/event-tables.ts';
import { postEvents, waitFor } from '../../test/pipeline-helpers.ts';
import { estimateScenarioCostUsd, startTarget, type EmbeddedTarget } from './index.ts';
import { EMULATOR_CREDENTIALS } from './target.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Monday 5 January 2026 10:00 UTC: ISO week 2. */
const T0 = Date.UTC(2026, 0, 5, 10);
/** Sunday 11 January 23:59:00 UTC: the last minute of week 2; a second later each, 60 events stay in week 2. */
const SUNDAY_LATE = Date.UTC(2026, 0, 11, 23, 59, 0);

/** Two tenants, two shards, on-demand tables, no scaling policy; createAhead 0 so only the current week's table is made ahead. */
function scenario(): Scenario {
  return scenarioSchema.parse({
    name: 'targets-test',
    duration: '60s',
    tenants: [{ name: 'tenant', count: 2, rate: 5, batchSize: 10 }],
    kinesis: { shards: 2, partitionKey: 'tenant-timestamp' },
    lambda: { batchSize: 100, parallelizationFactor: 1 },
    dynamodb: { mode: 'on-demand', createAhead: '0s' },
    firehose: { bufferSeconds: '1s', bufferMb: 1 },
  });
}

const common = { firehoseBufferSeconds: 1, tenantLimit: 'none' as const, retentionSeconds: 20 * 365 * 86_400, processor: { pollIntervalMs: 50 } };

/** 100 events of tenant-1 from SUNDAY_LATE a second apart (60 in week 2, 40 in week 3) and 50 of tenant-2 at T0 (week 2). */
async function postTwoWeeks(apiUrl: string, tenants: Array<{ id: string; apiKey: string }>): Promise<void> {
  const a = Array.from({ length: 100 }, (_, i) => ({ id: `a-${i}`, timestamp: SUNDAY_LATE + i * 1000, seq: i }));
  const b = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, timestamp: T0 + i, seq: i, data: 'x' }));
  expect(await postEvents(apiUrl, tenants[0]!, a, 50)).toEqual([202, 202]);
  expect(await postEvents(apiUrl, tenants[1]!, b, 50)).toEqual([202]);
}

describe('startPipeline on the localstack and aws targets, against the embedded edge', () => {
  let embedded: EmbeddedTarget;
  let upstream: AwsClients;
  beforeAll(async () => {
    embedded = await startTarget('embedded', {});
    upstream = createAwsClients(embedded);
  });
  afterAll(async () => {
    upstream?.destroy();
    await embedded?.stop();
  });

  it('localstack: the gateway in front of its own edge, everything stored upstream; every accepted event stored once and delivered', async () => {
    const pipeline = await startPipeline({ ...common, scenario: scenario(), target: 'localstack', endpoint: embedded.endpoint, gateway: true, autoscale: false });
    try {
      expect(pipeline.target.name).toBe('localstack');
      expect(pipeline.edgeUrl).not.toBe(embedded.endpoint);
      expect(pipeline.target.upstream).toBe(embedded.endpoint);
      expect(pipeline.warnings).toEqual([expect.stringMatching(/^LocalStack's Firehose ignores BufferingHints/)]);
      expect(pipeline.names.stream).toBe('ingestlab-events');
      await postTwoWeeks(pipeline.apiUrl, pipeline.tenants);
      await waitFor('150 stored', () => pipeline.processor!.counters.stored >= 150);
      await waitFor('150 delivered to S3', async () => (await auditPipeline({ aws: pipeline.aws, names: pipeline.names })).delivered === 150);
      const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
      expect(audit).toMatchObject({ accepted: 150, inKinesis: 150, stored: 150, storedTwice: 0, delivered: 150, missingFromDynamo: 0, missingFromS3: 0, ok: true });
      expect(audit.tables).toEqual(expect.arrayContaining(['events_2026_W02', 'events_2026_W03']));
      // The quota gateway saw every record on its way to Kinesis: 150 admitted, none throttled at 2 shards.
      expect(pipeline.gateway!.counters.kinesis.acceptedRecords).toBe(150);
      expect(pipeline.gateway!.counters.kinesis.throttledRecords).toBe(0);
      // Through LocalStack's path the data lives upstream: the embedded emulators hold the stream and the tables.
      expect((await upstream.kinesis.send(new ListStreamsCommand({}))).StreamNames).toContain('ingestlab-events');
      expect((await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(expect.arrayContaining(['events_2026_W02', 'events_2026_W03', 'ingestlab_leases', 'ingestlab_schemas']));
      // The upstream's Firehose (LocalStack's, here ours behind the embedded edge) delivered them.
      expect(embedded.firehose!.counts()['ingestlab-events-to-s3']!.deliveredRecords).toBeGreaterThanOrEqual(150);
    } finally {
      await pipeline.stop();
    }
  });

  it('aws: refuses a gateway, a missing role and missing guard flags, every reason at once, before anything starts', async () => {
    const error = await startPipeline({ scenario: scenario(), target: 'aws', gateway: true }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message.split('\n')).toEqual([
      'aws target refused:',
      '  --confirm-aws is required: the aws target creates billed resources in the account of your default AWS credentials',
      '  --max-cost-usd N is required: the run is refused when the simulator estimates it above N',
      '  --firehose-role-arn ARN is required: the IAM role Firehose assumes to write to the bucket (ingestlab creates no IAM role; see docs/pipeline.md)',
      '  the quota gateway cannot stand in front of aws: AWS enforces its own limits',
    ]);
  });

  it('aws: every name carries the run prefix, the week tables too, each tagged; stop() drains, then removes them all', async () => {
    const s = scenario();
    const runId = 'rpipetest1';
    const p = `ingestlab-${runId}-`;
    const tablesBefore = new Set((await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames);
    const pipeline = await startPipeline({
      ...common,
      scenario: s,
      target: 'aws',
      confirmAws: true,
      maxCostUsd: estimateScenarioCostUsd(s) * 2 + 0.01,
      firehoseRoleArn: 'arn:aws:iam::123456789012:role/ingestlab-test-firehose',
      awsTarget: { runId, testEndpoint: { endpoint: embedded.endpoint, credentials: { ...EMULATOR_CREDENTIALS } } },
    });
    const weekNow = `${p}${tableNameFor(Date.now(), 'week')}`;
    const expectedTables = [...new Set([`${p}events_2026_W02`, `${p}events_2026_W03`, weekNow, `${p}leases`, `${p}schemas`])].sort();
    let stopped = false;
    try {
      expect(pipeline.target.name).toBe('aws');
      expect(pipeline.gateway).toBeUndefined();
      expect(pipeline.names).toEqual({
        stream: `${p}events`,
        deliveryStream: `${p}events-to-s3`,
        bucket: `${p}events`,
        firehosePrefix: 'events/',
        leaseTable: `${p}leases`,
        schemaTable: `${p}schemas`,
        eventTablePrefix: p,
      });
      await postTwoWeeks(pipeline.apiUrl, pipeline.tenants);
      await waitFor('150 stored', () => pipeline.processor!.counters.stored >= 150);
      await waitFor('150 delivered to S3', async () => (await auditPipeline({ aws: pipeline.aws, names: pipeline.names })).delivered === 150);
      const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
      expect(audit).toMatchObject({ accepted: 150, stored: 150, storedTwice: 0, delivered: 150, ok: true });
      expect(audit.tables.sort()).toEqual([`${p}events_2026_W02`, `${p}events_2026_W03`, weekNow].filter((t, i, all) => all.indexOf(t) === i).sort());

      // Every table this run made carries the prefix (none without it), and the run tag; the stream too.
      const tables = (await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames!.filter((t) => !tablesBefore.has(t)).sort();
      expect(tables).toEqual(expectedTables);
      for (const table of tables) {
        const arn = (await upstream.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!.TableArn!;
        expect((await upstream.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags, table).toEqual([{ Key: RUN_TAG, Value: runId }]);
      }
      expect((await upstream.kinesis.send(new ListTagsForStreamCommand({ StreamName: `${p}events` }))).Tags).toEqual([{ Key: RUN_TAG, Value: runId }]);

      await pipeline.stop();
      stopped = true;
      expect(pipeline.processorCounters()).toMatchObject({ recordsRead: 150, stored: 150, delivered: 150 });
      const cleanup = pipeline.target.cleanup!;
      expect(cleanup).toMatchObject({ streams: [`${p}events`], tables: expectedTables, deliveryStreams: [`${p}events-to-s3`], buckets: [`${p}events`], failed: [] });
      // 150 events in at least one Firehose object, plus none dead-lettered: the bucket was emptied first.
      expect(cleanup.objects).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 50));
      const left = [
        ...((await upstream.kinesis.send(new ListStreamsCommand({}))).StreamNames ?? []),
        ...((await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []),
        ...((await upstream.firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames ?? []),
        ...((await upstream.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!),
      ];
      expect(left.filter((n) => n.includes(runId))).toEqual([]);
    } finally {
      if (!stopped) await pipeline.stop();
    }
  });
});

describe('pipeline up --target aws through the real CLI', () => {
  it('exits 2 naming every missing flag, before it looks at anything else', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['cli/bin.mjs', 'pipeline', 'up', '--target', 'aws'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('aws target refused:');
    for (const flag of ['--confirm-aws is required', '--max-cost-usd N is required', '--firehose-role-arn ARN is required']) expect(run.stderr).toContain(flag);
  });
});
