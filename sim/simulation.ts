/**
 * The simulator: runs a scenario's traffic through the models of every service on a virtual clock. Control events
 * (reshard and table-update completion, CloudWatch publication, policy checks) go through the event queue; the data
 * plane advances one tick at a time as aggregated flows per group and per shard.
 *
 * Tick order: control events → tables → traffic → API Gateway → Kinesis → processor (DynamoDB, Firehose) → S3
 * delivery → CloudWatch → accounting. After the scenario's duration, a drain phase runs without new traffic until
 * every accepted event is stored and delivered (or an hour has passed), so the audit can account for all of them.
 */
import type { SimulationConfig } from './simulation-config.ts';
import { Autoscaler, type ScalableTarget, type ScalingAction } from './autoscaler.ts';
import { ApiGatewayModel } from './api-gateway.ts';
import { CloudWatch } from './cloudwatch.ts';
import { DynamoDbModel } from './dynamodb.ts';
import { EventQueue } from './engine/event-queue.ts';
import { createRandom } from './engine/random.ts';
import { sizeStats, type SizeStats } from './event-size.ts';
import { FirehoseModel } from './firehose.ts';
import { KEY_BYTES, KinesisModel, putRecordsCalls, SHARD_LIMITS } from './kinesis.ts';
import { KclConsumer } from './kcl.ts';
import { LambdaConsumer } from './lambda.ts';
import { LatencyRecorder } from './latency.ts';
import type { ScalingPolicy } from './policies/policy.ts';
import { resolveBundledPolicy } from './policies/index.ts';
import { planSplitMerge } from './policies/kinesis-scaling-utils.ts';
import { QueryModel, schemaMissReadUnits, type QueryGroup } from './query.ts';
import { runSplitMerge } from './split-merge-runner.ts';
import { checkPriceDate, priceUsage } from './pricing/cost-meter.ts';
import { oversizeShare, payloadOverShare } from './record-limits.ts';
import type { PriceEntry } from './pricing/price-table.ts';
import { dynamoWriteUnits, emptyUsage, firehoseBilledBytes, onDemandBilledBytes, putPayloadUnits, type Usage } from './pricing/usage.ts';
import { LagTracker } from './lag-tracker.ts';
import { buildSummary, type Summary } from './summary.ts';
import { Timeline } from './timeline.ts';
import { TrafficSource } from './traffic.ts';

export interface SimulateOptions {
  /** Resolves a policy name (or a user module path, already imported by the caller) to a policy. */
  resolvePolicy?: (name: string) => ScalingPolicy<any, any> | undefined;
  /** Price table to bill with (bundled by default; the CLI merges a user file). */
  prices?: readonly PriceEntry[];
  /** Bill with the prices in force on this date (YYYY-MM-DD); default: the newest. */
  priceDate?: string;
  /** Seconds per timeline row; default the resolution up to a day of simulated time, then a minute. */
  timelineStep?: number;
  /** Called about every `progressEvery` simulated seconds, and once at the end. */
  onProgress?: (progress: Progress) => void;
  progressEvery?: number;
  /** Longest drain after the scenario ends, in seconds (default 3,600 + the Firehose buffer interval). */
  maxDrainSeconds?: number;
}

export interface Progress {
  /** Simulated seconds done, of `durationSeconds`. */
  readonly now: number;
  readonly durationSeconds: number;
  readonly draining: boolean;
  readonly shards: number;
  readonly offered: number;
  readonly accepted: number;
  readonly throttled: number;
  readonly actions: readonly ScalingAction[];
}

export interface SimulationResult {
  readonly summary: Summary;
  readonly timeline: Timeline;
}

/** Per-record billing and size expectations of each group (§8.7), computed once. */
interface GroupStats {
  readonly size: SizeStats;
  readonly ppu: number;
  readonly onDemandBytes: number;
  readonly firehoseBytes: number;
  readonly wcu: number;
}

/** Running totals the summary is built from. */
export interface Totals {
  offered: number;
  accepted: number;
  rejected: number;
  rejectedTenantLimit: number;
  rejectedAccountLimit: number;
  rejectedPayload: number;
  rejectedRecordSize: number;
  rejectedFleetCapacity: number;
  kinesisAccepted: number;
  kinesisThrottled: number;
  dropped: number;
  stored: number;
  delivered: number;
  /** Accepted records that expired from the stream before DynamoDB stored them. */
  expired: number;
  /** Accepted records that expired from the stream before Firehose took them: never delivered. */
  expiredDelivery: number;
  ddbThrottledItems: number;
  ddbMissingTableItems: number;
  firehoseThrottled: number;
  lambdaInvocations: number;
  maxIteratorAgeMs: number;
  maxLambdaConcurrency: number;
}

