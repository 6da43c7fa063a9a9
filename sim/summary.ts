/**
 * summary.json: the one result shape both engines produce (design.md). Built once at the end of a run from the
 * models' own counters; reports, the dashboard and `check` read only this and the timeline.
 */
import type { SimulationConfig } from './simulation-config.ts';
import type { ScalingAction } from './autoscaler.ts';
import type { DynamoDbModel } from './dynamodb.ts';
import type { FirehoseModel } from './firehose.ts';
import type { KinesisModel } from './kinesis.ts';
import type { LagTracker } from './lag-tracker.ts';
import type { LatencySummary } from './latency.ts';
import type { CostReport } from './pricing/cost-meter.ts';
import { deliveredEvents, perMillionEvents } from './pricing/cost-meter.ts';
import type { Usage } from './pricing/usage.ts';
import { scenarioWarnings } from './scenario-warnings.ts';
import { citeSources } from './sources.ts';
import type { InFlight, Totals } from './simulation.ts';

export interface LagSummary {
  /** Longest continuous span of offered load above provisioned capacity (s). */
  lagSeconds: number;
  /** Sum of all such spans (s). */
  underProvisionedSeconds: number;
}

export interface Summary {
  scenario: string;
  description: string;
  /** `sim`: the simulator; otherwise the real pipeline it ran on (loadgen/target-summary.ts). */
  target: 'sim' | 'embedded' | 'localstack' | 'aws';
  seed: number;
  region: string;
  durationSeconds: number;
  resolutionSeconds: number;
  /** Simulated time after the scenario until everything accepted was stored and delivered. */
  drainSeconds: number;
  events: {
    offered: number;
    accepted: number;
    rejected: number;
    dropped: number;
    stored: number;
    delivered: number;
    /**
     * Accepted but lost for good: expired from the stream (retention) before DynamoDB stored them or before Firehose
     * took them, whichever is more (the same as `audit.lost`).
     */
    lost: number;
  };
  audit: {
    /**
     * Every event is accounted for, to within one event: offered = accepted + rejected + dropped, and for each sink
     * accepted = reached it + lost on the way + still in flight (`stored`, `delivered`).
     */
    balanced: boolean;
    /** Accepted events lost for good (see `events.lost`); any is a failure. Absent in older files. */
    lost?: number;
    /** accepted = stored + lost + in flight to DynamoDB. Absent in older files. */
    stored?: AuditSide;
    /** accepted = delivered + lost + in flight to S3 (the Firehose buffer included). Absent in older files. */
    delivered?: AuditSide;
    inFlightAtEnd: { kinesisRetries: number; stream: number; firehoseBuffer: number };
    notes: string[];
  };
  apiGateway: {
    type: 'rest' | 'http' | 'alb';
    requests: number;
    rejectedTenantLimit: number;
    rejectedAccountLimit: number;
    rejectedPayload: number;
    /** Events larger than a Kinesis or Firehose record, refused by the ingest API (absent in older files). */
    rejectedRecordSize?: number;
    /** Events the ALB's fleet had no room for (type alb; absent in older files). */
    rejectedFleetCapacity?: number;
    /** Requests/s the ALB's fleet serves (type alb only). */
    fleetRequestsPerSecond?: number;
  };
  /** What read the stream (absent in older files: lambda). */
  processor?: { type: 'lambda' | 'kcl'; instances?: number; recordsPerSecondPerWorker?: number };
  kinesis: {
    mode: 'provisioned' | 'on-demand';
    shardsInitial: number;
    shardsMax: number;
    shardsFinal: number;
    reshards: number;
    throttledRecords: number;
    shardHours: number;
    maxIteratorAgeMs: number;
  };
  lambda: { invocations: number; gbSeconds: number; maxConcurrency: number; /** Absent in older files. */ memoryMb?: number };
  dynamodb: {
    mode: 'provisioned' | 'on-demand';
    throttledRequests: number;
    /** Of `throttledRequests`, refused by a hot key or a partition's capacity (§3.2); absent in older files. */
    partitionThrottledRequests?: number;
    /** Most partitions any table had (absent in older files). */
    partitionsMax?: number;
    writeCapacityMax: number;
    capacityUnitHours: number;
    tables: number;
    tableRefusals: string[];
  };
  firehose: { throttledRecords: number; objects: number; bytes: number };
  /** The read path, when the scenario has queries or the schema store (issue 13 item 9; absent otherwise). */
  queries?: {
    queries: number;
    /** DynamoDB read units served and refused (RCU, or RRU on demand). */
    dynamodbReadUnits: number;
    dynamodbReadThrottled: number;
    s3GetRequests: number;
    s3BytesScanned: number;
    /** Mean Drill time of a query that reads S3 (ms); null when none did. */
    drillMeanMs: number | null;
    schemaReadUnits: number;
    schemaReadThrottled: number;
  };
  latencyMs: LatencySummary;
  ingestLatencyMs: LatencySummary;
  scaling: {
    kinesis: LagSummary & { firstScaleUpAtSeconds: number | null };
    dynamodb: LagSummary;
    actions: ScalingAction[];
  };
  /** Parameters the model needs that AWS does not document (UNCONFIRMED in aws-reference.md) and simplifications. */
  assumptions: Assumption[];
  /**
   * Real runs only: figures the run could not measure. They are NaN in memory and null in summary.json, never a 0
   * (absent in simulator runs and older files).
   */
  notMeasured?: string[];
  /** Parts of the scenario that do nothing in this run (a burst after its end…); absent in older files. */
  warnings?: string[];
  cost: {
    totalUsd: number;
    /**
     * Total cost per million events DELIVERED (stored in DynamoDB and in S3; design.md, Words), not per event
     * offered or accepted: dropping or losing events never makes a run cheaper. Null when nothing was delivered.
     */
    perMillionEventsUsd: number | null;
    byService: Record<string, number>;
    region: string;
    priceDate: string | null;
    lines: CostReport['lines'];
  };
}

