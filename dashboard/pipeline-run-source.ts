/**
 * A real run as a run source: a scenario on the embedded pipeline (loadgen/target-run.ts: the quota gateway, the
 * pipeline, the autoscaler, the load generator, a drain and the audit), watched through the run's live counters and
 * shown in the simulator's panels. Nothing here is modelled: every figure is read from a counter of the real run.
 *
 * - offered, accepted, rejected, dropped: the load generator's counts (offered = events of the requests sent so far);
 * - Kinesis demand (records let in + throttled), throttles, DynamoDB consumed WCU and throttled items, Firehose
 *   throttles: the quota gateway's counters, sampled every frame into rows of the scenario's resolution;
 * - shards: the initial count, then each autoscaler action's target once the gateway has completed that reshard;
 *   provisioned WCU: the gateway's model of the event table; iterator age: the processor's (× the time scale);
 * - stored: the processor's DynamoDB writes; delivered: the events in our Firehose's S3 objects; then, at the end,
 *   the audit's counts and verdict (loadgen/target-summary.ts builds the summary the command prints);
 * - cost so far: the metered usage so far priced with the simulator's price table, as target-summary.ts prices the
 *   whole run (Lambda requests only when uncompressed; duration is never priced: the processor is not on Lambda).
 *
 * Not measured on a real run, so null (the panels say "not measured"): DynamoDB's attempted WCU (the chart shows the
 * consumed WCU instead), an on-demand stream's capacity, and lost events until the audit. Time is scenario time since
 * the load started (the gateway's clock, × the time scale); counts are in scenario units (sent × 1/sample).
 */
import { DEFAULT_NAMES } from '../pipeline/storage/provision.ts';
import { runOnEmbedded, type TargetRunLive, type TargetRunOptions, type TargetRunResult } from '../loadgen/target-run.ts';
import { shardHoursOf, targetSummary } from '../loadgen/target-summary.ts';
import { scheduleShape } from '../loadgen/schedule.ts';
import { int } from '../reports/format.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { ScalingAction } from '../sim/autoscaler.ts';
import { SHARD_LIMITS } from '../sim/kinesis.ts';
import { deliveredEvents, perMillionEvents, priceUsage } from '../sim/pricing/cost-meter.ts';
import type { PriceEntry } from '../sim/pricing/price-table.ts';
import type { Usage } from '../sim/pricing/usage.ts';
import { meteredUsage } from '../loadgen/metered-usage.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { wallClock, type FrameClock } from './frame-clock.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { judgeExpectations } from './live-expectations.ts';
import type { ExpectationView, RunOutcome, RunRates, RunSeries, RunSnapshot, RunSource } from './run-source.ts';

export interface PipelineRunSourceOptions {
  /** --time-scale and --sample (defaults as scenario --target: K = 1, F = 1/K). */
  timeScale?: number;
  sample?: number;
  resolvePolicy?: TargetRunOptions['resolvePolicy'];
  prices?: readonly PriceEntry[];
  priceDate?: string;
  /** Longest wait for the processor after the load, wall seconds (target-run.ts's default otherwise). */
  drainSeconds?: number;
  /** Frames per second (default 15). */
  fps?: number;
  clock?: FrameClock;
  onWarning?: (warning: string) => void;
  /** The run (default runOnEmbedded); tests may wrap it. */
  run?: (scenario: Scenario, options: TargetRunOptions) => Promise<TargetRunResult>;
}

/** Cumulative gateway counts, scenario units. */
interface Counts {
  kinesisIn: number;
  kinesisThrottled: number;
  ddbConsumed: number;
  ddbThrottled: number;
  firehoseThrottled: number;
}

const ZERO: Counts = { kinesisIn: 0, kinesisThrottled: 0, ddbConsumed: 0, ddbThrottled: 0, firehoseThrottled: 0 };
const SUMS = ['kinesisIn', 'kinesisThrottled', 'ddbConsumed', 'ddbThrottled', 'firehoseThrottled'] as const;
const MIB = 1024 * 1024;