/** Accepted events still on their way at the end of a run. */
export interface InFlight {
  /** Waiting for a PutRecords retry. */
  kinesisRetries: number;
  /** In the stream, not yet checkpointed (unread, or read and waiting on a write). */
  stream: number;
  /** Taken by Firehose, waiting in its buffer for S3. */
  firehoseBuffer: number;
  /** Of `stream`, the records DynamoDB has not stored yet. */
  streamOwedToDynamoDb: number;
  /** Of `stream`, the records Firehose has not taken yet (some of them may be stored already). */
  streamOwedToFirehose: number;
}

export function simulate(scenario: SimulationConfig, options: SimulateOptions = {}): SimulationResult {
  return new Simulation(scenario, options).run();
}

export class Simulation {
  readonly queue = new EventQueue();
  readonly dt: number;
  readonly duration: number;
  readonly timeline: Timeline;
  readonly actions: ScalingAction[] = [];
  readonly totals: Totals = {
    offered: 0, accepted: 0, rejected: 0, rejectedTenantLimit: 0, rejectedAccountLimit: 0, rejectedPayload: 0, rejectedRecordSize: 0, rejectedFleetCapacity: 0,
    kinesisAccepted: 0, kinesisThrottled: 0, dropped: 0, stored: 0, delivered: 0, expired: 0, expiredDelivery: 0, ddbThrottledItems: 0,
    ddbMissingTableItems: 0, firehoseThrottled: 0, lambdaInvocations: 0, maxIteratorAgeMs: 0, maxLambdaConcurrency: 0,
  };
  readonly usage: Usage;
  readonly latency = new LatencyRecorder();
  readonly ingestLatency = new LatencyRecorder();
  readonly kinesisLag = new LagTracker();
  readonly ddbLag = new LagTracker();

  readonly api: ApiGatewayModel;
  readonly kinesis: KinesisModel;
  readonly consumer: LambdaConsumer;
  readonly dynamodb: DynamoDbModel;
  readonly firehose: FirehoseModel;
  readonly cloudwatch: CloudWatch;

  private readonly traffic: TrafficSource;
  private readonly groups: GroupStats[];
  private readonly offered: Float64Array;
  private readonly kinesisFresh: Float64Array;
  private readonly maxDrain: number;
  private readonly shardsInitial: number;
  private now = 0;
  private drainSeconds = 0;
  private readonly cw: Record<string, { add(v: number): void }>;
  private readonly ddbMetrics = new Map<
    string,
    { consumed: { add(v: number): void }; throttles: { add(v: number): void }; readConsumed: { add(v: number): void }; readThrottles: { add(v: number): void } }
  >();
  /** Mean per-record expectations of the traffic mix, updated as traffic flows. */
  private mix = { wcu: 1, firehoseBytes: 5120, meanBytes: 512 };
  /** Each tenant group's share of the items written to DynamoDB. */
  private readonly ddbShares: Float64Array;
  /** The read path (issue 13 item 9), when the scenario has `queries:` classes or the schema store. */
  readonly queries: QueryModel | undefined;
  /** Per group, recent accepted events per second per tenant (5-minute moving average), for the query sizes. */
  private readonly groupRate: Float64Array;
  private readonly queryGroups: { name: string; count: number; eventsPerSecond: number; meanBytes: number }[];
  /** The schema table's provisioned RCU-hours (billed for the scenario's duration). */
  private schemaRcuHours = 0;
  /** Share of the processor's invocations not stalled on a refused schema lookup (from the previous tick). */
  private processorShare = 1;
  readonly queryTotals = {
    queries: 0,
    dynamoReadUnits: 0,
    dynamoReadThrottled: 0,
    s3GetRequests: 0,
    s3BytesScanned: 0,
    drillMs: 0,
    drillQueries: 0,
    schemaReadUnits: 0,
    schemaReadThrottled: 0,
  };
  private finished = false;
  private capacityAtEnd: ReturnType<DynamoDbModel['usage']> | undefined;