/** One sink's side of the audit: accepted = reached + lost + inFlight + difference, where difference should be 0. */
export interface AuditSide {
  /** Events the sink holds (stored in DynamoDB, or delivered to S3). */
  reached: number;
  /** Accepted events that will never reach it. */
  lost: number;
  /** Accepted events still on their way to it when the run ended. */
  inFlight: number;
  /** What does not add up: accepted − (reached + lost + inFlight); within ±1 when balanced. */
  difference: number;
}

/**
 * Why a run's numbers cannot be taken to a review as they are: the audit does not balance, or accepted events were
 * lost. Empty when neither; the CLI exits with `ExitCode.eventsLost` otherwise, and reports say it first.
 */
export function auditFailures(s: Pick<Summary, 'audit' | 'events'> & { target?: Summary['target'] }): string[] {
  const failures: string[] = [];
  if (!s.audit.balanced) failures.push(`the audit does not balance (${s.audit.notes.filter((n) => /differs/.test(n)).join('; ') || 'see the audit notes'})`);
  const lost = s.audit.lost ?? s.events.lost;
  const how = s.target === undefined || s.target === 'sim' ? 'expired from the stream before reaching' : 'missing after the drain from';
  if (lost >= 1) failures.push(`${Math.round(lost).toLocaleString('en-US')} accepted events were lost (${how} ${lostWhere(s)})`);
  return failures;
}

function lostWhere(s: Pick<Summary, 'audit'>): string {
  const stored = s.audit.stored?.lost ?? 0;
  const delivered = s.audit.delivered?.lost ?? 0;
  if (stored >= 1 && delivered >= 1) return 'DynamoDB and S3';
  return stored >= 1 ? 'DynamoDB' : delivered >= 1 ? 'S3' : 'DynamoDB';
}

export interface Assumption {
  parameter: string;
  value: string;
  why: string;
}

