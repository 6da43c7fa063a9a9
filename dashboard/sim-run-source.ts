/**
 * The simulator as a run source: every frame (15 per second by default) it advances the Simulation by
 * speed × wall seconds elapsed, in slices so a frame never blocks the terminal for long, then tells its subscribers.
 * Snapshots read the simulation's own counters and timeline; nothing is recomputed that a model already counts.
 */
import type { Expectation, TimelineLike } from '../sim/expectations.ts';
import { deliveredEvents, perMillionEvents, priceUsage, type CostReport } from '../sim/pricing/cost-meter.ts';
import type { PriceEntry } from '../sim/pricing/price-table.ts';
import type { Simulation } from '../sim/simulation.ts';
import { Timeline, TIMELINE_COLUMN_NAMES, type TimelineColumn } from '../sim/timeline.ts';
import { wallClock, type FrameClock } from './frame-clock.ts';
import { judgeExpectations, summarySoFar } from './live-expectations.ts';
import type { ExpectationView, RunOutcome, RunRates, RunSeries, RunSnapshot, RunSource } from './run-source.ts';

export interface SimRunSourceOptions {
  /** Simulated seconds per wall second (default 60). */
  speed?: number;
  /** Frames per second (default 15). */
  fps?: number;
  clock?: FrameClock;
  /**
   * Longest time one frame may spend stepping, in real ms (default 60% of a frame). When the simulator cannot keep
   * up, the run falls behind the asked speed instead of freezing the screen; the ETA uses the pace achieved.
   */
  frameBudgetMs?: number;
  prices?: readonly PriceEntry[];
  priceDate?: string;
  /**
   * Judges the scenario's expectations against the run so far. Default: sim/expectations.ts's evaluator on a summary
   * and timeline of the run so far, at most twice a wall second, and on the final summary once the run ends.
   */
  expectations?: (sim: Simulation) => readonly ExpectationView[];
}

export const MIN_SPEED = 0.25;
export const MAX_SPEED = 1_048_576;

/** Mean columns hold per-row sums until Timeline.finish(); the dashboard divides by the ticks in the row. */
const MEAN_COLUMNS = new Set<TimelineColumn>(['kinesisDemandRps', 'kinesisCapacityRps', 'ddbDemandWcu', 'ddbCapacityWcu']);

export class SimRunSource implements RunSource {
  private readonly clock: FrameClock;
  private readonly fps: number;
  private readonly budgetMs: number;
  private readonly listeners = new Set<() => void>();
  private stopTimer: (() => void) | undefined;
  private lastWallMs = 0;
  private speedValue: number;
  private pausedValue = false;
  private stopped = false;
  /** Simulated seconds per wall second actually achieved (smoothed); drives the ETA. */
  private pace: number | undefined;
  /** Simulated time the frames so far have asked for; the simulation reaches it to within one tick. */
  private owed = 0;
  private final: RunOutcome | undefined;
  private readonly shardsInitial: number;
  private judged: { simTime: number; wallMs: number; final: boolean; views: readonly ExpectationView[] } | undefined;

  constructor(
    readonly sim: Simulation,
    private readonly options: SimRunSourceOptions = {},
  ) {
    this.clock = options.clock ?? wallClock;
    this.fps = options.fps ?? 15;
    this.budgetMs = options.frameBudgetMs ?? (0.6 * 1000) / this.fps;
    this.speedValue = clampSpeed(options.speed ?? 60);
    this.shardsInitial = sim.kinesis.shards;
  }