export class PipelineRunSource implements RunSource {
  private readonly clock: FrameClock;
  private readonly fps: number;
  private readonly listeners = new Set<() => void>();
  private readonly stopLoad = new AbortController();
  private readonly abortAll = new AbortController();
  private stopTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private live: TargetRunLive | undefined;
  private phase = 'provisioning';
  private stopping = false;
  private stoppedAt: number | undefined;
  private result: TargetRunResult | undefined;
  private error: Error | undefined;
  private final: { summary: Summary; timeline: Timeline; outcome: RunOutcome; verdict: { ok: boolean; text: string }; views: readonly ExpectationView[] } | undefined;
  /** Scenario seconds since the load started, as of the last frame. */
  private t = 0;
  readonly timeScale: number;
  readonly sample: number;
  readonly weight: number;
  /** Rows of the scenario's resolution: sums of counts, maxima of levels. */
  private readonly step: number;
  private readonly rows: number;
  private readonly sums: Record<(typeof SUMS)[number], Float64Array>;
  private readonly kinesisCapacity: Float64Array;
  private readonly ddbCapacity: Float64Array;
  private readonly iteratorAge: Float64Array;
  private base: Counts = ZERO;
  private prev: (Counts & { t: number }) | undefined;
  /** Provisioned WCU seen, from when (scenario seconds since the load started), for the capacity-hours so far. */
  private readonly wcuSteps: Array<{ at: number; wcu: number }> = [];
  private cost: { atMs: number; totalUsd: number } | undefined;

  constructor(
    readonly scenario: Scenario,
    private readonly options: PipelineRunSourceOptions = {},
  ) {
    this.clock = options.clock ?? wallClock;
    this.fps = options.fps ?? 15;
    const shape = scheduleShape(scenario, {
      ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
      ...(options.sample !== undefined ? { sample: options.sample } : {}),
    });
    this.timeScale = shape.timeScale;
    this.sample = shape.sample;
    this.weight = shape.weight;
    // The simulator's timeline step (the scenario's resolution, at least a minute beyond a day), and at least a wall
    // second of a compressed run: counters sampled a few times a wall second make noise of shorter rows.
    this.step = Math.max(scenario.duration <= 86_400 ? scenario.resolution : Math.max(scenario.resolution, 60), this.timeScale);
    this.rows = Math.max(1, Math.ceil(scenario.duration / this.step - 1e-9));
    this.sums = Object.fromEntries(SUMS.map((k) => [k, new Float64Array(this.rows)])) as PipelineRunSource['sums'];
    this.kinesisCapacity = new Float64Array(this.rows);
    this.ddbCapacity = new Float64Array(this.rows);
    this.iteratorAge = new Float64Array(this.rows);
    if (scenario.dynamodb.mode === 'provisioned') this.wcuSteps.push({ at: 0, wcu: scenario.dynamodb.writeCapacity });
  }

  get done(): boolean {
    return this.final !== undefined || this.error !== undefined;
  }

  /** Starts the run and the frames. */
  start(): void {
    if (this.running) return;
    this.stopTimer = this.clock.every(1000 / this.fps, () => this.frame());
    const run = this.options.run ?? runOnEmbedded;
    this.running = run(this.scenario, {
      timeScale: this.timeScale,
      sample: this.sample,
      ...(this.options.resolvePolicy ? { resolvePolicy: this.options.resolvePolicy } : {}),
      ...(this.options.drainSeconds !== undefined ? { drainSeconds: this.options.drainSeconds } : {}),
      onPhase: (phase) => {
        this.phase = phase;
      },
      ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
      onLive: (live) => {
        this.live = live;
      },
      stopLoad: this.stopLoad.signal,
      signal: this.abortAll.signal,
    }).then(
      (result) => this.finish(result),
      (error: unknown) => {
        this.error = error instanceof Error ? error : new Error(String(error));
        this.phase = 'failed';
      },
    );
    void this.running.finally(() => {
      this.stopTimer?.();
      this.stopTimer = undefined;
      this.notify();
    });
  }

  /**
   * Ends the load early (idempotent): the run still drains, audits and stops everything it started; `finished()`
   * resolves then. After the run, stops the frames.
   */
  stop(): void {
    if (this.done || !this.running) {
      this.stopTimer?.();
      this.stopTimer = undefined;
      return;
    }
    if (this.stopping) return;
    this.stopping = true;
    this.stoppedAt = Math.min(this.scenario.duration, this.loadTime() ?? 0);
    this.stopLoad.abort();
    this.notify();
  }

  /** Stops at once: the load and the drain (the audit then counts what arrived so far). */
  abort(): void {
    this.stop();
    this.abortAll.abort();
  }