/** The scenario's values of every parameter that is a guess rather than a documented AWS figure. */
export function assumptionsOf(s: SimulationConfig): Assumption[] {
  const list: Assumption[] = [
    { parameter: 'kinesis.reshardSeconds', value: `${s.kinesis.reshardSeconds} s`, why: 'UpdateShardCount takes "a few minutes" (aws-reference §1.3); UNCONFIRMED' },
    { parameter: 'kinesis.splitMergeSeconds', value: `${s.kinesis.splitMergeSeconds} s`, why: 'one SplitShard/MergeShards (kinesis-scaling-utils fallback); AWS gives no number (§1.3); UNCONFIRMED, 30 s is the tool\'s own expectation' },
    { parameter: 'cloudwatch.publishDelay', value: `${s.cloudwatch.publishDelay} s`, why: 'delay before a minute datapoint is visible is undocumented (§1.5); UNCONFIRMED' },
    { parameter: 'dynamodb.updateSeconds', value: `${s.dynamodb.updateSeconds} s`, why: 'UpdateTable "can take several minutes" (§3.5); UNCONFIRMED' },
    { parameter: 'apiGateway.latencyMs', value: `${s.apiGateway.latencyMs} ms`, why: 'gateway and integration overhead per request; not in aws-reference; UNCONFIRMED' },
    { parameter: 'lambda.batchMs / perRecordMs', value: `${s.lambda.batchMs} ms + ${s.lambda.perRecordMs} ms/record`, why: 'the processor\'s own speed: measure yours and set it' },
    { parameter: 'lambda.retryBackoffMs', value: `${s.lambda.retryBackoffMs} ms`, why: 'wait before retrying throttled writes inside an invocation (SDK backoff)' },
    { parameter: 'producer backoff', value: `${s.producer.backoffBaseMs} ms base, ${s.producer.backoffMaxMs} ms cap, ${s.producer.maxRetries} retries`, why: 'AWS SDK v3 standard retry strategy' },
    { parameter: 'firehose quota era', value: s.firehose.quotaEra, why: 'Direct PUT quotas changed in 2018 and 2021 (§5)' },
    {
      parameter: 'firehose quota increase',
      value: s.firehose.quotaAutoIncrease ? `×${s.firehose.quotaIncrease.factor} ${s.firehose.quotaIncrease.delay} s after a throttled minute` : 'off',
      why: 'Firehose raises a throttled Direct PUT quota by itself (AWS Knowledge Center); the ramp is undocumented: UNCONFIRMED',
    },
    ...(s.queries && (s.queries.classes.length > 0 || s.queries.schemaStore)
      ? [
          {
            parameter: 'queries: Drill',
            value: `${s.queries.drillOverheadMs} ms + scan at ${s.queries.drillScanMiBps} MiB/s per query; DynamoDB for the last ${s.queries.dynamoWindow} s`,
            why: 'your query cluster and data layout: measure them (UNCONFIRMED)',
          },
        ]
      : []),
    {
      parameter: 'dynamodb.partitions',
      value:
        s.dynamodb.partitions.key === 'none'
          ? 'not modelled (key: none)'
          : `key ${s.dynamodb.partitions.key}; max(WCU/1,000, size/10 GB) partitions, doubling; heat split after ${s.dynamodb.partitions.heatSplitDelay} s`,
      why: '1,000 WCU per partition and per key (§3.2); the partition count formula and the heat-split delay are UNCONFIRMED',
    },
    { parameter: 'dynamodb.decreaseRule', value: s.dynamodb.decreaseRule, why: 'the daily decrease quota changed 4 → 9 → 27 (§3.4); v4, today\'s hourly refill of up to 4, is not in aws-reference.md: UNCONFIRMED' },
  ];
  if (s.dynamodb.mode === 'on-demand') {
    list.push({ parameter: 'on-demand headroom', value: '2× previous peak, stepping after 30 min (DynamoDB)', why: 'AWS describes the rule in words only (§3.6); modelled as a step' });
  }
  if (s.kinesis.mode === 'on-demand') {
    list.push({ parameter: 'kinesis on-demand splits', value: `a shard at ≥ ${s.kinesis.onDemandSplitShare * 100}% of its limit (bytes or records) over a minute splits in two ${s.kinesis.onDemandSplitSeconds} s later`, why: '§1.4 gives 500 KB/s and "within 15 minutes"; the records threshold and the exact delay are UNCONFIRMED' });
  }
  if (s.apiGateway.type === 'alb') {
    const f = s.apiGateway.fleet;
    list.push({ parameter: 'apiGateway.fleet', value: `${f.instances} instances × ${f.requestsPerInstance} requests/s, ${f.requestsPerConnection} request(s) per connection`, why: 'your fleet\'s capacity: measure it; ALB and instance prices are ingestlab defaults (UNCONFIRMED)' });
  }
  if (s.processor === 'kcl') {
    const k = s.kcl;
    list.push({ parameter: 'kcl', value: `${k.instances} instances, ${k.recordsPerSecondPerWorker} records/s per worker, ≤ ${k.maxLeasesPerInstance} leases per instance`, why: 'your consumer\'s speed: measure it; instance-hour price is an ingestlab default (UNCONFIRMED)' });
  }
  list.push({ parameter: 'not modelled', value: 'KPL aggregation; DynamoDB read autoscaling', why: 'see docs/model.md' });
  // Readers get links to the repository's sources page, not the aws-reference sections the code cites.
  return list.map((a) => ({ ...a, why: citeSources(a.why) }));
}