  constructor(
    readonly scenario: SimulationConfig,
    private readonly options: SimulateOptions = {},
  ) {
    this.dt = scenario.resolution;
    this.duration = scenario.duration;
    if (!(this.dt > 0)) throw new RangeError(`resolution must be positive, got ${this.dt}`);
    const random = createRandom(scenario.seed);
    this.groups = scenario.tenants.map((g) => {
      const size = sizeStats(g.eventBytes);
      return {
        size,
        ppu: size.expect(putPayloadUnits),
        onDemandBytes: size.expect(onDemandBilledBytes),
        firehoseBytes: size.expect(firehoseBilledBytes),
        wcu: size.expect(dynamoWriteUnits),
      };
    });
    this.traffic = new TrafficSource(scenario.tenants, random, scenario.traffic?.scale ?? 1);
    this.offered = new Float64Array(scenario.tenants.length);
    this.kinesisFresh = new Float64Array(scenario.tenants.length);
    const keyBytes = KEY_BYTES[scenario.kinesis.partitionKey];
    // With API Gateway's Kinesis integration a request is one PutRecords (§1.1): batches above 500 records or the
    // request byte cap go as several requests; a load balancer's servers can make several calls per request.
    const putCap = scenario.kinesis.putRecordsMaxRequestMiB * 1_048_576;
    const requestsPerBatch = scenario.tenants.map((g, i) =>
      scenario.apiGateway.type === 'alb' ? 1 : putRecordsCalls(g.batchSize, this.groups[i]!.size.meanBytes + keyBytes, putCap),
    );
    this.api = new ApiGatewayModel(
      scenario,
      this.groups.map((g) => g.size.meanBytes),
      this.groups.map((g) => oversizeShare(g.size, keyBytes)),
      requestsPerBatch,
      this.groups.map((g, i) => payloadOverShare(g.size, scenario.tenants[i]!.batchSize, scenario.apiGateway.maxPayloadBytes)),
    );
    this.kinesis = new KinesisModel(
      scenario.kinesis,
      scenario.tenants.map((g, i) => ({ name: g.name, count: g.count, meanBytes: this.groups[i]!.size.meanBytes })),
      scenario.producer,
      this.dt,
      scenario.region,
    );
    this.shardsInitial = this.kinesis.shards;
    this.consumer =
      scenario.processor === 'kcl'
        ? new KclConsumer(scenario.kcl, scenario.lambda, this.kinesis.shards, this.dt)
        : new LambdaConsumer(scenario.lambda, this.kinesis.shards, this.dt);
    // The tenant groups place their partition keys on each table's partitions (§3.2).
    this.dynamodb = new DynamoDbModel(scenario.dynamodb, { groups: scenario.tenants.map((g) => ({ name: g.name, count: g.count })) });
    this.ddbShares = new Float64Array(scenario.tenants.length).fill(1 / scenario.tenants.length);
    const q = scenario.queries;
    this.queries = q && (q.classes.length > 0 || q.schemaStore) ? new QueryModel(q) : undefined;
    this.groupRate = new Float64Array(scenario.tenants.length);
    this.queryGroups = scenario.tenants.map((g, i) => ({ name: g.name, count: g.count, eventsPerSecond: 0, meanBytes: this.groups[i]!.size.meanBytes }));
    this.firehose = new FirehoseModel(scenario.firehose, scenario.region);
    this.cloudwatch = new CloudWatch(scenario.cloudwatch.publishDelay);
    const stream = 'kinesis/ingest';
    this.cw = {
      incomingBytes: this.cloudwatch.handle(stream, 'IncomingBytes'),
      incomingRecords: this.cloudwatch.handle(stream, 'IncomingRecords'),
      getBytes: this.cloudwatch.handle(stream, 'GetRecords.Bytes'),
      getRecords: this.cloudwatch.handle(stream, 'GetRecords.Records'),
      writeExceeded: this.cloudwatch.handle(stream, 'WriteProvisionedThroughputExceeded'),
    };
    this.usage = emptyUsage(0, {
      apiGateway: scenario.apiGateway.type,
      kinesis: scenario.kinesis.mode,
      lambda: scenario.lambda.architecture,
    });
    // A bad price date fails before the run, not after it (issue 9 #7).
    if (options.priceDate !== undefined) checkPriceDate(options.priceDate, options.prices);
    this.maxDrain = options.maxDrainSeconds ?? 3600 + scenario.firehose.bufferSeconds;
    const step = options.timelineStep ?? (this.duration <= 86_400 ? this.dt : Math.max(this.dt, 60));
    this.timeline = new Timeline(this.duration, step);
    this.startAutoscalers();
  }

  /** Runs to the end (scenario, then drain) and returns the summary and timeline. */
  run(): SimulationResult {
    this.stepUntil(Infinity);
    return this.result();
  }