  /** Resolves when the run has audited and stopped everything (or failed). */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A real run cannot pause or change pace: these do nothing. */
  togglePause(): void {}
  faster(): void {}
  slower(): void {}

  /** One frame: sample the counters, then notify. Public for tests. */
  frame(): void {
    if (!this.done) this.sampleCounters();
    this.notify();
  }

  /** The run's summary (partial when the load was stopped early). Call after `finished()`; throws the run's error. */
  outcome(): RunOutcome {
    if (this.error) throw this.error;
    if (!this.final) throw new Error('the run has not finished: await finished() first');
    return this.final.outcome;
  }

  /** The finished run as target-run.ts returned it (a stopped run's unsent tail taken out of offered and failed). */
  get targetResult(): TargetRunResult | undefined {
    return this.result;
  }

  /** The audit's verdict once done: ok when no accepted event is missing and the audit found nothing wrong. */
  get verdict(): { ok: boolean; text: string } | undefined {
    if (this.error) return { ok: false, text: `FAILED: ${this.error.message}` };
    return this.final?.verdict;
  }

  snapshot(points: number): RunSnapshot {
    const s = this.scenario;
    const live = this.live;
    const f = this.final;
    const w = this.weight;
    const K = this.timeScale;
    const load = live?.load() ?? null;
    const proc = live?.pipeline.processorCounters();
    const fh = this.firehoseTotals();
    const actions: readonly ScalingAction[] = this.result ? this.result.scaling.actions : (live?.actions() ?? []);
    const shards = this.shards(actions);
    const table = this.eventTable();
    const wcu = s.dynamodb.mode === 'provisioned' ? this.currentWcu(table) : null;
    const totals = f
      ? { ...f.summary.events }
      : {
          offered: (load?.sent.events ?? 0) * w,
          accepted: (load?.events.accepted ?? 0) * w,
          rejected: load ? (load.events.rejected + load.events.failed + load.events.errors) * w : 0,
          dropped: (load?.events.dropped ?? 0) * w,
          stored: (proc?.stored ?? 0) * w,
          delivered: (fh ? fh.deliveredRecords : (proc?.delivered ?? 0)) * w,
          lost: null,
        };
    const draining = this.phase === 'drain' || this.phase === 'audit';
    // The clock now, not at the last frame: the counts above are read now too.
    const time = this.done ? this.t : Math.max(this.t, this.loadTime() ?? 0);
    const costUsd = f ? f.summary.cost.totalUsd : this.costSoFar();
    return {
      scenario: s.name,
      target: this.result?.target ?? 'embedded',
      time,
      duration: s.duration,
      draining: draining && !this.done,
      done: this.done,
      paused: false,
      speed: K === 1 ? null : K,
      etaSeconds: this.phase === 'load' && !this.stopping && live?.loadStartedAt() != null ? Math.max(0, s.duration - time) / K : null,
      series: this.series(points),
      now: this.rates(shards.shards),
      kinesis: { shards: shards.shards, reshardingTo: shards.reshardingTo, mode: s.kinesis.mode },
      dynamodb: { table: table ?? null, wcu: wcu ?? null, mode: s.dynamodb.mode },
      firehose: {
        bufferedBytes: fh ? Math.max(0, fh.bytesIn - fh.deliveredBytes) : 0,
        bufferedRecords: fh ? Math.max(0, fh.recordsIn - fh.deliveredRecords) : 0,
        bufferLimitBytes: s.firehose.bufferMb * MIB,
        objects: fh?.objects ?? 0,
        deliveredBytes: (fh?.deliveredBytes ?? 0) * w,
      },
      totals,
      maxIteratorAgeMs: this.result ? this.result.kinesis.maxIteratorAgeMs : (live?.maxIteratorAgeMs() ?? 0) * K,
      cost: { totalUsd: costUsd, perMillionEventsUsd: f ? f.summary.cost.perMillionEventsUsd : perMillionEvents(costUsd, deliveredEvents(totals.stored, totals.delivered)) },
      actions,
      expectations: f ? f.views : s.expect.map((e) => ({ label: `${e.key} ${e.text}`, status: 'pending' as const })),
      real: { target: this.result?.target ?? 'embedded', timeScale: K, sample: this.sample, phase: this.error ? 'failed' : this.final ? 'done' : this.phase, stopping: this.stopping },
      ...(this.verdict ? { verdict: this.verdict } : {}),
    };
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Scenario seconds since the load started, or undefined before it. */
  private loadTime(): number | undefined {
    const start = this.live?.loadStartedAt();
    if (start === null || start === undefined) return undefined;
    return this.live!.clock.now() - start;
  }

  private counts(): Counts {
    const g = this.live?.gateway?.counters;
    if (!g) return ZERO;
    return {
      kinesisIn: g.kinesis.acceptedRecords,
      kinesisThrottled: g.kinesis.throttledRecords,
      ddbConsumed: g.dynamodb.consumedWcu,
      ddbThrottled: g.dynamodb.throttledItems,
      firehoseThrottled: g.firehose.throttledRecords,
    };
  }

  /** Adds the counts since the previous frame to the rows they fall in (in proportion to the overlap). */
  private sampleCounters(): void {
    if (!this.live) return;
    const c = this.counts();
    const t = this.loadTime();
    if (t === undefined) {
      // Before the load: what provisioning wrote is not the scenario's.
      this.base = c;
      return;
    }
    this.t = Math.max(this.t, t);
    const prev = this.prev ?? { t: 0, ...this.base };
    if (t <= prev.t) return;
    const duration = this.scenario.duration;
    const from = prev.t;
    const to = Math.min(t, duration);
    if (to > from) {
      for (let r = Math.floor(from / this.step + 1e-9); r < this.rows; r++) {
        const a = Math.max(from, r * this.step);
        const b = Math.min(to, (r + 1) * this.step);
        if (b <= a) break;
        const share = (b - a) / (t - from);
        for (const k of SUMS) this.sums[k][r]! += (c[k] - prev[k]) * share;
      }
    }
    if (t < duration) {
      const r = Math.min(this.rows - 1, Math.floor(t / this.step + 1e-9));
      const shards = this.shards(this.live.actions()).shards;
      if (this.scenario.kinesis.mode === 'provisioned') this.kinesisCapacity[r] = Math.max(this.kinesisCapacity[r]!, shards * SHARD_LIMITS.writeRecords);
      const wcu = this.scenario.dynamodb.mode === 'provisioned' ? this.currentWcu(this.eventTable()) : null;
      if (wcu !== null) {
        this.ddbCapacity[r] = Math.max(this.ddbCapacity[r]!, wcu);
        if (this.wcuSteps.at(-1)?.wcu !== wcu) this.wcuSteps.push({ at: t, wcu });
      }
      const age = (this.live.pipeline.processorCounters()?.iteratorAgeMs ?? 0) * this.timeScale;
      this.iteratorAge[r] = Math.max(this.iteratorAge[r]!, age);
    }
    this.prev = { t, ...c };
  }

  /** Rows complete so far (all of them once the load has ended). */
  private rowsDone(): number {
    if (this.done || this.phase === 'drain' || this.phase === 'audit') return this.prev ? Math.min(this.rows, Math.ceil(Math.min(this.t, this.scenario.duration) / this.step - 1e-9)) : 0;
    return Math.min(this.rows, Math.floor(this.t / this.step + 1e-9));
  }

  private series(points: number): RunSeries {
    const n = Math.max(1, Math.min(points, this.rows));
    const done = this.rowsDone();
    const step = this.step;
    const pick = (value: (r: number) => number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const from = Math.floor((i * this.rows) / n);
        if (from >= done) break;
        const to = Math.min(done, Math.max(from + 1, Math.floor(((i + 1) * this.rows) / n)));
        let max = 0;
        for (let r = from; r < to; r++) max = Math.max(max, value(r));
        out.push(max);
      }
      return out;
    };
    const perSecond = (col: Float64Array) => (r: number) => col[r]! / step;
    const level = (col: Float64Array) => (r: number) => col[r]!;
    return {
      points: n,
      secondsPerPoint: (this.rows * step) / n,
      kinesisDemandRps: pick((r) => (this.sums.kinesisIn[r]! + this.sums.kinesisThrottled[r]!) / step),
      kinesisCapacityRps: this.scenario.kinesis.mode === 'provisioned' ? pick(level(this.kinesisCapacity)) : [],
      ddbDemandWcu: [],
      ddbConsumedWcu: pick(perSecond(this.sums.ddbConsumed)),
      ddbCapacityWcu: this.scenario.dynamodb.mode === 'provisioned' ? pick(level(this.ddbCapacity)) : [],
      kinesisThrottledPerSecond: pick(perSecond(this.sums.kinesisThrottled)),
      ddbThrottledPerSecond: pick(perSecond(this.sums.ddbThrottled)),
      firehoseThrottledPerSecond: pick(perSecond(this.sums.firehoseThrottled)),
      iteratorAgeMs: pick(level(this.iteratorAge)),
    };
  }

