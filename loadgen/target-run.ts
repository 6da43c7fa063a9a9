/**
 * A scenario on the real pipeline (issue 12, item 2), embedded target: the quota gateway (the simulator's models of
 * Kinesis, DynamoDB and Firehose limits on a scenario clock), the pipeline behind it (ingest API, processor, storage on
 * the emulators), the autoscaler runner with the scenario's own policy modules, the load generator, a drain, and the
 * audit of what the services hold. Counts are returned in scenario units (sent events × weight; the gateway counts
 * weights itself); latencies are wall milliseconds as the load generator measured them.
 *
 * The gateway's scenario clock runs from its creation (provisioning writes through it: its DynamoDB buckets must
 * refill). The load starts on a whole scenario minute when that is at most 5 wall seconds away, so CloudWatch minutes
 * fall where the simulator's do; the autoscaler starts with the load, so its checks fall where the simulator's do; and
 * every time reported (actions, first scale-up) is relative to the load's start, as the simulator's are.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { auditPipeline, type AuditResult } from '../pipeline/audit/audit-pipeline.ts';
import { startAutoscaler, type AutoscalerRunner } from '../pipeline/autoscaler.ts';
import { createQuotaGateway, type GatewayCounters, type QuotaGateway } from '../pipeline/gateway/quota-gateway.ts';
import { createScaledClock, sleepUntil, type ScenarioClock } from '../pipeline/gateway/scenario-clock.ts';
import type { MetricsStore, MinuteStat } from '../pipeline/gateway/metrics-store.ts';
import { startPipeline, type PipelineOptions, type RunningPipeline } from '../pipeline/run-pipeline.ts';
import type { TargetName } from '../pipeline/targets/target.ts';
import { UsageError } from '../sim/errors.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { ScalingAction } from '../sim/autoscaler.ts';
import type { LatencySummary } from '../sim/latency.ts';
import type { ScalingPolicy } from '../sim/policies/policy.ts';
import { drainProcessor, type DrainReport } from './drain.ts';
import { runLoad, type LiveLoadCounts, type LoadProgress, type LoadReport } from './driver.ts';
import { assignCredentials } from './keys.ts';
import { loadReport } from './result.ts';
import { ScheduleCursor, scenarioTenantIds, scheduleShape, scheduleTotals } from './schedule.ts';

export interface TargetRunOptions {
  readonly timeScale?: number;
  readonly sample?: number;
  /** Client retries of 429/503 (default 0: the simulator's API Gateway counts a 429 rejected, it does not retry it). */
  readonly retries?: number;
  readonly resolvePolicy?: (name: string) => ScalingPolicy<any, any> | undefined;
  /** Longest wait for the processor after the load (wall seconds; default the larger of 600 and 10 × the load's); the
   * drain ends sooner when everything is stored and delivered, or when the processor made no progress for
   * `drainStallSeconds` (default 60). See loadgen/drain.ts. */
  readonly drainSeconds?: number;
  readonly drainStallSeconds?: number;
  readonly connections?: number;
  readonly onProgress?: (p: LoadProgress) => void;
  /** Phases: provisioning, load, drain, audit. */
  readonly onPhase?: (phase: string) => void;
  /** What the target does not do as AWS would, once it is up (also in the result's `warnings`). */
  readonly onWarning?: (warning: string) => void;
  /** Stops everything at once: the load, and the drain (the run audits what arrived so far). */
  readonly signal?: AbortSignal;
  /** Ends the load early; the run still drains, audits and stops everything, as at the end of the schedule. */
  readonly stopLoad?: AbortSignal;
  /** Live handles on the run once the pipeline is up, before the load (a live view: dashboard/pipeline-run-source.ts). */
  readonly onLive?: (live: TargetRunLive) => void;
  /**
   * Where the pipeline runs (default embedded) and that target's flags. On aws there is no quota gateway: the run is
   * at time scale 1, and throttle counts the gateway would give are not measured (0).
   */
  readonly target?: Pick<PipelineOptions, 'target' | 'endpoint' | 'confirmAws' | 'maxCostUsd' | 'firehoseRoleArn' | 'region' | 'awsTarget'>;
}

/**
 * A running target run, for a live view: read these, never write them. Gateway and processor counts are as their own
 * types say (the gateway's in scenario units, the processor's, the API's and the load generator's in sent units).
 */
