/**
 * summary.json and timeline.csv for a run on a real target (issue 12 item 2): the simulator's result shape, filled from
 * what the real run measured (loadgen/target-run.ts): the load generator's counts and latencies, the gateway's
 * throttles and per-minute CloudWatch series, the audit's stored and delivered counts, the autoscaler's real actions,
 * and a cost priced from the metered usage with the simulator's own cost meter and price table. Pure: no I/O.
 *
 * What the real run cannot measure is not invented: such a number is NaN in memory (null in summary.json, an empty
 * cell in timeline.csv) and named in `notMeasured`; every approximation is an entry in `assumptions`.
 */
import { priceUsage, deliveredEvents, perMillionEvents, type PriceOptions } from '../sim/pricing/cost-meter.ts';
import type { Usage } from '../sim/pricing/usage.ts';
import { meteredUsage } from './metered-usage.ts';
import { assumptionsOf, type Assumption, type AuditSide, type Summary } from '../sim/summary.ts';
import { Timeline } from '../sim/timeline.ts';
import { LagTracker } from '../sim/lag-tracker.ts';
import { SHARD_LIMITS } from '../sim/kinesis.ts';
import type { SimulationConfig } from '../sim/simulation-config.ts';
import type { TargetRunResult } from './target-run.ts';
import { drainText } from './drain.ts';

/** Seconds per timeline row: the gateway's CloudWatch minutes. */
export const TARGET_TIMELINE_STEP = 60;

export interface TargetSummaryOptions {
  /** Price table, date (default: the newest prices, as the simulator). The region is the scenario's. */
  prices?: Omit<PriceOptions, 'region'>;
}

const count = (x: number) => (Number.isFinite(x) ? Math.round(x) : NaN);
const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : NaN);
const usd = (x: number) => Number(x.toFixed(6));

/** Shard count at each scenario second since the load started, from the initial count and the autoscaler's actions. */
export function shardSteps(initial: number, actions: TargetRunResult['scaling']['actions']): Array<{ at: number; shards: number }> {
  const steps = [{ at: 0, shards: initial }];
  for (const a of actions) if (a.service === 'kinesis' && !a.refusal) steps.push({ at: Math.max(0, a.atSeconds), shards: a.to });
  return steps.sort((a, b) => a.at - b.at);
}

/** ∫ shards dt over [0, duration], in hours. */
export function shardHoursOf(initial: number, actions: TargetRunResult['scaling']['actions'], duration: number): number {
  const steps = shardSteps(initial, actions);
  let total = 0;
  for (let i = 0; i < steps.length; i++) {
    const from = Math.min(duration, steps[i]!.at);
    const to = Math.min(duration, steps[i + 1]?.at ?? duration);
    total += steps[i]!.shards * Math.max(0, to - from);
  }
  return total / 3600;
}

function shardsAt(steps: Array<{ at: number; shards: number }>, from: number, to: number): number {
  let max = 0;
  let current = steps[0]!.shards;
  for (const s of steps) {
    if (s.at <= from) current = s.shards;
    else if (s.at < to) max = Math.max(max, s.shards);
  }
  return Math.max(max, current);
}

/**
 * Kinesis scaling lag on the timeline's rows (design.md: the longest span in which offered load exceeded capacity):
 * each row's fresh demand against the mean shards in effect over it, a reshard taking effect reshardSeconds after its
 * request, as the gateway completes it. Undefined for an on-demand stream.
 */
function kinesisLagOf(timeline: Timeline, run: TargetRunResult, scenario: SimulationConfig, duration: number): LagTracker | undefined {
  if (scenario.kinesis.mode !== 'provisioned') return undefined;
  const delay = scenario.kinesis.reshardSeconds;
  // Every step after the initial one shifted by the same delay: still in time order.
  const effective = shardSteps(run.kinesis.shardsInitial, run.scaling.actions).map((s, i) => (i === 0 ? s : { at: s.at + delay, shards: s.shards }));
  const lag = new LagTracker();
  for (let r = 0; r < timeline.rows; r++) {
    const from = timeline.time(r);
    const span = Math.min(timeline.step, duration - from);
    const demand = timeline.columns.kinesisDemandRps[r]!;
    if (!(span > 0) || !Number.isFinite(demand)) continue;
    const capacity = meanShards(effective, from, from + span) * SHARD_LIMITS.writeRecords;
    lag.observe(from, span, demand > capacity + 1e-9);
  }
  return lag;
}