  /** The latest complete row, per second; capacities as they are now. */
  private rates(shards: number): RunRates {
    const capacity = this.scenario.kinesis.mode === 'provisioned' ? shards * SHARD_LIMITS.writeRecords : null;
    const r = this.rowsDone() - 1;
    if (r < 0) {
      return { kinesisDemandRps: 0, kinesisCapacityRps: capacity, ddbDemandWcu: null, ddbConsumedWcu: 0, kinesisThrottledPerSecond: 0, ddbThrottledPerSecond: 0, firehoseThrottledPerSecond: 0, iteratorAgeMs: 0 };
    }
    const step = this.step;
    return {
      kinesisDemandRps: (this.sums.kinesisIn[r]! + this.sums.kinesisThrottled[r]!) / step,
      kinesisCapacityRps: capacity,
      ddbDemandWcu: null,
      ddbConsumedWcu: this.sums.ddbConsumed[r]! / step,
      kinesisThrottledPerSecond: this.sums.kinesisThrottled[r]! / step,
      ddbThrottledPerSecond: this.sums.ddbThrottled[r]! / step,
      firehoseThrottledPerSecond: this.sums.firehoseThrottled[r]! / step,
      iteratorAgeMs: this.iteratorAge[r]!,
    };
  }

  /** Open shards: the initial count, then each autoscaler action's target once the gateway completed its reshard. */
  private shards(actions: readonly ScalingAction[]): { shards: number; reshardingTo: number | null } {
    if (this.result) return { shards: this.result.kinesis.shardsFinal, reshardingTo: null };
    const kinesis = actions.filter((a) => a.service === 'kinesis' && !a.refusal);
    const completed = Math.min(kinesis.length, this.live?.gateway?.counters.kinesis.reshards ?? 0);
    const shards = completed > 0 ? kinesis[completed - 1]!.to : this.scenario.kinesis.shards;
    return { shards, reshardingTo: kinesis.length > completed ? kinesis.at(-1)!.to : null };
  }