  /** Simulated seconds so far. */
  get time(): number {
    return this.now;
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * Advances until simulated time `until` (or the end). The dashboard calls this in slices; `run` calls it once.
   * Returns true when the run has finished.
   */
  stepUntil(until: number): boolean {
    const progressEvery = this.options.progressEvery ?? Math.max(this.dt, this.duration / 100);
    let nextProgress = Math.ceil(this.now / progressEvery) * progressEvery;
    while (!this.finished && this.now < until) {
      const draining = this.now >= this.duration;
      if (draining && this.capacityAtEnd === undefined) {
        // Capacity is billed for the scenario's duration; the drain only finishes the work.
        this.dynamodb.advance(this.duration);
        this.capacityAtEnd = this.dynamodb.usage();
      }
      if (draining && (this.drained() || this.now - this.duration >= this.maxDrain)) {
        this.drainSeconds = this.now - this.duration;
        this.finished = true;
        break;
      }
      this.tick(this.now, draining);
      this.now += this.dt;
      if (this.options.onProgress && this.now >= nextProgress) {
        this.options.onProgress(this.progress(draining));
        nextProgress += progressEvery;
      }
    }
    if (this.finished) this.options.onProgress?.(this.progress(true));
    return this.finished;
  }

  progress(draining: boolean): Progress {
    return {
      now: this.now,
      durationSeconds: this.duration,
      draining,
      shards: this.kinesis.shards,
      offered: this.totals.offered,
      accepted: this.totals.accepted,
      throttled: this.totals.kinesisThrottled,
      actions: this.actions,
    };
  }

  /**
   * What the run has consumed so far, as if it ended now: a copy of `usage` with DynamoDB capacity filled in the way
   * `result()` fills it, and the hours simulated so far. The dashboard prices it for the running cost; nothing here
   * changes the run.
   */
  usageSoFar(): Usage {
    const d = this.capacityAtEnd ?? this.dynamodb.usage();
    const usage = structuredClone(this.usage);
    usage.hours = Math.min(this.now, this.duration) / 3600;
    usage.dynamodb.writeCapacityUnitHours = d.writeCapacityUnitHours;
    usage.dynamodb.readCapacityUnitHours = d.readCapacityUnitHours + this.schemaRcuHours;
    usage.dynamodb.writeRequestUnits = d.writeRequestUnits;
    usage.dynamodb.readRequestUnits = d.readRequestUnits;
    if (this.kinesis.mode === 'provisioned') {
      usage.kinesis.onDemandIngestBytesBilled = 0;
      usage.kinesis.onDemandRetrievalBytes = 0;
    } else {
      usage.kinesis.putPayloadUnits = 0;
    }
    return usage;
  }

  result(): SimulationResult {
    this.timeline.finish();
    const usage = this.usageSoFar();
    const cost = priceUsage(usage, {
      region: this.scenario.region,
      ...(this.options.priceDate ? { priceDate: this.options.priceDate } : {}),
      ...(this.options.prices ? { table: this.options.prices } : {}),
    });
    const summary = buildSummary({
      scenario: this.scenario,
      totals: this.totals,
      drainSeconds: this.drainSeconds,
      inFlightAtEnd: this.inFlight(),
      kinesis: this.kinesis,
      shardsInitial: this.shardsInitial,
      dynamodb: this.dynamodb,
      dynamodbUsage: this.capacityAtEnd ?? this.dynamodb.usage(),
      firehose: this.firehose,
      usage,
      cost,
      latency: this.latency.summary(),
      ingestLatency: this.ingestLatency.summary(),
      kinesisLag: this.kinesisLag,
      ddbLag: this.ddbLag,
      actions: this.actions,
      ...(this.queries ? { queries: this.queryTotals } : {}),
    });
    return { summary, timeline: this.timeline };
  }

  private tick(t: number, draining: boolean): void {
    const dt = this.dt;
    // The last tick of a duration that is not a whole number of ticks is partial: traffic, billing and lag cover only
    // the scenario's remaining seconds, and the rest of the tick drains like the drain phase.
    const span = draining ? dt : Math.min(dt, this.duration - t);
    const s = this.scenario;
    const totals = this.totals;
    // Datapoints due by now are visible to the policy checks that run now.
    this.cloudwatch.publish(t);
    this.queue.runUntil(t);
    this.dynamodb.advance(t);
    if (this.consumerLayout !== this.kinesis.layoutVersion) this.onReshard();

    // Traffic → API Gateway → Kinesis.
    if (draining) this.offered.fill(0);
    else this.traffic.draw(t, span, this.offered);
    const api = this.api.admit(this.offered, span);
    let offered = 0;
    let accepted = 0;
    let ppu = 0;
    let onDemandBytes = 0;
    let wcu = 0;
    let fhBytes = 0;
    let bytes = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const a = api.acceptedEvents[g]!;
      offered += this.offered[g]!;
      accepted += a;
      this.kinesisFresh[g] = a;
      const stats = this.groups[g]!;
      ppu += a * stats.ppu;
      onDemandBytes += a * stats.onDemandBytes;
      wcu += a * stats.wcu;
      fhBytes += a * stats.firehoseBytes;
      bytes += a * stats.size.meanBytes;
    }
    if (accepted > 0) {
      this.mix = { wcu: wcu / accepted, firehoseBytes: fhBytes / accepted, meanBytes: bytes / accepted };
      // DynamoDB's write units by tenant group follow the accepted mix (the processor's lag is ignored for the split).
      for (let g = 0; g < this.groups.length; g++) this.ddbShares[g] = wcu > 0 ? (this.kinesisFresh[g]! * this.groups[g]!.wcu) / wcu : 0;
    }
    const rejected = offered - accepted;
    totals.offered += offered;
    totals.rejected += rejected;
    totals.rejectedTenantLimit += api.rejectedTenantLimit;
    totals.rejectedAccountLimit += api.rejectedAccountLimit;
    totals.rejectedPayload += api.rejectedPayload;
    totals.rejectedRecordSize += api.rejectedRecordSize;
    totals.rejectedFleetCapacity += api.rejectedFleetCapacity;
    this.usage.apiGateway.requests += api.billedRequests;

    const k = this.kinesis.put(t, this.kinesisFresh);
    if (this.consumerLayout !== this.kinesis.layoutVersion) this.onReshard();
    // "accepted" = answered 2xx by the ingest API: admitted by the gateway and not dropped after PutRecords retries.
    // Retries finish within the tick or a few after, so drops are charged to the tick they happen in.
    totals.accepted += accepted - k.droppedRecords;
    totals.kinesisAccepted += k.acceptedRecords;
    totals.kinesisThrottled += k.throttledRecords;
    totals.dropped += k.droppedRecords;
    // Billing per record by the mix of this tick (retries have the same mix as fresh records).
    this.usage.kinesis.putPayloadUnits += k.acceptedRecords * this.mixRatio(ppu, accepted);
    this.usage.kinesis.onDemandIngestBytesBilled += k.acceptedRecords * this.mixRatio(onDemandBytes, accepted);
    const baseLatency = s.apiGateway.latencyMs;
    for (let a = 0; a < k.acceptedByAttempt.length; a++) {
      const n = k.acceptedByAttempt[a]!;
      if (n === 0) continue;
      let ms = baseLatency;
      for (let i = 0; i < a; i++) ms += this.kinesis.retryDelayMs[i]!;
      this.ingestLatency.record(ms, n);
    }
    this.cw.incomingBytes!.add(k.acceptedBytes);
    this.cw.incomingRecords!.add(k.acceptedRecords);
    this.cw.writeExceeded!.add(k.throttledRecords);

    // Processor: Kinesis → Lambda → DynamoDB and Firehose.
    this.consumer.ingest(t, k.shardRecords, k.shardBytes);
    const c = this.consumer.plan(t, this.processorShare);
    const ddb = this.dynamodb.write(t, dt, c.ddbAttempts, this.mix.wcu, this.ddbShares, this.mix.meanBytes);
    const ddbAccepted = ddb.acceptedItems;
    if (ddb.missingTable) totals.ddbMissingTableItems += c.ddbAttempts;
    totals.ddbThrottledItems += ddb.throttledItems;
    const fhRecordBytes = c.fhAttempts * this.mix.meanBytes;
    const fh = this.firehose.put(t, dt, c.fhAttempts, fhRecordBytes, Math.max(c.fhRequests, c.fhAttempts > 0 ? 1 : 0));
    this.usage.firehose.ingestBytesBilled += fh.acceptedRecords * this.mix.firehoseBytes;
    totals.firehoseThrottled += fh.throttledRecords;
    this.consumer.settle(t, ddbAccepted, fh.acceptedRecords, (records, ageSeconds) => {
      this.latency.record(baseLatency + ageSeconds * 1000, records);
    });
    totals.stored += ddbAccepted;
    totals.expired += c.expired;
    totals.expiredDelivery += c.expiredDelivery;
    totals.lambdaInvocations += c.invocations;
    // A KCL fleet is billed by the instance-hour below, not per invocation; its consumer counts worker-seconds as GB-s.
    const kcl = s.processor === 'kcl';
    if (!kcl) {
      this.usage.lambda.requests += c.invocations;
      this.usage.lambda.gbSeconds += c.gbSeconds;
    }
    this.usage.kinesis.onDemandRetrievalBytes += c.readBytes;
    if (c.iteratorAgeMs > totals.maxIteratorAgeMs) totals.maxIteratorAgeMs = c.iteratorAgeMs;
    // A count of invocations (or KCL workers) running at once, not busy GB-seconds per second (issue 13 item 7).
    if (c.concurrency > totals.maxLambdaConcurrency) totals.maxLambdaConcurrency = c.concurrency;
    this.cw.getBytes!.add(c.readBytes);
    this.cw.getRecords!.add(c.readRecords);
    if (this.queries && !draining) this.readPath(t, dt, c.concurrency);
    else this.processorShare = 1;
    for (const counter of this.dynamodb.drainCounters()) {
      const m = this.tableMetrics(counter.table);
      m.consumed.add(counter.consumedWcu);
      m.throttles.add(counter.throttledRequests);
    }

    // Firehose → S3.
    const objectsBefore = this.firehose.objects;
    this.firehose.advance(t + dt);
    const delivered = this.firehose.lastDelivered;
    totals.delivered += delivered;
    const objects = this.firehose.objects - objectsBefore;
    this.usage.s3.putRequests += objects;

    // CloudWatch minutes end on the minute.
    const minuteEnd = Math.floor((t + dt) / 60 + 1e-9) * 60;
    if (minuteEnd > t && minuteEnd <= t + dt + 1e-9) this.cloudwatch.closeMinute(minuteEnd - 60);

    // Capacity accounting covers the scenario's duration; the drain only finishes the work.
    const current = this.dynamodb.current(t);
    const table = current === undefined ? undefined : this.dynamodb.tables().find((x) => x.name === current);
    const ddbCapacity = table?.writeCapacity ?? 0;
    const ddbDemand = (c.ddbAttempts * this.mix.wcu) / dt;
    if (!draining) {
      if (this.kinesis.mode === 'provisioned') this.usage.kinesis.shardHours += (this.kinesis.shards * span) / 3600;
      else this.usage.kinesis.streamHours += span / 3600;
      if (s.apiGateway.type === 'alb') {
        this.usage.alb.hours += span / 3600;
        this.usage.alb.lcuHours += (api.lcu * span) / 3600;
        this.usage.alb.instanceHours += (s.apiGateway.fleet.instances * span) / 3600;
      }
      if (s.processor === 'kcl') this.usage.kcl.instanceHours += (s.kcl.instances * span) / 3600;
      this.kinesisLag.observe(t, span, k.demandRecords > k.capacityRecords + 1e-9 || k.demandBytes > k.capacityBytes + 1e-9);
      this.ddbLag.observe(t, span, ddbDemand > ddbCapacity + 1e-9 && ddb.throttledItems > 0);
      const r = this.timeline.row(t);
      if (r >= 0) {
        const tl = this.timeline;
        tl.countTick(r);
        tl.record(r, 'offered', offered);
        tl.record(r, 'accepted', accepted - k.droppedRecords);
        tl.record(r, 'rejected', rejected);
        tl.record(r, 'kinesisThrottled', k.throttledRecords);
        tl.record(r, 'dropped', k.droppedRecords);
        tl.record(r, 'kinesisDemandRps', k.demandRecords / dt);
        tl.record(r, 'kinesisCapacityRps', k.capacityRecords / dt);
        tl.record(r, 'kinesisDemandBps', k.demandBytes / dt);
        tl.record(r, 'kinesisCapacityBps', k.capacityBytes / dt);
        tl.record(r, 'shards', this.kinesis.shards);
        tl.record(r, 'hotShards', k.hotShards);
        tl.record(r, 'iteratorAgeMs', c.iteratorAgeMs);
        tl.record(r, 'lambdaInvocations', c.invocations);
        tl.record(r, 'ddbDemandWcu', ddbDemand);
        tl.record(r, 'ddbCapacityWcu', ddbCapacity);
        tl.record(r, 'ddbConsumedWcu', (ddbAccepted * this.mix.wcu) / dt);
        tl.record(r, 'ddbThrottled', ddb.throttledItems);
        tl.record(r, 'firehoseThrottled', fh.throttledRecords);
        tl.record(r, 'firehoseBufferBytes', this.firehose.buffered.bytes);
        tl.record(r, 's3Objects', objects);
        tl.record(r, 'stored', ddbAccepted);
        tl.record(r, 'delivered', delivered);
      }
    }
  }

