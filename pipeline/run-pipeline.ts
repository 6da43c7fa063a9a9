/**
 * The real pipeline from a scenario, in one call: start the target, provision the stream, bucket, delivery stream,
 * lease and schema tables and the scenario's tenants, then start the ingest API and the stream processor. `stop()`
 * drains in order: the API stops accepting (and finishes what it took), the processor reads every shard to its tip and
 * checkpoints, the target stops (our Firehose flushes its buffers to S3 first), so nothing accepted is left behind.
 */
import type { Scenario } from '../scenarios/schema.ts';
import { createAwsClients, type AwsClients } from './aws-clients.ts';
import type { EdgeMiddleware } from './edge/edge-types.ts';
import { createQuotaGateway, type QuotaGateway, type QuotaGatewayOptions } from './gateway/quota-gateway.ts';
import { startAutoscaler, type AutoscalerRunner } from './autoscaler.ts';
import type { ScalingPolicy } from '../sim/policies/policy.ts';
import { startIngestApi, type IngestApi } from './ingest/ingest-api.ts';
import { newApiKey } from './ingest/tenant-keys.ts';
import { StreamProcessor, type ProcessorCounters, type ProcessorOptions } from './processor/stream-processor.ts';
import { startProcessorThread, type ProcessorThread } from './processor/processor-thread.ts';
import { createBucket, createDeliveryStream, createStream, DEFAULT_NAMES, type PipelineNames } from './storage/provision.ts';
import { SchemaStore, type TenantSchema } from './storage/schema-store.ts';
import type { EmbeddedOptions } from './targets/embedded.ts';
import { awsGuardProblems, startTarget, type AwsTarget, type AwsTargetOptions, type LocalStackOptions, type TargetByName } from './targets/index.ts';
import type { TargetName } from './targets/target.ts';
import { UsageError } from '../sim/errors.ts';

/** Tenants provisioned at most, by default: enough for every bundled scenario's shape, few enough to list. */
export const DEFAULT_MAX_TENANTS = 100;
/** The seed's API Gateway usage plan: 200 events/s per tenant, when the scenario sets no `apiGateway.tenantLimit`. */
export const SEED_TENANT_LIMIT = 200;
/** Tables are kept this long after their period ends unless told otherwise (the seed ages tables off; a year here). */
export const DEFAULT_RETENTION_SECONDS = 365 * 86_400;

/**
 * The schema a scenario's tenants get: the load generator's fields (`seq` a number, `data` a string), none required,
 * other fields allowed. A tenant's schema can be replaced in the schema table at any time.
 */
export const DEFAULT_TENANT_SCHEMA: TenantSchema = { fields: { seq: { type: 'number' }, data: { type: 'string' } }, additionalFields: true };

export interface PipelineTenant {
  id: string;
  apiKey: string;
  eventsPerSecond: number;
}

export interface PipelineOptions<N extends TargetName = TargetName> {
  scenario: Scenario;
  /**
   * Where it runs (default embedded). The gateway, `middleware` and `backends` stand in front of embedded and
   * localstack, never of aws (AWS enforces its own limits).
   */
  target?: N;
  /** localstack: LocalStack's edge URL (default http://localhost:4566). */
  endpoint?: string;
  /** aws: `--confirm-aws` and `--max-cost-usd` (targets/aws.ts refuses without them). */
  confirmAws?: boolean;
  maxCostUsd?: number;
  /** aws: the IAM role Firehose assumes to write to the bucket; required there (ingestlab creates no IAM role). */
  firehoseRoleArn?: string;
  /** The region (default the scenario's). */
  region?: string;
  /** More for the localstack target (`firehose: 'ours'`, health timeout). */
  localstack?: Pick<LocalStackOptions, 'firehose' | 'firehoseOptions' | 'healthTimeoutMs'>;
  /** More for the aws target: a run id to reuse; `testEndpoint` in tests only. */
  awsTarget?: Pick<AwsTargetOptions, 'runId' | 'testEndpoint'>;
  /** The edge port (0 = a free one). */
  port?: number;
  /** The ingest API's port (0 = a free one). */
  apiPort?: number;
  dataDir?: string;
  /**
   * The quota gateway (AWS limits from the simulator's models, CloudWatch metrics, the scenario's `faults:`) in front of
   * the emulators: `true` or its options (clock, timeScale, weight). Off when absent.
   */
  gateway?: QuotaGatewayOptions | boolean;
  /**
   * With the gateway on: run the scenario's `kinesis.autoscaler` and `dynamodb.autoscaling` policies on its metrics
   * (pipeline/autoscaler.ts; default true). `resolvePolicy` finds user policy modules (loadScenario's).
   */
  autoscale?: boolean;
  resolvePolicy?: (name: string) => ScalingPolicy<any, any> | undefined;
  /** More middleware for the embedded edge, after the gateway's. */
  middleware?: EdgeMiddleware[];
  backends?: EmbeddedOptions['backends'];
  /** Anything else for startEmbedded (Firehose clock, reshard options). */
  embedded?: Omit<EmbeddedOptions, 'port' | 'dataDir' | 'middleware' | 'backends' | 'region'>;
  maxTenants?: number;
  /** Events/s per tenant; default: the scenario's `apiGateway.tenantLimit`, or the seed's 200 if it says `none`. */
  tenantLimit?: number | 'none';
  /** Overrides the scenario's `firehose.bufferSeconds` (tests, benches). */
  firehoseBufferSeconds?: number;
  retentionSeconds?: number;
  /** Per-tenant schemas to store instead of DEFAULT_TENANT_SCHEMA (`null`: store none, any fields go). */
  schemas?: Record<string, TenantSchema | null>;
  /** Run the processor in a worker thread (an event loop, and a core when free, of its own) instead of this one. */
  processorThread?: boolean;
  /** Processor knobs; `false` starts no processor here (a test runs it in a child process). */
  processor?: Partial<Pick<ProcessorOptions, 'pollIntervalMs' | 'getRecordsIntervalMs' | 'shardSyncMs' | 'maintainMs' | 'schemaTtlMs' | 'now'>> | false;
  /** Producer retries (default: the scenario's `producer:`). */
  producer?: { maxRetries?: number; baseMs?: number; maxMs?: number };
}