  /** The event table DynamoDB is being written to: the newest week table with writes through the gateway. */
  private eventTable(): string | undefined {
    return this.eventTableNames('ConsumedWriteCapacityUnits').at(-1);
  }

  /** Week tables the gateway has published DynamoDB metrics for (`metric` of them only, if given), sorted. */
  private eventTableNames(metric?: string): string[] {
    const live = this.live;
    if (!live?.gateway) return [];
    const names = live.pipeline.names ?? DEFAULT_NAMES;
    const tables = new Set<string>();
    for (const info of live.gateway.metrics.list()) {
      if (info.namespace !== 'AWS/DynamoDB' || (metric !== undefined && info.name !== metric)) continue;
      const name = info.dimensions.TableName;
      if (name && name !== names.leaseTable && name !== names.schemaTable) tables.add(name);
    }
    return [...tables].sort();
  }

  /** The event table's provisioned WCU in the gateway's model (the scenario's until a table takes writes). */
  private currentWcu(table: string | undefined): number {
    const view = table ? this.live?.gateway?.dynamodb.table(table) : undefined;
    return view?.writeCapacity ?? this.wcuSteps.at(-1)?.wcu ?? this.scenario.dynamodb.writeCapacity;
  }

  private firehoseTotals() {
    const target = this.live?.pipeline.target;
    return target && 'firehose' in target ? target.firehose?.totals() : undefined;
  }

  /**
   * The metered usage so far, priced as loadgen/target-summary.ts prices a whole run (recomputed at most twice a wall
   * second): API requests sent, shard-hours and PUT payload units, DynamoDB capacity-hours (or request units), Firehose
   * ingestion and S3 objects; Lambda requests only on an uncompressed run.
   */
  private costSoFar(): number {
    const nowMs = this.clock.now();
    if (this.cost && nowMs - this.cost.atMs < 500) return this.cost.totalUsd;
    const totalUsd = this.priceSoFar();
    this.cost = { atMs: nowMs, totalUsd };
    return totalUsd;
  }