  get speed(): number {
    return this.speedValue;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  start(): void {
    if (this.stopTimer || this.stopped) return;
    this.lastWallMs = this.clock.now();
    this.owed = this.sim.time;
    this.stopTimer = this.clock.every(1000 / this.fps, () => this.frame());
  }

  stop(): void {
    this.stopped = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  togglePause(): void {
    this.pausedValue = !this.pausedValue;
    // Time spent paused is not owed to the simulation when it resumes.
    this.lastWallMs = this.clock.now();
    this.notify();
  }

  faster(): void {
    this.speedValue = clampSpeed(this.speedValue * 2);
    this.notify();
  }

  slower(): void {
    this.speedValue = clampSpeed(this.speedValue / 2);
    this.notify();
  }

  /** One frame: advance by the wall time since the previous frame, then notify. Public for tests and callers. */
  frame(): void {
    const nowMs = this.clock.now();
    const wallSeconds = Math.max(0, (nowMs - this.lastWallMs) / 1000);
    this.lastWallMs = nowMs;
    const sim = this.sim;
    if (!this.pausedValue && !this.stopped && !sim.done && wallSeconds > 0) {
      const from = sim.time;
      // Owed time accumulates across frames so fractional frames neither lose nor gain ticks.
      this.owed = Math.max(this.owed, from - sim.dt) + this.speedValue * wallSeconds;
      const target = this.owed - 1e-6;
      const slice = 60 * sim.dt;
      const started = performance.now();
      while (!sim.done && sim.time < target) {
        sim.stepUntil(Math.min(target, sim.time + slice));
        if (performance.now() - started > this.budgetMs) {
          // Behind: drop the debt rather than chase it, so the screen stays live.
          this.owed = sim.time;
          break;
        }
      }
      const achieved = (sim.time - from) / wallSeconds;
      this.pace = this.pace === undefined ? achieved : 0.7 * this.pace + 0.3 * achieved;
    }
    if (sim.done && !this.final) {
      const { summary, timeline } = sim.result();
      this.final = { summary, timeline, partial: false, stoppedAt: sim.time };
      this.stopTimer?.();
      this.stopTimer = undefined;
    }
    this.notify();
  }

  snapshot(points: number): RunSnapshot {
    const sim = this.sim;
    const t = sim.totals;
    const s = sim.scenario;
    const currentTable = sim.dynamodb.current(Math.min(sim.time, Math.max(0, sim.duration - sim.dt)));
    const table = currentTable === undefined ? undefined : sim.dynamodb.tables().find((x) => x.name === currentTable);
    const totalUsd = this.final ? this.final.summary.cost.totalUsd : this.costSoFar().totalUsd;
    const draining = sim.time >= sim.duration && !sim.done;
    const remaining = Math.max(0, sim.duration - sim.time);
    return {
      scenario: s.name,
      target: 'sim',
      time: sim.time,
      duration: sim.duration,
      draining,
      done: sim.done,
      paused: this.pausedValue,
      speed: this.speedValue,
      etaSeconds: sim.done || this.pausedValue ? null : remaining === 0 ? 0 : this.pace ? remaining / this.pace : remaining / this.speedValue,
      series: this.series(points),
      now: this.rates(),
      kinesis: {
        shards: sim.kinesis.shards,
        reshardingTo: sim.kinesis.updating ? sim.kinesis.pendingTarget : null,
        mode: sim.kinesis.mode,
      },
      dynamodb: { table: table?.name ?? null, wcu: table ? table.writeCapacity : null, mode: s.dynamodb.mode },
      firehose: {
        bufferedBytes: sim.firehose.buffered.bytes,
        bufferedRecords: sim.firehose.buffered.records,
        bufferLimitBytes: s.firehose.bufferMb * 1024 * 1024,
        objects: sim.firehose.objects,
        deliveredBytes: sim.firehose.deliveredBytes,
      },
      totals: {
        offered: t.offered,
        accepted: t.accepted,
        rejected: t.rejected,
        dropped: t.dropped,
        stored: t.stored,
        delivered: t.delivered,
        lost: t.expired,
      },
      maxIteratorAgeMs: t.maxIteratorAgeMs,
      cost: { totalUsd, perMillionEventsUsd: perMillionEvents(totalUsd, deliveredEvents(t.stored, t.delivered)) },
      actions: sim.actions,
      expectations: this.expectationViews(),
    };
  }

  outcome(): RunOutcome {
    if (this.final) return this.final;
    const sim = this.sim;
    const stoppedAt = sim.time;
    const { summary, timeline } = sim.result();
    const shown = Math.min(stoppedAt, sim.duration);
    const partial: RunOutcome = {
      summary: {
        ...summary,
        durationSeconds: shown,
        drainSeconds: Math.max(0, stoppedAt - sim.duration),
        audit: {
          ...summary.audit,
          notes: summary.audit.notes.map((n) => n.replace('when the drain limit was reached', 'when the run was stopped')),
        },
      },
      timeline: truncateTimeline(timeline, shown),
      partial: true,
      stoppedAt,
    };
    this.final = partial;
    return partial;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private costSoFar(): CostReport {
    const o = this.options;
    return priceUsage(this.sim.usageSoFar(), {
      region: this.sim.scenario.region,
      ...(o.priceDate ? { priceDate: o.priceDate } : {}),
      ...(o.prices ? { table: o.prices } : {}),
    });
  }

  private expectationViews(): readonly ExpectationView[] {
    if (this.options.expectations) return this.options.expectations(this.sim);
    const list: readonly Expectation[] = this.sim.scenario.expect ?? [];
    if (list.length === 0) return [];
    const final = this.final !== undefined;
    const j = this.judged;
    const wallMs = this.clock.now();
    // Building a summary prices the run and reads the latency histograms: not worth doing at every frame.
    if (j && j.final === final && (j.simTime === this.sim.time || (!final && wallMs - j.wallMs < 500))) return j.views;
    let views: readonly ExpectationView[];
    if (this.final) {
      views = judgeExpectations(list, this.final.summary, this.final.timeline, !this.final.partial);
    } else if (this.rowsDone() === 0) {
      views = list.map((e) => ({ label: `${e.key} ${e.text}`, status: 'pending' as const }));
    } else {
      views = judgeExpectations(list, summarySoFar(this.sim, this.costSoFar(), this.shardsInitial), this.timelineSoFar(), false);
    }
    this.judged = { simTime: this.sim.time, wallMs, final, views };
    return views;
  }

  /** The complete rows of the timeline as they will read once finished. */
  private timelineSoFar(): TimelineLike {
    const rows = this.rowsDone();
    const columns = {} as Record<TimelineColumn, Float64Array>;
    for (const name of TIMELINE_COLUMN_NAMES) {
      const col = new Float64Array(rows);
      for (let r = 0; r < rows; r++) col[r] = this.value(name, r);
      columns[name] = col;
    }
    return { rows, step: this.sim.timeline.step, columns };
  }

  /** Rows of the timeline complete so far. */
  private rowsDone(): number {
    const tl = this.sim.timeline;
    if (this.sim.done) return tl.rows;
    return Math.min(tl.rows, Math.floor(this.sim.time / tl.step + 1e-9));
  }

  /** Value of row `r` as the timeline will report it once finished (means divided, sums per second). */
  private value(column: TimelineColumn, r: number, perSecond = false): number {
    const tl = this.sim.timeline;
    const v = tl.columns[column][r]!;
    if (MEAN_COLUMNS.has(column) && !this.final) {
      const dt = this.sim.dt;
      const ticks = Math.ceil(((r + 1) * tl.step) / dt - 1e-9) - Math.ceil((r * tl.step) / dt - 1e-9);
      return ticks > 0 ? v / ticks : v;
    }
    return perSecond ? v / tl.step : v;
  }

  private series(points: number): RunSeries {
    const tl = this.sim.timeline;
    const n = Math.max(1, Math.min(points, tl.rows));
    const done = this.rowsDone();
    const pick = (column: TimelineColumn, perSecond = false): number[] => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const from = Math.floor((i * tl.rows) / n);
        if (from >= done) break;
        const to = Math.min(done, Math.max(from + 1, Math.floor(((i + 1) * tl.rows) / n)));
        let max = 0;
        for (let r = from; r < to; r++) max = Math.max(max, this.value(column, r, perSecond));
        out.push(max);
      }
      return out;
    };
    return {
      points: n,
      secondsPerPoint: (tl.rows * tl.step) / n,
      kinesisDemandRps: pick('kinesisDemandRps'),
      kinesisCapacityRps: pick('kinesisCapacityRps'),
      ddbDemandWcu: pick('ddbDemandWcu'),
      ddbCapacityWcu: pick('ddbCapacityWcu'),
      kinesisThrottledPerSecond: pick('kinesisThrottled', true),
      ddbThrottledPerSecond: pick('ddbThrottled', true),
      firehoseThrottledPerSecond: pick('firehoseThrottled', true),
      iteratorAgeMs: pick('iteratorAgeMs'),
    };
  }

  private rates(): RunRates {
    const r = this.rowsDone() - 1;
    if (r < 0) {
      // Nothing charted yet. (While draining, the last interval of the scenario stays on show: the timeline ends there.)
      return { kinesisDemandRps: 0, kinesisCapacityRps: 0, ddbDemandWcu: 0, kinesisThrottledPerSecond: 0, ddbThrottledPerSecond: 0, firehoseThrottledPerSecond: 0, iteratorAgeMs: 0 };
    }
    return {
      kinesisDemandRps: this.value('kinesisDemandRps', r),
      kinesisCapacityRps: this.value('kinesisCapacityRps', r),
      ddbDemandWcu: this.value('ddbDemandWcu', r),
      kinesisThrottledPerSecond: this.value('kinesisThrottled', r, true),
      ddbThrottledPerSecond: this.value('ddbThrottled', r, true),
      firehoseThrottledPerSecond: this.value('firehoseThrottled', r, true),
      iteratorAgeMs: this.value('iteratorAgeMs', r),
    };
  }
}

function clampSpeed(x: number): number {
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, x));
}

/** The first `seconds` of a finished timeline, for the summary of a run stopped early. */
function truncateTimeline(timeline: Timeline, seconds: number): Timeline {
  const out = new Timeline(Math.max(timeline.step, seconds), timeline.step);
  for (const [name, column] of Object.entries(timeline.columns) as [TimelineColumn, Float64Array][]) {
    out.columns[name].set(column.subarray(0, out.rows));
  }
  return out;
}
