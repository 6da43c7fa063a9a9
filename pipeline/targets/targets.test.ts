import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServer as createHttpServer } from 'node:http';
import { CreateStreamCommand, DescribeStreamSummaryCommand, ListStreamsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, ListDeliveryStreamsCommand, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { loadScenario, resolveScenarioPath } from '../../scenarios/load.ts';
import { UsageError } from '../../sim/errors.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { cleanupRuns, RUN_TAG, runPrefix, tagRunResources } from '../cleanup.ts';
import { runCleanupCommand } from '../cleanup-command.ts';
import type { EdgeMiddleware } from '../edge/edge-types.ts';
import { DEFAULT_LOCALSTACK_ENDPOINT, estimateScenarioCostUsd, startTarget, TargetUnavailableError, type EmbeddedTarget } from './index.ts';

const sinkDestination = (bucket: string, prefix: string) => ({
  RoleARN: 'arn:aws:iam::000000000000:role/firehose',
  BucketARN: `arn:aws:s3:::${bucket}`,
  Prefix: prefix,
  BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not ACTIVE within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The smoke every target passes: a stream takes records, a table an item, a bucket an object, Firehose a batch. */
async function smoke(aws: AwsClients, name: string) {
  await aws.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  // LocalStack's kinesis-mock keeps a new stream CREATING for KINESIS_LATENCY (500 ms in docker-compose.yml).
  await until(async () => (await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
  const put = await aws.kinesis.send(new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'a', Data: Buffer.from('x') }] }));
  expect(put.FailedRecordCount).toBe(0);
  await aws.dynamodb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await aws.dynamodb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' } } }));
  expect((await aws.dynamodb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: 'k' } } }))).Item?.pk?.S).toBe('k');
  await aws.s3.send(new CreateBucketCommand({ Bucket: name }));
  await aws.s3.send(new PutObjectCommand({ Bucket: name, Key: 'o', Body: 'body' }));
  expect(await (await aws.s3.send(new GetObjectCommand({ Bucket: name, Key: 'o' }))).Body?.transformToString()).toBe('body');
  await aws.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: sinkDestination(name, 'fh/') }));
  await until(async () => (await aws.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }))).DeliveryStreamDescription?.DeliveryStreamStatus === 'ACTIVE');
  const batch = await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: [{ Data: Buffer.from('r1\n') }, { Data: Buffer.from('r2\n') }] }));
  expect(batch.FailedPutCount).toBe(0);
}

describe('localstack target: its code path against the embedded edge', () => {
  let embedded: EmbeddedTarget;
  beforeAll(async () => {
    embedded = await startTarget('embedded', {});
  });
  afterAll(async () => {
    await embedded?.stop();
  });

  it('runs its own edge with the middleware in front and forwards every service to --endpoint', async () => {
    const seen: string[] = [];
    const watch: EdgeMiddleware = async (req, next) => {
      seen.push(req.service);
      return next(req);
    };
    const target = await startTarget('localstack', { endpoint: embedded.endpoint, middleware: [watch] });
    const aws = createAwsClients(target);
    try {
      expect(target.endpoint).not.toBe(embedded.endpoint);
      expect(target.health.services).toMatchObject({ kinesis: 'running', dynamodb: 'running', firehose: 'running', s3: 'running' });
      expect(target.warnings).toHaveLength(1);
      expect(target.warnings[0]).toMatch(/^LocalStack's Firehose ignores BufferingHints/);
      await smoke(aws, 'via-localstack-path');
      expect(new Set(seen)).toEqual(new Set(['kinesis', 'dynamodb', 's3', 'firehose']));
      // The records reached the emulators behind the embedded edge, Firehose's too (IntervalInSeconds 0).
      const counts = embedded.firehose!.counts()['via-localstack-path']!;
      await expect.poll(() => counts.deliveredRecords).toBe(2);
      const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: 'via-localstack-path', Prefix: 'fh/' }));
      expect(listed.Contents).toHaveLength(1);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });

  it("with firehose: 'ours' our endpoint buffers on the local edge and writes to the upstream's S3", async () => {
    const target = await startTarget('localstack', { endpoint: embedded.endpoint, firehose: 'ours' });
    const aws = createAwsClients(target);
    try {
      expect(target.warnings).toEqual([]);
      await aws.s3.send(new CreateBucketCommand({ Bucket: 'ours' }));
      await aws.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'ours', ExtendedS3DestinationConfiguration: sinkDestination('ours', 'x/') }));
      await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'ours', Records: [{ Data: Buffer.from('a') }] }));
      await expect.poll(() => target.firehose!.totals().deliveredRecords).toBe(1);
      expect(embedded.firehose!.counts()['ours']).toBeUndefined();
      expect((await aws.s3.send(new ListObjectsV2Command({ Bucket: 'ours' }))).Contents).toHaveLength(1);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });

  it('fails at start naming the services a LocalStack does not run', async () => {
    const partial = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services: { kinesis: 'running', dynamodb: 'available', s3: 'running', firehose: 'disabled' }, edition: 'community', version: '4.4.0' }));
    });
    await new Promise<void>((resolve) => partial.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(partial.address() as AddressInfo).port}`;
    try {
      const error = await startTarget('localstack', { endpoint }).then(() => undefined, (e: Error) => e);
      expect(error).toBeInstanceOf(TargetUnavailableError);
      expect(error!.message).toMatch(new RegExp(`^LocalStack at ${endpoint} does not offer firehose \\(health: .*"firehose":"disabled".*\\); check SERVICES in docker-compose.yml$`));
    } finally {
      await new Promise((resolve) => partial.close(resolve));
    }
  });

  it('fails at start with a clear message when nothing answers at --endpoint', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const error = await startTarget('localstack', { endpoint: `http://127.0.0.1:${closed}`, healthTimeoutMs: 1_000 }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toBe(`nothing answers at http://127.0.0.1:${closed} (ECONNREFUSED): start LocalStack with \`docker compose up -d\` from the repository root, or pass --endpoint`);
  });
});