export interface RunningPipeline<N extends TargetName = 'embedded'> {
  apiUrl: string;
  /** Where the AWS clients point; '' on aws (the SDK's own endpoints). */
  edgeUrl: string;
  region: string;
  names: PipelineNames;
  tenants: PipelineTenant[];
  /** Tenants the scenario has; more than `tenants.length` when capped. */
  scenarioTenants: number;
  tenantLimit: number | 'none';
  target: TargetByName[N];
  /** Where the target will not behave as AWS does, or what it leaves to the user (printed at start). */
  warnings: string[];
  /** The quota gateway, when `gateway` was set: its counters, clock and metrics. */
  gateway: QuotaGateway | undefined;
  /** The autoscaler runner, when the gateway is on and the scenario names a policy: its actions and errors. */
  autoscaler: AutoscalerRunner | undefined;
  aws: AwsClients;
  api: IngestApi;
  /** The processor when it runs in this thread (absent with `processorThread` or `processor: false`). */
  processor: StreamProcessor | undefined;
  /** The processor when it runs in a worker thread. */
  processorThread: ProcessorThread | undefined;
  /** The processor's counters, wherever it runs (undefined when none was started). */
  processorCounters(): ProcessorCounters | undefined;
  /** The processor's options, to run it elsewhere (a child process) against the same pipeline. */
  processorOptions: Omit<ProcessorOptions, 'aws'>;
  /** Drains and stops everything (idempotent). */
  stop(): Promise<void>;
}

/** The scenario's tenants as the load generator names them (`<group>-<n>`, n from 1), capped at `max` with every group kept. */
export function scenarioTenants(scenario: Scenario, max: number): { tenants: Array<{ id: string; eventsPerSecond: number }>; total: number } {
  const total = scenario.tenants.reduce((n, g) => n + g.count, 0);
  const tenants: Array<{ id: string; eventsPerSecond: number }> = [];
  for (const g of scenario.tenants) {
    const take = total <= max ? g.count : Math.max(1, Math.floor((g.count * max) / total));
    const rate = g.rate ?? g.stages?.[0]?.target ?? 0;
    for (let j = 1; j <= Math.min(take, g.count); j++) tenants.push({ id: `${g.name}-${j}`, eventsPerSecond: rate });
  }
  return { tenants, total };
}

/** Why the aws target refuses these options, every reason at once (none: an empty list); the cost estimate comes later. */
export function awsProblems(options: Omit<PipelineOptions, 'scenario'>): string[] {
  const problems = awsGuardProblems(options);
  if (!options.firehoseRoleArn) {
    problems.push('--firehose-role-arn ARN is required: the IAM role Firehose assumes to write to the bucket (ingestlab creates no IAM role; see docs/pipeline.md)');
  }
  const front = [options.gateway && 'the quota gateway', options.middleware?.length && 'edge middleware', options.backends && Object.keys(options.backends).length && 'edge backends'].filter(Boolean);
  if (front.length > 0) problems.push(`${front.join(', ')} cannot stand in front of aws: AWS enforces its own limits`);
  if (options.dataDir) problems.push('--data-dir is for the embedded target');
  return problems;
}

