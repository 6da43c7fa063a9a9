/**
 * startPipeline on the localstack and aws targets, end to end, against the embedded edge (no LocalStack, no AWS account
 * here): the localstack target's own edge (with the quota gateway in front) forwards to the embedded one; the aws
 * target reaches it only through its test-only `testEndpoint`. And `pipeline up --target aws` through the real CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { runPipelineUp } from '../../cli/pipeline-command.ts';
import { ListStreamsCommand, ListTagsForStreamCommand } from '@aws-sdk/client-kinesis';
import { DescribeTableCommand, ListTablesCommand, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { scenarioSchema, type Scenario } from '../../scenarios/schema.ts';
import { UsageError } from '../../sim/errors.ts';
import { auditPipeline } from '../audit/audit-pipeline.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { RUN_TAG } from '../cleanup.ts';
import { startPipeline, type RunningPipeline } from '../run-pipeline.ts';
import { periodStart, tableNameFor } from '../storage/event-tables.ts';
import { postEvents, waitFor } from '../../test/pipeline-helpers.ts';
import { estimateScenarioCostUsd, startTarget, type EmbeddedTarget } from './index.ts';
import { EMULATOR_CREDENTIALS } from './target.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Monday 5 January 2026 10:00 UTC: ISO week 2. */
const T0 = Date.UTC(2026, 0, 5, 10);
/** Sunday 11 January 23:59:00 UTC: the last minute of week 2; a second later each, 60 events stay in week 2. */
const SUNDAY_LATE = Date.UTC(2026, 0, 11, 23, 59, 0);

/** Two tenants, two shards, on-demand tables, no scaling policy; createAhead 0 so only the current week's table is made ahead. */
const SCENARIO_YAML = `name: targets-test
duration: 60s
tenants:
  - { name: tenant, count: 2, rate: 5, batchSize: 10 }
kinesis: { shards: 2, partitionKey: tenant-timestamp }
lambda: { batchSize: 100, parallelizationFactor: 1 }
dynamodb: { mode: on-demand, createAhead: 0s }
firehose: { bufferSeconds: 1s, bufferMb: 1 }
`;

function scenario(): Scenario {
  return scenarioSchema.parse(parseYaml(SCENARIO_YAML));
}

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

const common = { firehoseBufferSeconds: 1, tenantLimit: 'none' as const, retentionSeconds: 20 * 365 * 86_400, processor: { pollIntervalMs: 50 } };

/**
 * 100 events of tenant-1 from `sundayLate` a second apart (60 in that week, 40 in the next) and 50 of tenant-2 at `t0`
 * (default: Sunday 11 January 2026 23:59:00 UTC and Monday 5 January 10:00, weeks 2 and 3).
 */