  /**
   * The query server's reads and the processor's schema lookups of one tick (sim/query.ts): DynamoDB read units on
   * the current table, S3 GETs and bytes Drill scans, schema-table reads at its provisioned RCU.
   */
  private readPath(t: number, dt: number, concurrency: number): void {
    const q = this.queries!;
    const config = this.scenario.queries!;
    const qt = this.queryTotals;
    const alpha = Math.min(1, dt / 300);
    for (let g = 0; g < this.groups.length; g++) {
      const tenants = this.scenario.tenants[g]!.count;
      this.groupRate[g] = this.groupRate[g]! + (this.kinesisFresh[g]! / dt / tenants - this.groupRate[g]!) * alpha;
      this.queryGroups[g]!.eventsPerSecond = this.groupRate[g]!;
    }
    const held = t + dt;
    const r = q.tick(t, dt, this.queryGroups as readonly QueryGroup[], {
      objectsPerSecond: this.firehose.objects / held,
      bytesPerSecond: this.firehose.deliveredBytes / held,
      heldSeconds: held,
    });
    qt.queries += r.queries;
    // Schema lookups: each running invocation misses each tenant it sees once per TTL. It sees every tenant unless
    // the stream is keyed by tenant (then its shard's share).
    let schemaUnits = 0;
    if (config.schemaStore) {
      let tenants = 0;
      for (const g of this.scenario.tenants) tenants += g.count;
      const seen = this.scenario.kinesis.partitionKey === 'tenant' ? Math.max(1, tenants / this.kinesis.shards) : tenants;
      schemaUnits = schemaMissReadUnits(config, concurrency, seen, dt);
    }
    const shared = config.schemaStore && config.schemaTable === 'shared' ? schemaUnits : 0;
    const asked = r.dynamoReadUnits + shared;
    const read = this.dynamodb.read(t, dt, asked, r.dynamoReadUnitsPerKeyMax);
    const servedShare = asked > 0 ? read.served / asked : 1;
    const table = this.dynamodb.current(t);
    if (table !== undefined && asked > 0) {
      const m = this.tableMetrics(table);
      m.readConsumed.add(read.served);
      m.readThrottles.add(read.throttled);
    }
    qt.dynamoReadUnits += r.dynamoReadUnits * servedShare;
    qt.dynamoReadThrottled += r.dynamoReadUnits * (1 - servedShare);
    qt.s3GetRequests += r.s3GetRequests;
    qt.s3BytesScanned += r.s3BytesScanned;
    qt.drillMs += r.drillMs;
    qt.drillQueries += r.drillQueries;
    this.usage.s3.getRequests += r.s3GetRequests;
    if (config.schemaStore) {
      let served: number;
      if (config.schemaTable === 'shared') served = schemaUnits * servedShare;
      else {
        served = Math.min(schemaUnits, config.schemaReadCapacity * dt);
        this.schemaRcuHours += (config.schemaReadCapacity * dt) / 3600;
      }
      qt.schemaReadUnits += served;
      qt.schemaReadThrottled += schemaUnits - served;
      // A refused lookup stalls its batch: next tick only the served share of the invocations can work.
      this.processorShare = schemaUnits > 0 ? served / schemaUnits : 1;
    }
  }