export interface SummaryInput {
  scenario: SimulationConfig;
  totals: Totals;
  drainSeconds: number;
  inFlightAtEnd: InFlight;
  kinesis: KinesisModel;
  shardsInitial: number;
  dynamodb: DynamoDbModel;
  dynamodbUsage: ReturnType<DynamoDbModel['usage']>;
  firehose: FirehoseModel;
  usage: Usage;
  cost: CostReport;
  latency: LatencySummary;
  ingestLatency: LatencySummary;
  kinesisLag: LagTracker;
  ddbLag: LagTracker;
  actions: ScalingAction[];
  /** Read-path totals (sim/simulation.ts `queryTotals`), when queries ran. */
  queries?: {
    queries: number;
    dynamoReadUnits: number;
    dynamoReadThrottled: number;
    s3GetRequests: number;
    s3BytesScanned: number;
    drillMs: number;
    drillQueries: number;
    schemaReadUnits: number;
    schemaReadThrottled: number;
  };
}

function auditSide(accepted: number, reached: number, lost: number, inFlight: number): AuditSide {
  return { reached: count(reached), lost: count(lost), inFlight: count(inFlight), difference: round(accepted - (reached + lost + inFlight)) };
}

/** Counts are reported as whole events; money to 1/10,000 of a cent; the rest to 3 decimals. */
const count = (x: number) => Math.round(x);
/** A count for a sentence: 1,234,567. */
const whole = (x: number) => Math.round(x).toLocaleString('en-US');
const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const usd = (x: number) => Number(x.toFixed(6));