export interface TargetRunLive {
  readonly timeScale: number;
  readonly sample: number;
  /** Scenario events each sent event stands for. */
  readonly weight: number;
  /** The gateway's scenario clock (scenario seconds since the gateway started). */
  readonly clock: ScenarioClock;
  /** The quota gateway in front of the pipeline; undefined on aws. */
  readonly gateway: QuotaGateway | undefined;
  readonly pipeline: RunningPipeline<TargetName>;
  /** The clock's reading when the load started; null before. */
  loadStartedAt(): number | null;
  /** The load generator's counts so far; null before the load starts. */
  load(): LiveLoadCounts | null;
  /** The autoscaler's actions so far, in seconds since the load started. */
  actions(): ScalingAction[];
  /** The processor's largest iterator age sampled so far, wall ms. */
  maxIteratorAgeMs(): number;
}

/** What a run on a target measured, in scenario units. */
export interface TargetRunResult {
  readonly scenario: string;
  readonly target: TargetName;
  /** What the target said it does not do as AWS would (printed at start). */
  readonly warnings: string[];
  readonly seed: number;
  readonly timeScale: number;
  readonly sample: number;
  readonly weight: number;
  readonly durationSeconds: number;
  /** Wall seconds of load, and of the drain after it. */
  readonly wallSeconds: { load: number; drain: number };
  /** False when the processor had not read, stored and handed on everything admitted when the drain gave up: missing
   * events are then late rather than known lost. */
  readonly drained: boolean;
  /** How the drain ended (drained, stalled, at its cap while still progressing, aborted), how long, what was left. */
  readonly drain?: DrainReport;
  readonly events: {
    offered: number;
    /** Events Kinesis took: answered 2xx, or put before their request was answered 503 for others (the simulator's
     * accepted, whose API answers per record). */
    accepted: number;
    /** Of `accepted`, put to Kinesis in requests answered 503: stored, never acknowledged. */
    putUnacknowledged?: number;
    /** 429: the API's per-tenant limit. */
    rejected: number;
    /** 503: given up after the API's PutRecords retries. */
    dropped: number;
    /** Other answers and requests without an answer. */
    failed: number;
    stored: number;
    delivered: number;
    deadLettered: number;
    /** Accepted but neither stored nor dead-lettered after the drain. */
    missing: number;
    /** Accepted, not stored yet when the drain stopped at its cap with the processor still catching up (in flight). */
    late?: number;
  };
  readonly kinesis: {
    shardsInitial: number;
    shardsMax: number;
    shardsFinal: number;
    reshards: number;
    throttledRecords: number;
    /** The processor's largest iterator age seen (sampled every 250 ms), in scenario ms (wall ms × time scale). */
    maxIteratorAgeMs: number;
  };
  readonly dynamodb: { throttledRequests: number };
  readonly firehose: { throttledRecords: number };
  /** Times in seconds since the load started (the gateway's clock read `loadStartedAt` then). */
  readonly scaling: { actions: ScalingAction[]; firstScaleUpAtSeconds: number | null; errors: string[]; loadStartedAt: number };
  readonly latencyMs: LatencySummary;
  readonly ingestLatencyMs: LatencySummary;
  readonly load: LoadReport;
  readonly audit: AuditResult;
  readonly gateway: GatewayCounters;
  /** What the run metered beyond the totals above, for its summary.json, timeline and cost (loadgen/target-summary.ts). */
  readonly metered: TargetMetered;
}

/** One scenario minute of the gateway's CloudWatch series (all streams or tables summed), in scenario units. */
export interface MeteredMinute {
  /** Scenario seconds since the load started at which the minute starts (may be negative: provisioning). */
  readonly at: number;
  readonly kinesisIncomingRecords: number;
  readonly kinesisIncomingBytes: number;
  readonly kinesisThrottled: number;
  /** Largest GetRecords iterator age reported that minute (scenario ms), or null when no read was reported. */
  readonly iteratorAgeMaxMs: number | null;
  readonly ddbConsumedWcu: number;
  /** Largest provisioned WCU of any table that minute, or null when no write was seen (none is reported then). */
  readonly ddbProvisionedWcu: number | null;
  readonly ddbThrottled: number;
  readonly firehoseIncomingRecords: number;
  readonly firehoseIncomingBytes: number;
  readonly firehoseThrottled: number;
}