  private mixRatio(weighted: number, accepted: number): number {
    return accepted > 0 ? weighted / accepted : 0;
  }

  private consumerLayout = -1;

  /** The stream's layout changed: shards whose hash range changed close, the consumer follows (§4). */
  private onReshard(): void {
    if (this.consumerLayout >= 0) this.consumer.reshard(this.kinesis.shards, this.kinesis.lastKept);
    this.consumerLayout = this.kinesis.layoutVersion;
  }

  /** Accepted events not yet stored or delivered, where they wait, and what each sink is still owed. */
  inFlight(): InFlight {
    const owed = this.consumer.owed();
    return {
      kinesisRetries: this.kinesis.pendingRetries(),
      stream: this.consumer.backlog(),
      firehoseBuffer: this.firehose.buffered.records,
      streamOwedToDynamoDb: owed.dynamodb,
      streamOwedToFirehose: owed.firehose,
    };
  }

  private drained(): boolean {
    const f = this.inFlight();
    return f.kinesisRetries < 0.5 && f.stream < 0.5 && f.firehoseBuffer < 0.5;
  }

  private tableMetrics(table: string) {
    let m = this.ddbMetrics.get(table);
    if (!m) {
      const ns = `dynamodb/${table}`;
      m = {
        consumed: this.cloudwatch.handle(ns, 'ConsumedWriteCapacityUnits'),
        throttles: this.cloudwatch.handle(ns, 'WriteThrottleEvents'),
        readConsumed: this.cloudwatch.handle(ns, 'ConsumedReadCapacityUnits'),
        readThrottles: this.cloudwatch.handle(ns, 'ReadThrottleEvents'),
      };
      this.ddbMetrics.set(table, m);
    }
    return m;
  }