export function buildSummary(input: SummaryInput): Summary {
  const { scenario: s, totals: t, kinesis: k } = input;
  // Capacity as billed: up to the end of the scenario (the drain only finishes the work).
  const d = input.dynamodbUsage;
  const inFlight = input.inFlightAtEnd;
  const pending = inFlight.kinesisRetries + inFlight.stream + inFlight.firehoseBuffer;
  const offeredGap = t.offered - (t.accepted + t.rejected + t.dropped);
  // Each sink has its own side: a record stored in DynamoDB may still be waiting on Firehose, and the other way round.
  const storedSide = auditSide(t.accepted, t.stored, t.expired, inFlight.kinesisRetries + inFlight.streamOwedToDynamoDb);
  const deliveredSide = auditSide(t.accepted, t.delivered, t.expiredDelivery, inFlight.kinesisRetries + inFlight.streamOwedToFirehose + inFlight.firehoseBuffer);
  const lost = Math.max(t.expired, t.expiredDelivery);
  const notes: string[] = [];
  if (Math.abs(offeredGap) >= 1) notes.push(`offered differs from accepted + rejected + dropped by ${round(offeredGap).toLocaleString('en-US')}`);
  if (Math.abs(storedSide.difference) >= 1) notes.push(`accepted differs from stored + lost + in flight to DynamoDB by ${storedSide.difference.toLocaleString('en-US')}`);
  if (Math.abs(deliveredSide.difference) >= 1) notes.push(`accepted differs from delivered + lost + in flight to S3 by ${deliveredSide.difference.toLocaleString('en-US')}`);
  if (pending >= 1) notes.push(`${whole(pending)} accepted events still in flight when the drain limit was reached`);
  if (t.expired >= 1) notes.push(`${whole(t.expired)} accepted events expired from the stream before DynamoDB stored them (lost)`);
  if (t.expiredDelivery - t.expired >= 1) notes.push(`${whole(t.expiredDelivery - t.expired)} more expired before Firehose took them (stored, never delivered to S3)`);
  if (t.ddbMissingTableItems >= 1) notes.push(`writes found no table for their period ${whole(t.ddbMissingTableItems)} times (table quota)`);
  const firstUp = input.actions.find((a) => a.service === 'kinesis' && a.to > a.from && !a.refusal);
  const accepted = count(t.accepted);
  return {
    scenario: s.name,
    description: s.description,
    target: 'sim',
    seed: s.seed,
    region: s.region,
    durationSeconds: s.duration,
    resolutionSeconds: s.resolution,
    drainSeconds: round(input.drainSeconds),
    events: {
      offered: count(t.offered),
      accepted,
      rejected: count(t.rejected),
      dropped: count(t.dropped),
      stored: count(t.stored),
      delivered: count(t.delivered),
      lost: count(lost),
    },
    audit: {
      balanced: Math.abs(offeredGap) < 1 && Math.abs(storedSide.difference) < 1 && Math.abs(deliveredSide.difference) < 1,
      lost: count(lost),
      stored: storedSide,
      delivered: deliveredSide,
      inFlightAtEnd: { kinesisRetries: count(inFlight.kinesisRetries), stream: count(inFlight.stream), firehoseBuffer: count(inFlight.firehoseBuffer) },
      notes,
    },
    apiGateway: {
      type: s.apiGateway.type,
      requests: count(input.usage.apiGateway.requests),
      rejectedTenantLimit: count(t.rejectedTenantLimit),
      rejectedAccountLimit: count(t.rejectedAccountLimit),
      rejectedPayload: count(t.rejectedPayload),
      rejectedRecordSize: count(t.rejectedRecordSize),
      ...(s.apiGateway.type === 'alb'
        ? { rejectedFleetCapacity: count(t.rejectedFleetCapacity), fleetRequestsPerSecond: s.apiGateway.fleet.instances * s.apiGateway.fleet.requestsPerInstance }
        : {}),
    },
    kinesis: {
      mode: k.mode,
      shardsInitial: input.shardsInitial,
      shardsMax: k.shardsMax,
      shardsFinal: k.shards,
      reshards: k.reshards,
      throttledRecords: count(t.kinesisThrottled),
      shardHours: round(input.usage.kinesis.shardHours),
      maxIteratorAgeMs: count(t.maxIteratorAgeMs),
    },
    processor:
      s.processor === 'kcl'
        ? { type: 'kcl', instances: s.kcl.instances, recordsPerSecondPerWorker: s.kcl.recordsPerSecondPerWorker }
        : { type: 'lambda' },
    lambda: { invocations: count(t.lambdaInvocations), gbSeconds: round(input.usage.lambda.gbSeconds), maxConcurrency: round(t.maxLambdaConcurrency, 1), memoryMb: s.lambda.memoryMb },
    dynamodb: {
      mode: s.dynamodb.mode,
      throttledRequests: count(input.dynamodb.usage().throttledRequests),
      partitionThrottledRequests: count(input.dynamodb.usage().partitionThrottledRequests),
      partitionsMax: input.dynamodb.usage().partitionsMax,
      writeCapacityMax: round(d.writeCapacityMax),
      capacityUnitHours: round(d.writeCapacityUnitHours + d.readCapacityUnitHours),
      tables: d.tables,
      tableRefusals: input.dynamodb.refusals().map((r) => `${r.table} at ${r.at}s: ${r.message}`),
    },
    firehose: { throttledRecords: count(t.firehoseThrottled), objects: input.firehose.objects, bytes: count(input.firehose.deliveredBytes) },
    ...(input.queries
      ? {
          queries: {
            queries: count(input.queries.queries),
            dynamodbReadUnits: count(input.queries.dynamoReadUnits),
            dynamodbReadThrottled: count(input.queries.dynamoReadThrottled),
            s3GetRequests: count(input.queries.s3GetRequests),
            s3BytesScanned: count(input.queries.s3BytesScanned),
            drillMeanMs: input.queries.drillQueries > 0 ? round(input.queries.drillMs / input.queries.drillQueries) : null,
            schemaReadUnits: count(input.queries.schemaReadUnits),
            schemaReadThrottled: count(input.queries.schemaReadThrottled),
          },
        }
      : {}),
    latencyMs: input.latency,
    ingestLatencyMs: input.ingestLatency,
    scaling: {
      kinesis: {
        lagSeconds: round(input.kinesisLag.longest),
        underProvisionedSeconds: round(input.kinesisLag.total),
        firstScaleUpAtSeconds: firstUp ? firstUp.atSeconds : null,
      },
      dynamodb: { lagSeconds: round(input.ddbLag.longest), underProvisionedSeconds: round(input.ddbLag.total) },
      actions: input.actions,
    },
    assumptions: assumptionsOf(s),
    warnings: scenarioWarnings(s),
    cost: {
      totalUsd: usd(input.cost.totalUsd),
      perMillionEventsUsd: (() => {
        const p = perMillionEvents(input.cost.totalUsd, deliveredEvents(t.stored, t.delivered));
        return p === null ? null : usd(p);
      })(),
      byService: Object.fromEntries(Object.entries(input.cost.byService).map(([k2, v]) => [k2, usd(v)])),
      region: input.cost.region,
      priceDate: input.cost.priceDate,
      lines: input.cost.lines,
    },
  };
}