  /** The price of the usage metered over the first `seconds` of the scenario (default: so far). Public for tests. */
  priceSoFar(seconds = Math.min(this.t, this.scenario.duration)): number {
    const usage = this.usageSoFar(seconds);
    if (!usage) return 0;
    const o = this.options;
    return priceUsage(usage, { region: this.scenario.region, ...(o.priceDate ? { priceDate: o.priceDate } : {}), ...(o.prices ? { table: o.prices } : {}) }).totalUsd;
  }

  /** The usage metered over the first `seconds` of the scenario, undefined before the load. */
  usageSoFar(seconds: number): Usage | undefined {
    const live = this.live;
    const load = live?.load();
    if (!live || !load) return undefined;
    const s = this.scenario;
    const k = live.gateway?.counters.kinesis;
    let wcuHours = 0;
    for (let i = 0; i < this.wcuSteps.length; i++) {
      const from = Math.min(seconds, this.wcuSteps[i]!.at);
      const to = Math.min(seconds, this.wcuSteps[i + 1]?.at ?? seconds);
      wcuHours += (this.wcuSteps[i]!.wcu * Math.max(0, to - from)) / 3600;
    }
    const batches = live.pipeline.processorCounters()?.batches;
    const fh = this.firehoseTotals();
    const fhRecords = live.gateway?.counters.firehose.acceptedRecords ?? 0;
    return meteredUsage(s, {
      hours: seconds / 3600,
      apiRequests: (load.sent.requests + load.sent.retries) * this.weight,
      kinesisRecords: k?.acceptedRecords ?? 0,
      kinesisBytes: k?.acceptedBytes ?? 0,
      shardHours: shardHoursOf(s.kinesis.shards, live.actions(), seconds),
      ...(this.timeScale === 1 && this.sample === 1 && batches !== undefined ? { lambdaRequests: batches } : {}),
      wcuHours,
      readTables: Math.max(1, this.eventTableNames().length),
      ddbConsumedWcu: this.counts().ddbConsumed,
      // The records the gateway let into Firehose, at the mean size of what our Firehose took in.
      firehose: fh ? { records: fhRecords, meanBytes: fh.recordsIn > 0 ? fh.bytesIn / fh.recordsIn : 0 } : null,
      s3Objects: fh ? fh.objects : null,
    });
  }

  /** The run has returned: its summary (partial when the load was stopped early), the audit's verdict, expectations. */
  private finish(result: TargetRunResult): void {
    // One last sample of the counters as they stand after the drain.
    this.sampleCounters();
    this.result = result;
    const s = this.scenario;
    // Partial when the user's stop ended the load early (a load that gave up on its own deadline is a whole run whose
    // unsent requests count as failed, as scenario --target reports it).
    const partial = this.stopping && this.stoppedAt !== undefined && result.load.aborted;
    const stoppedAt = partial ? Math.max(s.resolution, this.stoppedAt!) : s.duration;
    const w = result.weight;
    // A load stopped early leaves requests never sent: they were not offered (the schedule's tail), not failed.
    const unsent = result.load.events.unsent * w;
    const run: TargetRunResult = partial ? { ...result, events: { ...result.events, offered: result.events.offered - unsent, failed: result.events.failed - unsent } } : result;
    this.result = run;
    const { summary, timeline } = targetSummary(partial ? { ...s, duration: stoppedAt } : s, run, {
      prices: { ...(this.options.priceDate ? { priceDate: this.options.priceDate } : {}), ...(this.options.prices ? { table: this.options.prices } : {}) },
    });
    const e = result.events;
    const ok = e.missing === 0 && result.audit.ok;
    const text = ok
      ? `audit OK: ${int(summary.events.stored)} stored, ${int(summary.events.delivered)} delivered, none lost`
      : `LOST: ${result.audit.problems.join('; ') || `${int(e.missing)} accepted events missing`}${result.drained ? '' : ' (the drain gave up with the processor behind)'}`;
    // A figure a real run does not measure (NaN in its summary) leaves its expectation unjudged, not broken.
    const results = evaluateExpectations(s.expect, summary, timeline);
    const views = judgeExpectations(s.expect, summary, timeline, !partial).map((v, i) =>
      Number.isNaN(results[i]!.actual) ? { label: v.label, status: 'pending' as const, detail: 'not measured' } : v,
    );
    this.final = { summary, timeline, outcome: { summary, timeline, partial, stoppedAt }, verdict: { ok, text }, views };
    this.phase = 'done';
  }
}