  private startAutoscalers(): void {
    const s = this.scenario;
    const resolve = this.options.resolvePolicy ?? resolveBundledPolicy;
    // Policies keep running through the drain, as a real autoscaler would.
    const end = Infinity;
    if (s.kinesis.autoscaler !== 'none' && s.kinesis.mode === 'provisioned') {
      const { policy: name, ...rest } = s.kinesis.autoscaler;
      const policy = requirePolicy(resolve, name, 'kinesis');
      const target: ScalableTarget = {
        service: 'kinesis',
        resource: 'ingest',
        capacity: () => this.kinesis.shards,
        updating: () => this.kinesis.updating,
        unit: { writeBytes: SHARD_LIMITS.writeBytes, writeRecords: SHARD_LIMITS.writeRecords, readBytes: SHARD_LIMITS.readBytes, readRecords: SHARD_LIMITS.readRecords },
        metrics: (names) => this.cloudwatch.view('kinesis/ingest', names),
        request: (to) => {
          const result = this.kinesis.requestShardCount(this.now, to);
          if (result.applied) this.queue.schedule(result.activeAt ?? this.now, () => this.kinesis.completeReshard(), 0);
          return result;
        },
        // kinesis-scaling-utils' fallback when UpdateShardCount refuses (§2.4).
        splitMerge: (to, caps, seesActiveAt) =>
          runSplitMerge(
            { queue: this.queue, kinesis: this.kinesis, log: this.actions, now: this.now, operationSeconds: s.kinesis.splitMergeSeconds, resource: 'ingest' },
            planSplitMerge(this.kinesis.ranges(), to, caps),
            seesActiveAt,
          ),
      };
      new Autoscaler(policy, policy.configSchema.parse({ policy: name, ...rest }), target, this.actions).start(this.queue, 0, end);
    }
    if (s.dynamodb.mode === 'provisioned') {
      const tableOf = (name: string) => this.dynamodb.tables().find((x) => x.name === name);
      this.watchTables(s.dynamodb.autoscaling, resolve, end, (name) => ({
        resource: name,
        capacity: () => tableOf(name)?.writeCapacity ?? 0,
        metrics: (names) => this.cloudwatch.view(`dynamodb/${name}`, names),
        request: (to) => this.dynamodb.requestCapacity(this.now, name, to),
      }));
      // The same policies on read capacity: they see the read metrics where they read the write ones.
      this.watchTables(s.dynamodb.readAutoscaling, resolve, end, (name) => ({
        resource: `${name} (reads)`,
        capacity: () => tableOf(name)?.readCapacity ?? 0,
        metrics: () => {
          const v = this.cloudwatch.view(`dynamodb/${name}`, ['ConsumedReadCapacityUnits', 'ReadThrottleEvents']);
          return {
            ...(v.ConsumedReadCapacityUnits ? { ConsumedWriteCapacityUnits: v.ConsumedReadCapacityUnits, ConsumedReadCapacityUnits: v.ConsumedReadCapacityUnits } : {}),
            ...(v.ReadThrottleEvents ? { WriteThrottleEvents: v.ReadThrottleEvents } : {}),
          };
        },
        request: (to) => this.dynamodb.requestReadCapacity(this.now, name, to),
      }));
    }
  }