export interface TargetMetered {
  /** Null on aws (no gateway: read CloudWatch). */
  readonly minutes: MeteredMinute[] | null;
  /** Records and bytes the gateway let into Kinesis (scenario units); null on aws. */
  readonly kinesisRecords: number | null;
  readonly kinesisBytes: number | null;
  /** Write units DynamoDB consumed (scenario units); null on aws. */
  readonly ddbConsumedWcu: number | null;
  /** Batches the processor handled (one Lambda invocation each), in sent units; null when not counted. */
  readonly processorBatches: number | null;
  /** Our Firehose's S3 objects (sent units; flushed at the drain) and bytes delivered; null when not ours. */
  readonly firehoseObjects: number | null;
  readonly firehoseBytes: number | null;
  /** HTTP requests the load generator sent, first attempts and retries (sent units). */
  readonly apiRequests: number;
  /** The processor's accepted-by-the-API → stored and handed to Firehose, wall ms; null without a processor. */
  readonly processorEndToEndMs: LatencySummary | null;
}

export async function runOnEmbedded(scenario: Scenario, options: TargetRunOptions = {}): Promise<TargetRunResult> {
  const shape = scheduleShape(scenario, {
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
  });
  const K = shape.timeScale;
  const w = shape.weight;
  const targetName = options.target?.target ?? 'embedded';
  const onAws = targetName === 'aws';
  if (onAws && (K !== 1 || shape.sample !== 1)) {
    throw new UsageError(`--target aws runs on AWS's own clock: --time-scale and --sample must be 1 (got ${K} and ${shape.sample})`);
  }
  // A sample too small to send anything: found by the first request (the whole walk only to say how many were offered).
  const planned = new ScheduleCursor(scenario, { timeScale: K, sample: shape.sample }).next() ? undefined : scheduleTotals(scenario, { timeScale: K, sample: shape.sample });
  if (planned && planned.offeredEvents > 0) {
    const least = 1 / planned.offeredEvents;
    throw new UsageError(`--sample ${+shape.sample.toPrecision(6)} sends none of the scenario's ${Math.round(planned.offeredEvents).toLocaleString('en-US')} events: a run of it needs a sample of at least ${+least.toPrecision(2)}${options.sample === undefined ? ` (the default is 1 / time scale; lower --time-scale or give --sample)` : ''}`);
  }
  const clock = createScaledClock({ timeScale: K });
  const gateway = createQuotaGateway(scenario, { clock, weight: w });
  /** Scenario time on the gateway's clock when the load started. */
  let offset = 0;
  let pipeline: RunningPipeline<TargetName> | undefined;
  let drain: DrainReport | undefined;
  let autoscaler: AutoscalerRunner | undefined;
  let stopSampler = () => {};
  options.onPhase?.('provisioning');
  try {
    pipeline = await startPipeline({
      ...options.target,
      scenario,
      // The quota gateway stands in front of the emulators and LocalStack, never of AWS (it enforces its own limits).
      ...(onAws ? {} : { middleware: gateway.middleware, backends: gateway.backends }),
      ...(options.resolvePolicy ? { resolvePolicy: options.resolvePolicy } : {}),
      // Every scenario tenant gets its own key, so the API's per-tenant limit sees the scenario's tenants.
      maxTenants: shape.tenantCount,
      tenantLimit: scenario.apiGateway.tenantLimit,
      embedded: { firehose: { timeScale: K } },
      // LocalStack's own Firehose ignores buffering hints (one object per call): ours, on the scenario clock, as on embedded.
      localstack: { firehose: 'ours', firehoseOptions: { timeScale: K } },
    });
    const running = pipeline;
    for (const warning of running.warnings) options.onWarning?.(warning);
    let started = false;
    let liveLoad: LiveLoadCounts | null = null;
    let maxIteratorAgeMs = 0;
    options.onLive?.({
      timeScale: K,
      sample: shape.sample,
      weight: w,
      clock,
      gateway: onAws ? undefined : gateway,
      pipeline: running,
      loadStartedAt: () => (started ? offset : null),
      load: () => liveLoad,
      actions: () => (autoscaler?.actions ?? []).map((a) => ({ ...a, atSeconds: a.atSeconds - offset })),
      maxIteratorAgeMs: () => maxIteratorAgeMs,
    });
    const { credentials } = assignCredentials(scenarioTenantIds(scenario), { tenants: running.tenants });
    const autoscaled = scenario.kinesis.autoscaler !== 'none' || scenario.dynamodb.autoscaling !== 'none';
    const boundary = Math.ceil(clock.now() / 60) * 60;
    if ((boundary - clock.now()) / K <= 5) await sleepUntil(clock, boundary);
    options.onPhase?.('load');
    const sampler = setInterval(() => {
      maxIteratorAgeMs = Math.max(maxIteratorAgeMs, running.processor?.counters.iteratorAgeMs ?? 0);
    }, 250);
    stopSampler = () => clearInterval(sampler);
    const loadStart = performance.now();
    const result = await runLoad({
      url: running.apiUrl,
      scenario,
      credentials,
      timeScale: K,
      sample: shape.sample,
      retry: { maxRetries: options.retries ?? 0, backoffBaseMs: scenario.producer.backoffBaseMs, backoffMaxMs: scenario.producer.backoffMaxMs },
      ...(options.connections !== undefined ? { connections: options.connections } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal || options.stopLoad
        ? { signal: options.signal && options.stopLoad ? AbortSignal.any([options.signal, options.stopLoad]) : (options.signal ?? options.stopLoad)! }
        : {}),
      onStart: (live) => {
        offset = clock.now();
        started = true;
        liveLoad = live;
        if (autoscaled) {
          autoscaler = startAutoscaler({
            scenario,
            clients: running.aws,
            clock,
            stream: running.names.stream,
            ...(options.resolvePolicy ? { resolvePolicy: options.resolvePolicy } : {}),
          });
        }
      },
    });
    const load = loadReport(result);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    // Drain (loadgen/drain.ts): the processor reads, stores and hands to Firehose every record the gateway admitted,
    // waited for as long as it makes progress (bounded); then our Firehose flushes its buffers to S3 (what its buffer
    // interval would do later: the counts are the same, the wait is not).
    options.onPhase?.('drain');
    const drainStart = performance.now();
    const admitted = () => (onAws ? running.api.counters.eventsAccepted + running.api.counters.eventsUnacknowledgedInKinesis : gateway.counters.kinesis.acceptedRecords / w);
    drain = await drainProcessor({
      counters: () => running.processorCounters(),
      admitted,
      stallSeconds: options.drainStallSeconds ?? 60,
      capSeconds: options.drainSeconds ?? Math.max(600, 10 * loadSeconds),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const drained = drain.end === 'drained';
    const firehose = 'firehose' in running.target ? running.target.firehose : undefined;
    await firehose?.stop();
    stopSampler();
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await autoscaler?.stop();

    options.onPhase?.('audit');
    const fh = firehose?.totals();
    const processorBatches = running.processor?.counters.batches ?? null;
    const processorEndToEndMs = running.processor?.counters.endToEndMs ?? null;
    const audit = await auditPipeline({
      aws: running.aws,
      names: running.names,
      api: running.api.counters,
      // Stopped waiting while the processor was still catching up: what it has not stored yet is late, not missing.
      processorBehind: drain.end === 'cap',
      ...(fh ? { firehoseBuffered: Math.max(0, fh.recordsIn - fh.deliveredRecords) } : {}),
    });
    const summary = await running.aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: running.names.stream }));
    const shardsFinal = summary.StreamDescriptionSummary?.OpenShardCount ?? scenario.kinesis.shards;
    const actions = (autoscaler?.actions ?? []).map((a) => ({ ...a, atSeconds: a.atSeconds - offset }));
    const kinesisActions = actions.filter((a) => a.service === 'kinesis' && !a.refusal);
    const firstUp = kinesisActions.find((a) => a.to > a.from);
    return {
      scenario: scenario.name,
      target: targetName,
      warnings: running.warnings,
      seed: scenario.seed,
      timeScale: K,
      sample: shape.sample,
      weight: w,
      durationSeconds: scenario.duration,
      wallSeconds: { load: loadSeconds, drain: drainSeconds },
      drained,
      drain,
      events: {
        offered: load.scheduled.events * w,
        accepted: (load.events.accepted + load.events.putUnacknowledged) * w,
        putUnacknowledged: load.events.putUnacknowledged * w,
        rejected: load.events.rejected * w,
        dropped: load.events.dropped * w,
        failed: (load.events.failed + load.events.errors + load.events.unsent) * w,
        stored: audit.stored * w,
        delivered: audit.delivered * w,
        deadLettered: audit.deadLettered * w,
        missing: audit.missingFromDynamo * w,
        late: audit.lateToDynamo * w,
      },
      kinesis: {
        shardsInitial: scenario.kinesis.shards,
        shardsMax: Math.max(scenario.kinesis.shards, shardsFinal, ...kinesisActions.map((a) => a.to)),
        shardsFinal,
        reshards: gateway.counters.kinesis.reshards,
        throttledRecords: gateway.counters.kinesis.throttledRecords,
        maxIteratorAgeMs: maxIteratorAgeMs * K,
      },
      dynamodb: { throttledRequests: gateway.counters.dynamodb.throttledRequests },
      firehose: { throttledRecords: gateway.counters.firehose.throttledRecords },
      scaling: { actions, firstScaleUpAtSeconds: firstUp ? firstUp.atSeconds : null, errors: autoscaler?.errors ?? [], loadStartedAt: offset },
      latencyMs: load.latencyMs,
      ingestLatencyMs: load.ingestLatencyMs,
      load,
      audit,
      gateway: gateway.counters,
      metered: {
        minutes: onAws ? null : meteredMinutes(gateway.metrics, offset),
        kinesisRecords: onAws ? null : gateway.counters.kinesis.acceptedRecords,
        kinesisBytes: onAws ? null : gateway.counters.kinesis.acceptedBytes,
        ddbConsumedWcu: onAws ? null : gateway.counters.dynamodb.consumedWcu,
        processorBatches,
        firehoseObjects: fh ? fh.objects : null,
        firehoseBytes: fh ? fh.deliveredBytes : null,
        apiRequests: load.sent.requests + load.sent.retries,
        processorEndToEndMs,
      },
    };
  } finally {
    stopSampler();
    await autoscaler?.stop().catch(() => undefined);
    // A drain that did not finish must not turn into stop()'s unbounded one (it reads every shard to its tip).
    if (drain && drain.end !== 'drained') {
      await pipeline?.processor?.abort().catch(() => undefined);
      await pipeline?.processorThread?.abort().catch(() => undefined);
    }
    await pipeline?.stop().catch(() => undefined);
    gateway.close();
  }
}