export async function startPipeline<N extends TargetName = 'embedded'>(options: PipelineOptions<N>): Promise<RunningPipeline<N>> {
  const { scenario } = options;
  const targetName: TargetName = options.target ?? 'embedded';
  if (targetName === 'aws') {
    const problems = awsProblems(options);
    if (problems.length > 0) throw new UsageError(`aws target refused:\n  ${problems.join('\n  ')}`);
  } else if (targetName !== 'embedded' && targetName !== 'localstack') {
    throw new UsageError(`--target ${String(targetName)}: expected embedded, localstack or aws`);
  }
  const region = options.region ?? scenario.region;
  const gateway = options.gateway && targetName !== 'aws' ? createQuotaGateway(scenario, options.gateway === true ? {} : options.gateway) : undefined;
  const middleware = [...(gateway?.middleware ?? []), ...(options.middleware ?? [])];
  const backends = { ...gateway?.backends, ...options.backends };
  const front = { ...(middleware.length > 0 ? { middleware } : {}), ...(Object.keys(backends).length > 0 ? { backends } : {}) };
  const port = options.port !== undefined ? { port: options.port } : {};
  const started =
    targetName === 'aws'
      ? startTarget('aws', {
          ...options.awsTarget,
          scenario,
          region,
          ...(options.confirmAws ? { confirmAws: true } : {}),
          ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
          ...(options.resolvePolicy ? { resolvePolicy: options.resolvePolicy } : {}),
        })
      : targetName === 'localstack'
        ? startTarget('localstack', { ...options.localstack, region, ...port, ...front, ...(options.endpoint ? { endpoint: options.endpoint } : {}) })
        : startTarget('embedded', {
            ...options.embedded,
            // UpdateShardCount's calls per rolling 24 h count in scenario time when the gateway is on: at timeScale 1000
            // a scenario day is 86.4 wall seconds, and the gateway lets the 11th call through after it.
            ...(gateway ? { kinesis: { nowSeconds: () => gateway.clock.now(), ...options.embedded?.kinesis } } : {}),
            region,
            ...port,
            ...front,
            ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          });
  const target = await started.catch((error) => {
    gateway?.close();
    throw error;
  });
  const onAws = target.name === 'aws' ? (target as AwsTarget) : undefined;
  // On aws every name carries the run prefix (clean-up finds them by it), the week tables' too.
  const names: PipelineNames = onAws
    ? {
        ...DEFAULT_NAMES,
        stream: onAws.resourceName(DEFAULT_NAMES.stream),
        deliveryStream: onAws.resourceName(DEFAULT_NAMES.deliveryStream),
        bucket: onAws.resourceName(DEFAULT_NAMES.bucket),
        leaseTable: onAws.resourceName(DEFAULT_NAMES.leaseTable),
        schemaTable: onAws.resourceName(DEFAULT_NAMES.schemaTable),
        eventTablePrefix: onAws.resourceName(''),
      }
    : DEFAULT_NAMES;
  const firehoseEndpoint = 'firehose' in target ? target.firehose : undefined;
  const warnings = [...('warnings' in target ? target.warnings : [])];
  if (onAws && (scenario.kinesis.autoscaler !== 'none' || scenario.dynamodb.autoscaling !== 'none')) {
    warnings.push("the scenario's scaling policies do not run on aws yet (the autoscaler runner reads the quota gateway's clock); shards and capacity stay as provisioned");
  }
  const aws = createAwsClients(target, { maxSockets: 128 });
  let api: IngestApi | undefined;
  let processor: StreamProcessor | undefined;
  let thread: ProcessorThread | undefined;
  let autoscaler: AutoscalerRunner | undefined;
  try {
    await createStream(aws.kinesis, names.stream, scenario.kinesis.shards);
    await createBucket(aws.s3, names.bucket, onAws ? region : undefined);
    await createDeliveryStream(
      aws.firehose,
      names,
      { bufferSeconds: options.firehoseBufferSeconds ?? scenario.firehose.bufferSeconds, bufferMb: scenario.firehose.bufferMb },
      ...(onAws ? [options.firehoseRoleArn] : []),
    );
    const schemas = new SchemaStore(aws.dynamodb, undefined, names.schemaTable);
    await schemas.createTable();
    await onAws?.tagResources({ streams: [names.stream], buckets: [names.bucket], deliveryStreams: [names.deliveryStream], tables: [names.schemaTable] });

    const { tenants: ids, total } = scenarioTenants(scenario, options.maxTenants ?? DEFAULT_MAX_TENANTS);
    const tenants = ids.map((t) => ({ ...t, apiKey: newApiKey() }));
    for (const t of tenants) {
      const schema = options.schemas && t.id in options.schemas ? options.schemas[t.id] : DEFAULT_TENANT_SCHEMA;
      if (schema) await schemas.put(t.id, schema);
    }
    for (const [tenant, schema] of Object.entries(options.schemas ?? {})) {
      if (schema && !tenants.some((t) => t.id === tenant)) await schemas.put(tenant, schema);
    }

    const limit = options.tenantLimit ?? (scenario.apiGateway.tenantLimit === 'none' ? SEED_TENANT_LIMIT : scenario.apiGateway.tenantLimit);
    const processorOptions: Omit<ProcessorOptions, 'aws'> = {
      streamName: names.stream,
      deliveryStream: names.deliveryStream,
      bucket: names.bucket,
      lambda: scenario.lambda,
      leaseTable: names.leaseTable,
      schemaTable: names.schemaTable,
      tables: {
        tablePer: scenario.dynamodb.tablePer,
        mode: scenario.dynamodb.mode,
        writeCapacity: scenario.dynamodb.writeCapacity,
        readCapacity: scenario.dynamodb.readCapacity,
        createAheadSeconds: scenario.dynamodb.createAhead,
        retentionSeconds: options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
        ...(names.eventTablePrefix ? { tablePrefix: names.eventTablePrefix } : {}),
        ...(onAws ? { tags: onAws.tags } : {}),
      },
      ...(options.processor || {}),
    };
    if (options.processor !== false && options.processorThread) {
      const { now: _now, ...serializable } = processorOptions;
      const endpoints = { region: target.region, ...(target.endpoint ? { endpoint: target.endpoint } : {}), ...(target.credentials ? { credentials: target.credentials } : {}) };
      thread = await startProcessorThread({ target: endpoints, processor: serializable });
    } else if (options.processor !== false) {
      processor = new StreamProcessor({ ...processorOptions, aws });
      await processor.start();
    }
    // The processor created the lease table (and this period's event table, tagged as it was created).
    if (options.processor !== false) await onAws?.tagResources({ tables: [names.leaseTable] });
    const processorCounters = () => processor?.counters ?? thread?.counters;
    // The API's PutRecords backoff is the scenario's, in scenario time: a run compressed K× waits K× less wall time,
    // so a throttled record is retried as many scenario seconds later as the simulator retries it.
    const timeScale = gateway?.clock.timeScale ?? 1;
    const producer = { maxRetries: scenario.producer.maxRetries, baseMs: scenario.producer.backoffBaseMs / timeScale, maxMs: scenario.producer.backoffMaxMs / timeScale, ...options.producer };
    api = await startIngestApi({
      kinesis: aws.kinesis,
      streamName: names.stream,
      tenants,
      partitionKey: scenario.kinesis.partitionKey,
      producer,
      tenantLimit: limit === 'none' ? 'none' : { rate: limit, ...(scenario.apiGateway.tenantBurst ? { burst: scenario.apiGateway.tenantBurst } : {}) },
      maxPayloadBytes: scenario.apiGateway.maxPayloadBytes,
      ...(options.apiPort !== undefined ? { port: options.apiPort } : {}),
      status: () => ({
        processor: processorCounters() ?? null,
        firehose: firehoseEndpoint?.totals() ?? null,
      }),
    });

    const policies = scenario.kinesis.autoscaler !== 'none' || scenario.dynamodb.autoscaling !== 'none';
    autoscaler =
      gateway && policies && options.autoscale !== false
        ? startAutoscaler({ scenario, clients: aws, clock: gateway.clock, stream: names.stream, ...(options.resolvePolicy ? { resolvePolicy: options.resolvePolicy } : {}) })
        : undefined;
    let stopping: Promise<void> | undefined;
    const running: RunningPipeline<N> = {
      apiUrl: api.url,
      edgeUrl: target.endpoint ?? '',
      region: target.region,
      names,
      tenants,
      scenarioTenants: total,
      tenantLimit: limit,
      target: target as TargetByName[N],
      warnings,
      gateway,
      autoscaler,
      aws,
      api,
      processor,
      processorThread: thread,
      processorCounters,
      processorOptions,
      stop: () =>
        (stopping ??= (async () => {
          await autoscaler?.stop();
          await api!.close();
          await processor?.stop();
          await thread?.stop();
          aws.destroy();
          await target.stop();
          gateway?.close();
        })()),
    };
    return running;
  } catch (error) {
    await autoscaler?.stop();
    await api?.close().catch(() => undefined);
    await processor?.abort().catch(() => undefined);
    await thread?.abort().catch(() => undefined);
    aws.destroy();
    await target.stop();
    gateway?.close();
    throw error;
  }
}