  /** One autoscaler per table, started when the table appears (tables are created ahead of their period). */
  private watchTables(
    scaling: 'none' | { policy: string },
    resolve: (name: string) => ScalingPolicy<any, any> | undefined,
    end: number,
    targetOf: (table: string) => Pick<ScalableTarget, 'resource' | 'capacity' | 'metrics' | 'request'>,
  ): void {
    if (scaling === 'none') return;
    const policy = requirePolicy(resolve, scaling.policy, 'dynamodb');
    const config = policy.configSchema.parse(scaling);
    const started = new Set<string>();
    const watch = (now: number) => {
      for (const table of this.dynamodb.tables()) {
        if (started.has(table.name)) continue;
        started.add(table.name);
        const target: ScalableTarget = {
          service: 'dynamodb',
          unit: { write: 1 },
          updating: () => this.dynamodb.tables().find((x) => x.name === table.name)?.updating ?? false,
          ...targetOf(table.name),
        };
        new Autoscaler(policy, config, target, this.actions).start(this.queue, now, end);
      }
      if (now + 60 <= this.duration + this.maxDrain) this.queue.schedule(now + 60, watch, 2);
    };
    this.queue.schedule(0, watch, 2);
  }
}

function requirePolicy(
  resolve: (name: string) => ScalingPolicy<any, any> | undefined,
  name: string,
  service: 'kinesis' | 'dynamodb',
): ScalingPolicy<any, any> {
  const policy = resolve(name);
  if (!policy) throw new RangeError(`unknown scaling policy "${name}"`);
  if (policy.service !== service) throw new RangeError(`policy "${name}" scales ${policy.service}, not ${service}`);
  return policy;
}