describe('localstack target against a live LocalStack on localhost:4566', () => {
  let skipReason: string | undefined;
  beforeAll(async () => {
    skipReason = await fetch(new URL('/_localstack/health', DEFAULT_LOCALSTACK_ENDPOINT), { signal: AbortSignal.timeout(1_000) }).then(
      (r) => (r.ok ? undefined : `${DEFAULT_LOCALSTACK_ENDPOINT}/_localstack/health answered ${r.status}`),
      (e: Error) => `no LocalStack answers at ${DEFAULT_LOCALSTACK_ENDPOINT} (${(e as Error & { cause?: { code?: string } }).cause?.code ?? e.message}); start one with \`docker compose up -d\``,
    );
    if (skipReason) console.warn(`[skipped] live LocalStack smoke: ${skipReason}`);
  });

  it('passes the same smoke test', async (context) => {
    // Skipped, with the reason printed, wherever no LocalStack answers (no Docker engine on this machine or in CI);
    // the same code path runs above against the embedded edge, which speaks the same protocols.
    if (skipReason) context.skip(skipReason);
    const target = await startTarget('localstack', {});
    const aws = createAwsClients(target);
    try {
      await smoke(aws, `ingestlab-smoke-${Date.now()}`);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });
});

describe('aws target guard rails', () => {
  it('refuses without --confirm-aws and --max-cost-usd, naming both, before anything runs', async () => {
    const { scenario } = await loadScenario(resolveScenarioPath('steady'));
    const error = await startTarget('aws', { scenario }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toContain('--confirm-aws is required');
    expect(error!.message).toContain('--max-cost-usd N is required');
  });

  it("refuses when the simulator's estimate is above --max-cost-usd, and starts when it is not (nothing is created at start)", async () => {
    const { scenario, resolvePolicy } = await loadScenario(resolveScenarioPath('steady'));
    const estimate = estimateScenarioCostUsd(scenario, resolvePolicy);
    expect(estimate).toBeGreaterThan(0);
    const low = estimate / 2;
    const error = await startTarget('aws', { scenario, resolvePolicy, confirmAws: true, maxCostUsd: low }).then(() => undefined, (e: Error) => e);
    expect(error!.message).toContain(`the simulator estimates this scenario at $${estimate.toFixed(4)}, above --max-cost-usd ${low}`);
    const target = await startTarget('aws', { scenario, resolvePolicy, confirmAws: true, maxCostUsd: estimate * 2, region: 'us-east-1' });
    expect(target.prefix).toMatch(/^ingestlab-r[a-z0-9]{9}-$/);
    expect(target.tags).toEqual({ [RUN_TAG]: target.runId });
    expect(target.estimateUsd).toBe(estimate);
    expect(target.endpoint).toBeUndefined();
    expect(target.resourceName('ingestlab-events')).toBe(`ingestlab-${target.runId}-events`);
    expect(target.resourceName('ingestlab_leases')).toBe(`ingestlab-${target.runId}-leases`);
    expect(target.resourceName('events_2026_W49')).toBe(`ingestlab-${target.runId}-events_2026_W49`);
  });
});

describe('clean-up of aws runs, against the embedded edge', () => {
  let embedded: EmbeddedTarget;
  let aws: AwsClients;
  beforeAll(async () => {
    embedded = await startTarget('embedded', {});
    // The endpoint override exists only here: `pipeline cleanup --target aws` always talks to AWS.
    aws = createAwsClients(embedded);
  });
  afterAll(async () => {
    aws?.destroy();
    await embedded?.stop();
  });

  it("removes prefixed and tagged streams, tables, delivery streams and buckets (emptied first) of one run, and leaves the rest", async () => {
    const run = 'rtestrun01';
    const other = 'rotherrun2';
    const p = runPrefix(run);
    const names = { ours: `${p}events`, otherRun: `${runPrefix(other)}events`, plain: 'ingestlab-events', tagged: 'tagged-only' };
    for (const name of Object.values(names)) {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await aws.dynamodb.send(new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
      await aws.s3.send(new CreateBucketCommand({ Bucket: name }));
      await aws.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: sinkDestination(name, 'fh/') }));
    }
    await new Promise((r) => setTimeout(r, 50));
    await aws.s3.send(new PutObjectCommand({ Bucket: names.ours, Key: 'a', Body: 'a' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: names.ours, Key: 'b/c', Body: 'c' }));
    // A resource of the run whose name lost the prefix is still found by its tag (buckets excepted: names are global).
    await tagRunResources(aws, run, { streams: [names.tagged], tables: [names.tagged], deliveryStreams: [names.tagged] });

    const dry = await cleanupRuns(aws, { runId: run, dryRun: true });
    expect(dry.streams.sort()).toEqual([names.ours, names.tagged].sort());
    expect((await aws.kinesis.send(new ListStreamsCommand({}))).StreamNames).toContain(names.ours);

    const report = await cleanupRuns(aws, { runId: run });
    expect(report).toMatchObject({
      streams: [names.ours, names.tagged].sort(),
      tables: [names.ours, names.tagged].sort(),
      deliveryStreams: [names.ours, names.tagged].sort(),
      buckets: [names.ours],
      objects: 2,
      failed: [],
    });
    await new Promise((r) => setTimeout(r, 50));
    const left = {
      streams: (await aws.kinesis.send(new ListStreamsCommand({}))).StreamNames?.sort(),
      tables: (await aws.dynamodb.send(new ListTablesCommand({}))).TableNames?.sort(),
      deliveryStreams: (await aws.firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames?.sort(),
      buckets: (await aws.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort(),
    };
    const kept = [names.plain, names.otherRun].sort();
    expect(left).toEqual({ streams: kept, tables: kept, deliveryStreams: kept, buckets: [names.plain, names.otherRun, names.tagged].sort() });

    // Without a run id every run's resources go, and still nothing else.
    const all = await cleanupRuns(aws);
    expect(all.streams).toEqual([names.otherRun]);
    expect((await aws.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([names.plain]);
  });
  it('the cleanup command prints what it removed and refuses other targets', async () => {
    const name = `${runPrefix('rcommand01')}events`;
    await aws.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    await new Promise((r) => setTimeout(r, 20));
    let text = '';
    const out = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
    expect(await runCleanupCommand({ target: 'aws', runId: 'rcommand01', dryRun: true }, { aws, out })).toBe(0);
    expect(text).toBe(`would remove stream ${name}\n`);
    text = '';
    expect(await runCleanupCommand({ target: 'aws', runId: 'rcommand01' }, { aws, out })).toBe(0);
    expect(text).toBe(`removed stream ${name}\n`);
    text = '';
    expect(await runCleanupCommand({ target: 'aws', runId: 'rcommand01' }, { aws, out })).toBe(0);
    expect(text).toBe('nothing of an ingestlab run was found\n');
    await expect(runCleanupCommand({ target: 'embedded' }, { aws, out })).rejects.toThrow(UsageError);
    await expect(runCleanupCommand({ target: 'aws', runId: 'bogus' }, { aws, out })).rejects.toThrow('run id "bogus" is not of the form r + 9 of [a-z0-9]');
  });
});