async function postTwoWeeks(apiUrl: string, tenants: Array<{ id: string; apiKey: string }>, sundayLate = SUNDAY_LATE, t0 = T0): Promise<void> {
  const a = Array.from({ length: 100 }, (_, i) => ({ id: `a-${i}`, timestamp: sundayLate + i * 1000, seq: i }));
  const b = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, timestamp: t0 + i, seq: i, data: 'x' }));
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

  it('aws, through `pipeline up`: every name carries the run prefix, the week tables too, each tagged; Ctrl-C drains, then removes them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingestlab-aws-target-'));
    const scenarioFile = join(dir, 'targets-test.yaml');
    writeFileSync(scenarioFile, SCENARIO_YAML);
    const s = scenario();
    const tablesBefore = new Set((await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames);
    let release!: () => void;
    const until = new Promise<void>((r) => (release = r));
    let pipeline: RunningPipeline<'aws'> | undefined;
    const out = capture();
    const err = capture();
    const up = runPipelineUp(
      {
        scenario: scenarioFile,
        target: 'aws',
        confirmAws: true,
        maxCostUsd: String(estimateScenarioCostUsd(s) * 2 + 0.01),
        firehoseRoleArn: 'arn:aws:iam::123456789012:role/ingestlab-test-firehose',
        keysFile: join(dir, 'keys.json'),
        stateFile: join(dir, 'state.json'),
        tenantLimit: 'none',
        processorThread: false,
      },
      {
        out: out.stream,
        err: err.stream,
        until,
        onUp: (p) => (pipeline = p as unknown as RunningPipeline<'aws'>),
        awsTestEndpoint: { endpoint: embedded.endpoint, credentials: { ...EMULATOR_CREDENTIALS } },
      },
    );
    // A refusal or failure at start rejects `up`: fail with its error rather than a timeout.
    await Promise.race([waitFor('pipeline up', () => pipeline !== undefined, 30_000), up.then(() => {
      if (!pipeline) throw new Error('pipeline up ended before it was up');
    })]);
    const runId = pipeline!.target.runId;
    const p = `ingestlab-${runId}-`;
    // Events of last week and this one: `pipeline up` keeps tables a year, so fixed dates would age off some day.
    const monday = periodStart(Date.now(), 'week');
    const weekTables = [`${p}${tableNameFor(monday - 1, 'week')}`, `${p}${tableNameFor(monday, 'week')}`].sort();
    const expectedTables = [...weekTables, `${p}leases`, `${p}schemas`].sort();
    try {
      expect(err.text()).toContain(`aws run ${runId}: provisioning; if this process is killed, remove what it made with \`npm run pipeline -- cleanup --target aws --run-id ${runId}\``);
      expect(out.text()).toContain(`pipeline up: scenario targets-test, target aws (run ${runId}, region us-east-1, simulator's estimate $`);
      expect(out.text()).toContain(`every name starts ${p} and is tagged ${RUN_TAG}=${runId}`);
      expect(pipeline!.gateway).toBeUndefined();
      expect(pipeline!.names).toEqual({
        stream: `${p}events`,
        deliveryStream: `${p}events-to-s3`,
        bucket: `${p}events`,
        firehosePrefix: 'events/',
        leaseTable: `${p}leases`,
        schemaTable: `${p}schemas`,
        eventTablePrefix: p,
      });
      await postTwoWeeks(pipeline!.apiUrl, pipeline!.tenants, monday - 60_000, monday - 2 * 86_400_000);
      await waitFor('150 stored', () => pipeline!.processorCounters()!.stored >= 150);
      await waitFor('150 delivered to S3', async () => (await auditPipeline({ aws: pipeline!.aws, names: pipeline!.names })).delivered === 150);
      const audit = await auditPipeline({ aws: pipeline!.aws, names: pipeline!.names, api: pipeline!.api.counters });
      expect(audit).toMatchObject({ accepted: 150, stored: 150, storedTwice: 0, delivered: 150, ok: true });
      expect(audit.tables.sort()).toEqual(weekTables);

      // Every table this run made carries the prefix (none without it), and the run tag; the stream too.
      const tables = (await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames!.filter((t) => !tablesBefore.has(t)).sort();
      expect(tables).toEqual(expectedTables);
      for (const table of tables) {
        const arn = (await upstream.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!.TableArn!;
        expect((await upstream.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags, table).toEqual([{ Key: RUN_TAG, Value: runId }]);
      }
      expect((await upstream.kinesis.send(new ListTagsForStreamCommand({ StreamName: `${p}events` }))).Tags).toEqual([{ Key: RUN_TAG, Value: runId }]);
    } finally {
      release();
      await up;
    }
    expect(pipeline!.processorCounters()).toMatchObject({ recordsRead: 150, stored: 150, delivered: 150 });
    const cleanup = pipeline!.target.cleanup!;
    expect(cleanup).toMatchObject({ streams: [`${p}events`], tables: expectedTables, deliveryStreams: [`${p}events-to-s3`], buckets: [`${p}events`], failed: [] });
    expect(cleanup.objects).toBeGreaterThanOrEqual(1);
    expect(out.text()).toContain(
      [`removed stream ${p}events`, ...expectedTables.map((t) => `removed table ${t}`), `removed delivery stream ${p}events-to-s3`, `removed bucket ${p}events`].join('\n'),
    );
    await new Promise((r) => setTimeout(r, 50));
    const left = [
      ...((await upstream.kinesis.send(new ListStreamsCommand({}))).StreamNames ?? []),
      ...((await upstream.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []),
      ...((await upstream.firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames ?? []),
      ...((await upstream.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!),
    ];
    expect(left.filter((n) => n.includes(runId))).toEqual([]);
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