/** The gateway's per-minute series, summed over streams and tables, minutes relative to the load's start. */
export function meteredMinutes(metrics: MetricsStore, offset: number): MeteredMinute[] {
  const series = {
    kinesisIncomingRecords: metrics.allMinutes('AWS/Kinesis', 'IncomingRecords'),
    kinesisIncomingBytes: metrics.allMinutes('AWS/Kinesis', 'IncomingBytes'),
    kinesisThrottled: metrics.allMinutes('AWS/Kinesis', 'WriteProvisionedThroughputExceeded'),
    iteratorAge: metrics.allMinutes('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds'),
    ddbConsumedWcu: metrics.allMinutes('AWS/DynamoDB', 'ConsumedWriteCapacityUnits'),
    ddbProvisionedWcu: metrics.allMinutes('AWS/DynamoDB', 'ProvisionedWriteCapacityUnits'),
    ddbThrottled: metrics.allMinutes('AWS/DynamoDB', 'WriteThrottleEvents'),
    firehoseIncomingRecords: metrics.allMinutes('AWS/Firehose', 'IncomingRecords'),
    firehoseIncomingBytes: metrics.allMinutes('AWS/Firehose', 'IncomingBytes'),
    firehoseThrottled: metrics.allMinutes('AWS/Firehose', 'ThrottledRecords'),
  };
  const minutes = new Set<number>();
  for (const list of Object.values(series)) for (const m of list) minutes.add(m.minute);
  const at = (list: MinuteStat[], minute: number) => list.find((m) => m.minute === minute);
  return [...minutes]
    .sort((a, b) => a - b)
    .map((minute) => ({
      at: minute - offset,
      kinesisIncomingRecords: at(series.kinesisIncomingRecords, minute)?.sum ?? 0,
      kinesisIncomingBytes: at(series.kinesisIncomingBytes, minute)?.sum ?? 0,
      kinesisThrottled: at(series.kinesisThrottled, minute)?.sum ?? 0,
      iteratorAgeMaxMs: at(series.iteratorAge, minute)?.max ?? null,
      ddbConsumedWcu: at(series.ddbConsumedWcu, minute)?.sum ?? 0,
      ddbProvisionedWcu: at(series.ddbProvisionedWcu, minute)?.max ?? null,
      ddbThrottled: at(series.ddbThrottled, minute)?.sum ?? 0,
      firehoseIncomingRecords: at(series.firehoseIncomingRecords, minute)?.sum ?? 0,
      firehoseIncomingBytes: at(series.firehoseIncomingBytes, minute)?.sum ?? 0,
      firehoseThrottled: at(series.firehoseThrottled, minute)?.sum ?? 0,
    }));
}