/** Time-weighted mean shard count over [from, to), of steps in time order (shardSteps'). */
function meanShards(steps: ReadonlyArray<{ at: number; shards: number }>, from: number, to: number): number {
  let total = 0;
  for (let i = 0; i < steps.length; i++) {
    const a = Math.max(from, steps[i]!.at);
    const b = Math.min(to, steps[i + 1]?.at ?? Infinity);
    if (b > a) total += steps[i]!.shards * (b - a);
  }
  return total / (to - from);
}

/** Rows a CloudWatch minute starting at `at` overlaps, with the share of its part inside [0, duration) in each. */
export function spread(at: number, duration: number, timeline: Timeline): Array<{ row: number; share: number }> {
  const from = Math.max(0, at);
  const to = Math.min(duration, at + TARGET_TIMELINE_STEP);
  if (!(to > from)) return [];
  const out: Array<{ row: number; share: number }> = [];
  for (let r = Math.max(0, timeline.row(from)); r < timeline.rows; r++) {
    const a = Math.max(from, timeline.time(r));
    const b = Math.min(to, timeline.time(r) + timeline.step);
    if (b <= a) break;
    out.push({ row: r, share: (b - a) / (to - from) });
  }
  return out;
}

export function targetSummary(scenario: SimulationConfig, run: TargetRunResult, options: TargetSummaryOptions = {}): { summary: Summary; timeline: Timeline } {
  const w = run.weight;
  const K = run.timeScale;
  const e = run.events;
  const m = run.metered;
  const duration = scenario.duration;
  const hours = duration / 3600;
  const onAws = run.target === 'aws';
  const compressed = K !== 1 || run.sample !== 1;
  const notMeasured: string[] = [];
  const unmeasured = (field: string) => (notMeasured.push(field), NaN);
  const notes: Assumption[] = [];
  const note = (parameter: string, value: string, why: string) => notes.push({ parameter, value, why });

  note('target', `${run.target} (a real run)`, 'counts come from the load generator, the quota gateway, the processor and an audit of DynamoDB and S3, not from the model');
  if (compressed) {
    note(
      'compressed run',
      `time scale ${K}, sample ${+run.sample.toFixed(6)}: each sent event stands for ${+w.toFixed(6)}`,
      'event counts, throttles, shard-hours, capacity and cost are in scenario units (sent × weight); latencies are wall milliseconds as the load generator measured them, not scaled; iterator age and the drain are wall time × time scale; S3 objects and processor batches are as sent',
    );
  }
  note(
    'latencies',
    'wall-clock milliseconds: ingest from each request\'s intended send time to its 2xx (load generator, coordinated-omission corrected); end to end from the API\'s acceptance to stored and handed to Firehose (the processor)',
    'measured on this machine, not scaled by the time scale; the simulator\'s are modelled',
  );

  // ---- usage, metered (priced by the same formulas as the dashboard's cost so far: metered-usage.ts) ----
  note('API requests', `${m.apiRequests.toLocaleString('en-US')} sent (first attempts and retries) × weight`, 'priced as the scenario\'s API type; the real ingest API is not API Gateway');
  if (scenario.apiGateway.type === 'alb') note('ALB', 'not priced', 'the real run has no load balancer or fleet: ALB hours, LCUs and instance-hours are absent from the cost');
  const kRecords = m.kinesisRecords;
  const kBytes = m.kinesisBytes;
  const meanRecord = kRecords && kBytes !== null ? kBytes / kRecords : 0;
  if (scenario.kinesis.mode === 'provisioned') {
    note('kinesis shard-hours', 'initial shards, then each autoscaler action\'s target count from the time it was requested, over the scenario\'s duration', 'the reshard\'s own delay is not subtracted; the drain is not billed (as in the simulator)');
    if (kRecords !== null) note('kinesis PUT payload units', `${round(kRecords)} records × units of the mean record (${round(meanRecord, 1)} bytes, partition key included)`, 'exact while every record fits the same 25 KB unit');
  }
  if (kRecords === null) notMeasured.push('kinesis PUT payload units (no gateway on aws: not priced)');
  // Lambda's event source mapping polls each shard on the wall clock: a compressed or sampled run's batches are not
  // the scenario's invocations.
  const invocations =
    m.processorBatches !== null && !compressed
      ? m.processorBatches
      : unmeasured(m.processorBatches === null ? 'lambda.invocations' : 'lambda.invocations (compressed or sampled run: the processor\'s batches are not the scenario\'s invocations)');
  if (Number.isFinite(invocations)) note('lambda invocations', 'the processor\'s batches', 'the embedded processor reads the stream as Lambda\'s event source mapping would; one batch = one invocation');
  notMeasured.push('lambda.gbSeconds (the processor does not run on Lambda: duration is not priced)', 'lambda.maxConcurrency');
  const minutes = (m.minutes ?? []).filter((x) => x.at + TARGET_TIMELINE_STEP > 0 && x.at < duration);
  let wcuHours = 0;
  let wcuMax = scenario.dynamodb.mode === 'provisioned' ? scenario.dynamodb.writeCapacity : NaN;
  const readTables = Math.max(1, run.audit.tables.length);
  if (scenario.dynamodb.mode === 'provisioned') {
    let wcu = scenario.dynamodb.writeCapacity;
    for (let start = 0; start < duration; start += TARGET_TIMELINE_STEP) {
      const seen = minutes.find((x) => x.at <= start && start < x.at + TARGET_TIMELINE_STEP)?.ddbProvisionedWcu;
      if (seen !== null && seen !== undefined) wcu = seen;
      wcuMax = Math.max(wcuMax, wcu);
      wcuHours += (wcu * Math.min(TARGET_TIMELINE_STEP, duration - start)) / 3600;
    }
    note('dynamodb capacity-hours', `WCU: the provisioned WCU the gateway reported each minute (${scenario.dynamodb.writeCapacity} until one is reported); RCU: ${scenario.dynamodb.readCapacity} × ${readTables} table(s) × duration`, 'one current table\'s WCU is billed; read autoscaling is not followed');
  }
  const fhRecords = m.minutes ? m.minutes.reduce((a, x) => a + x.firehoseIncomingRecords, 0) : null;
  const fhBytes = (m.minutes ?? []).reduce((a, x) => a + x.firehoseIncomingBytes, 0);
  if (fhRecords !== null) note('firehose ingestion', `${round(fhRecords)} records × the 5 KB-rounded mean record`, 'exact while every record rounds to the same 5 KB step');
  else notMeasured.push('firehose ingestion (not priced)');
  if (m.firehoseObjects !== null) note('S3 objects', `${m.firehoseObjects} objects, as written`, 'our Firehose flushes its buffers at the end of the drain: the last objects are smaller and may be more than the buffer interval alone would write');
  const usage: Usage = meteredUsage(scenario, {
    hours,
    apiRequests: m.apiRequests * w,
    kinesisRecords: kRecords,
    kinesisBytes: kBytes,
    shardHours: shardHoursOf(run.kinesis.shardsInitial, run.scaling.actions, duration),
    ...(Number.isFinite(invocations) ? { lambdaRequests: invocations } : {}),
    wcuHours,
    readTables,
    ddbConsumedWcu: m.ddbConsumedWcu,
    firehose: fhRecords !== null ? { records: fhRecords, meanBytes: fhRecords > 0 ? fhBytes / fhRecords : 0 } : null,
    s3Objects: m.firehoseObjects,
  });
  notMeasured.push('s3 storage (not priced)', 'dynamodb storage (not priced)');
  const cost = priceUsage(usage, { region: scenario.region, ...(options.prices ?? {}) });

  // ---- audit ----
  // accepted = every event Kinesis took (2xx, or put before a 503 for others: `putUnacknowledged`), as the simulator's.
  const offeredGap = e.offered - (e.accepted + e.rejected + e.dropped + e.failed);
  const missing = e.missing;
  const late = e.late ?? 0;
  // Missing events are lost when the processor finished or stalled (loadgen/drain.ts); when the run stopped waiting
  // while it was still catching up (or was stopped), what is not written yet is in flight, never counted lost.
  const settled = run.drain ? run.drain.end === 'drained' || run.drain.end === 'stalled' : run.drained;
  const lostToDynamo = (settled ? missing : 0) + e.deadLettered;
  const inFlightDynamo = late + (settled ? 0 : missing);
  const missingS3 = run.audit.missingFromS3 * w;
  const buffered = (run.audit.firehoseBuffered ?? 0) * w;
  const side = (reached: number, lost: number, inFlight: number): AuditSide => ({ reached: count(reached), lost: count(lost), inFlight: count(inFlight), difference: round(e.accepted - (reached + lost + inFlight)) });
  const stored = side(e.stored, lostToDynamo, inFlightDynamo);
  const deliveredLost = settled ? Math.max(0, missingS3 - buffered) + e.deadLettered : e.deadLettered;
  const delivered = side(e.delivered, deliveredLost, settled ? buffered : e.accepted - e.delivered - deliveredLost);
  const auditNotes: string[] = [];
  const unacknowledged = e.putUnacknowledged ?? 0;
  if (unacknowledged >= 1) {
    auditNotes.push(
      `${count(unacknowledged).toLocaleString('en-US')} of the ${count(e.accepted).toLocaleString('en-US')} accepted events reached Kinesis in requests answered 503 for others of theirs that were dropped (put but unacknowledged): they are stored, and counted accepted as the simulator counts per record; ${count(e.accepted - unacknowledged).toLocaleString('en-US')} were answered 2xx`,
    );
  }
  if (run.drain && run.drain.end !== 'drained') auditNotes.push(`drain: ${drainText(run.drain, w)}`);
  if (e.failed >= 1) auditNotes.push(`${count(e.failed).toLocaleString('en-US')} offered events got another answer or none (failed): counted with the rejected below`);
  if (Math.abs(offeredGap) >= 1) auditNotes.push(`offered differs from accepted + rejected + dropped + failed by ${round(offeredGap)}`);
  if (Math.abs(stored.difference) >= 1) auditNotes.push(`accepted differs from stored + lost + in flight to DynamoDB by ${stored.difference}`);
  if (Math.abs(delivered.difference) >= 1) auditNotes.push(`accepted differs from delivered + lost + in flight to S3 by ${delivered.difference}`);
  if (e.deadLettered >= 1) auditNotes.push(`${count(e.deadLettered)} events dead-lettered by the processor (counted lost to both sinks)`);
  if (!run.drained && !run.drain) auditNotes.push(`the drain gave up with the processor behind: ${count(missing)} missing events are counted in flight, not lost`);
  auditNotes.push(...run.audit.problems);
  if (run.audit.examples?.length) auditNotes.push(`missing, e.g. ${run.audit.examples.slice(0, 5).join(', ')}`);
  const lost = Math.max(lostToDynamo, deliveredLost);

  // ---- timeline: the gateway's CloudWatch minutes; the load generator's schedule for offered ----
  const timeline = new Timeline(duration, TARGET_TIMELINE_STEP);
  const unmeasuredColumns = ['rejected', 'dropped', 'kinesisDemandBps', 'hotShards', 'lambdaInvocations', 'ddbDemandWcu', 'firehoseBufferBytes', 's3Objects', 'stored', 'delivered'] as const;
  for (const c of unmeasuredColumns) timeline.columns[c].fill(NaN);
  if (!m.minutes) for (const c of ['accepted', 'kinesisThrottled', 'iteratorAgeMs', 'ddbConsumedWcu', 'ddbCapacityWcu', 'ddbThrottled', 'firehoseThrottled'] as const) timeline.columns[c].fill(NaN);
  run.load.scheduledEventsPerSecond.forEach((n, wallSecond) => {
    const r = timeline.row(wallSecond * K);
    if (r >= 0) timeline.record(r, 'offered', n * w);
  });
  // Kinesis demand is fresh records (first attempts), as in the simulator: what was offered less the API's rejections
  // (their overall share: rejections are not counted per minute). Retries of throttled records are not demand.
  const passedApi = e.offered > 0 ? 1 - e.rejected / e.offered : 1;
  for (let r = 0; r < timeline.rows; r++) {
    const span = Math.min(timeline.step, duration - timeline.time(r));
    timeline.columns.kinesisDemandRps[r] = (timeline.columns.offered[r]! * passedApi) / span;
  }
  const steps = shardSteps(run.kinesis.shardsInitial, run.scaling.actions);
  const ddbWcu: number[] = [];
  for (let r = 0; r < timeline.rows; r++) {
    const from = timeline.time(r);
    const to = Math.min(duration, from + TARGET_TIMELINE_STEP);
    const shards = shardsAt(steps, from, to);
    timeline.record(r, 'shards', shards);
    if (scenario.kinesis.mode === 'provisioned') {
      timeline.columns.kinesisCapacityRps[r] = shards * SHARD_LIMITS.writeRecords;
      timeline.columns.kinesisCapacityBps[r] = shards * SHARD_LIMITS.writeBytes;
    } else {
      timeline.columns.kinesisCapacityRps[r] = NaN;
      timeline.columns.kinesisCapacityBps[r] = NaN;
    }
    ddbWcu.push(scenario.dynamodb.mode === 'provisioned' ? scenario.dynamodb.writeCapacity : NaN);
  }
  if (m.minutes) {
    const reported = new Set<number>();
    for (const x of minutes) {
      // The load need not start on a whole CloudWatch minute: a minute's sums are spread over the rows its part
      // inside the scenario [0, duration) overlaps, in proportion (a uniform rate within the minute); its maxima go
      // to every row it overlaps.
      for (const { row: r, share } of spread(x.at, duration, timeline)) {
        // Rates are per second of the row's part inside the scenario (a last, partial row is shorter), as the simulator's.
        const span = Math.min(timeline.step, duration - timeline.time(r));
        timeline.record(r, 'accepted', x.kinesisIncomingRecords * share);
        timeline.record(r, 'kinesisThrottled', x.kinesisThrottled * share);
        if (x.iteratorAgeMaxMs !== null) timeline.record(r, 'iteratorAgeMs', x.iteratorAgeMaxMs);
        timeline.record(r, 'ddbConsumedWcu', (x.ddbConsumedWcu * share) / span);
        if (x.ddbProvisionedWcu !== null) {
          ddbWcu[r] = reported.has(r) ? Math.max(ddbWcu[r]!, x.ddbProvisionedWcu) : x.ddbProvisionedWcu;
          reported.add(r);
        }
        timeline.record(r, 'ddbThrottled', x.ddbThrottled * share);
        timeline.record(r, 'firehoseThrottled', x.firehoseThrottled * share);
      }
    }
    // Provisioned WCU is reported only in minutes with writes: a quiet minute keeps the last reported capacity.
    for (let r = 0; r < timeline.rows; r++) {
      if (r > 0 && !reported.has(r)) ddbWcu[r] = ddbWcu[r - 1]!;
      timeline.columns.ddbCapacityWcu[r] = ddbWcu[r]!;
    }
  }
  note('timeline', `${TARGET_TIMELINE_STEP} s rows: the gateway's CloudWatch minutes${compressed ? ' of scenario time' : ''}`, 'accepted is what entered Kinesis, a minute that straddles two rows split between them in proportion to its overlap (uniform within the minute); offered is the load generator\'s schedule; rejected, dropped, stored, delivered, Lambda, hot shards and the Firehose buffer are not measured per minute (empty cells)');

  const firstUp = run.scaling.firstScaleUpAtSeconds;
  const kinesisLag = kinesisLagOf(timeline, run, scenario, duration);
  if (!kinesisLag) notMeasured.push('scaling.kinesis lag and under-provisioned seconds (on-demand: no provisioned capacity to compare with)');
  else note('scaling lag (Kinesis)', `from ${TARGET_TIMELINE_STEP} s rows`, "design.md's definition, the longest span in which offered load exceeded capacity, on the timeline's rows: fresh records offered (less the API's rejections) against the shards in effect, each reshard counted from its request plus reshardSeconds; the simulator's is on 1 s ticks, so the two differ by up to a row");
  notMeasured.push('scaling.dynamodb lag and under-provisioned seconds (DynamoDB demand is not measured per minute, only what was consumed)', 'apiGateway.rejectedAccountLimit (the ingest API has no account-level limit)');
  if (onAws) notMeasured.push('throttle counts (no quota gateway on aws: read CloudWatch)', 'timeline per-minute series');
  const summary: Summary = {
    scenario: scenario.name,
    description: scenario.description,
    target: run.target,
    seed: scenario.seed,
    region: scenario.region,
    durationSeconds: duration,
    resolutionSeconds: TARGET_TIMELINE_STEP,
    drainSeconds: round(run.wallSeconds.drain * K),
    events: {
      offered: count(e.offered),
      accepted: count(e.accepted),
      rejected: count(e.rejected + e.failed),
      dropped: count(e.dropped),
      stored: count(e.stored),
      delivered: count(e.delivered),
      lost: count(lost),
    },
    audit: {
      balanced: Math.abs(offeredGap) < 1 && Math.abs(stored.difference) < 1 && Math.abs(delivered.difference) < 1,
      lost: count(lost),
      stored,
      delivered,
      inFlightAtEnd: { kinesisRetries: 0, stream: count(inFlightDynamo), firehoseBuffer: count(buffered) },
      notes: auditNotes,
    },
    apiGateway: {
      type: scenario.apiGateway.type,
      requests: count(usage.apiGateway.requests),
      rejectedTenantLimit: count(e.rejected),
      rejectedAccountLimit: NaN,
      rejectedPayload: e.failed === 0 ? 0 : unmeasured('apiGateway.rejectedPayload (failed answers are not split by cause)'),
    },
    processor: { type: 'lambda' },
    kinesis: {
      mode: scenario.kinesis.mode,
      shardsInitial: run.kinesis.shardsInitial,
      shardsMax: run.kinesis.shardsMax,
      shardsFinal: run.kinesis.shardsFinal,
      reshards: run.kinesis.reshards,
      throttledRecords: onAws ? NaN : count(run.kinesis.throttledRecords),
      shardHours: round(usage.kinesis.shardHours),
      maxIteratorAgeMs: count(run.kinesis.maxIteratorAgeMs),
    },
    lambda: { invocations: count(invocations), gbSeconds: NaN, maxConcurrency: NaN, memoryMb: scenario.lambda.memoryMb },
    dynamodb: {
      mode: scenario.dynamodb.mode,
      throttledRequests: onAws ? NaN : count(run.dynamodb.throttledRequests),
      writeCapacityMax: round(wcuMax),
      capacityUnitHours: round(usage.dynamodb.writeCapacityUnitHours + usage.dynamodb.readCapacityUnitHours),
      tables: run.audit.tables.length,
      tableRefusals: run.gateway.dynamodb.refusedTableUpdates > 0 ? [`${run.gateway.dynamodb.refusedTableUpdates} table updates refused by the gateway`] : [],
    },
    firehose: {
      throttledRecords: onAws ? NaN : count(run.firehose.throttledRecords),
      objects: m.firehoseObjects ?? unmeasured('firehose.objects'),
      bytes: m.firehoseBytes !== null ? count(m.firehoseBytes * w) : unmeasured('firehose.bytes'),
    },
    latencyMs: m.processorEndToEndMs ?? { p50: unmeasured('latencyMs (end to end: no processor counters)'), p95: NaN, p99: NaN, max: NaN },
    ingestLatencyMs: run.ingestLatencyMs,
    scaling: {
      kinesis: { lagSeconds: kinesisLag ? round(kinesisLag.longest) : NaN, underProvisionedSeconds: kinesisLag ? round(kinesisLag.total) : NaN, firstScaleUpAtSeconds: firstUp },
      dynamodb: { lagSeconds: NaN, underProvisionedSeconds: NaN },
      actions: run.scaling.actions,
    },
    assumptions: [...notes, ...assumptionsOf(scenario)],
    warnings: [...run.warnings, ...run.scaling.errors.map((x) => `autoscaler: ${x}`)],
    notMeasured,
    cost: {
      totalUsd: usd(cost.totalUsd),
      perMillionEventsUsd: (() => {
        const p = perMillionEvents(cost.totalUsd, deliveredEvents(e.stored, e.delivered));
        return p === null ? null : usd(p);
      })(),
      byService: Object.fromEntries(Object.entries(cost.byService).map(([k, v]) => [k, usd(v)])),
      region: cost.region,
      priceDate: cost.priceDate,
      lines: cost.lines,
    },
  };
  return { summary, timeline };
}
