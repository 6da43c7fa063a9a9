/**
 * What the dashboard watches: a run source. The simulator's source (sim-run-source.ts) advances a Simulation frame
 * by frame; a future real-pipeline source will poll the pipeline's metrics and emit the same snapshots, so the
 * panels never know which engine they are showing.
 */
import type { ScalingAction } from '../sim/autoscaler.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';

/** Series the panels chart, resampled to a fixed number of points across the whole run (0 … duration). */
export interface RunSeries {
  /** Points the whole run spans; the arrays below hold the points filled so far (≤ `points`). */
  readonly points: number;
  /** Simulated seconds each point covers. */
  readonly secondsPerPoint: number;
  /** Kinesis fresh write demand and write capacity, records/s (max over each point). */
  readonly kinesisDemandRps: readonly number[];
  readonly kinesisCapacityRps: readonly number[];
  /** DynamoDB attempted WCU/s and provisioned WCU of the current table (max over each point). */
  readonly ddbDemandWcu: readonly number[];
  readonly ddbCapacityWcu: readonly number[];
  /** Throttled records or items per second (max over each point). */
  readonly kinesisThrottledPerSecond: readonly number[];
  readonly ddbThrottledPerSecond: readonly number[];
  readonly firehoseThrottledPerSecond: readonly number[];
  /** Iterator age, ms (max over each point). */
  readonly iteratorAgeMs: readonly number[];
}

/** The latest complete interval of the run, per second, for the "now" figures. */
export interface RunRates {
  readonly kinesisDemandRps: number;
  readonly kinesisCapacityRps: number;
  readonly ddbDemandWcu: number;
  readonly kinesisThrottledPerSecond: number;
  readonly ddbThrottledPerSecond: number;
  readonly firehoseThrottledPerSecond: number;
  readonly iteratorAgeMs: number;
}

/** One expectation of the scenario and whether it holds so far. */
export interface ExpectationView {
  readonly label: string;
  /** `pending` while it cannot be judged yet (or no evaluator is wired). */
  readonly status: 'ok' | 'broken' | 'pending';
  readonly detail?: string;
}

export interface RunSnapshot {
  readonly scenario: string;
  readonly target: string;
  /** Simulated (or wall, for the pipeline) seconds since the start. */
  readonly time: number;
  readonly duration: number;
  /** After the scenario's traffic ended, while in-flight events are stored and delivered. */
  readonly draining: boolean;
  readonly done: boolean;
  readonly paused: boolean;
  /** Simulated seconds per wall second; null when the run goes at wall-clock pace (a real pipeline). */
  readonly speed: number | null;
  /** Wall seconds to the end of the scenario at the pace actually achieved; null when paused or unknown. */
  readonly etaSeconds: number | null;
  readonly series: RunSeries;
  readonly now: RunRates;
  readonly kinesis: { readonly shards: number; readonly reshardingTo: number | null; readonly mode: string };
  readonly dynamodb: { readonly table: string | null; readonly wcu: number | null; readonly mode: string };
  readonly firehose: {
    readonly bufferedBytes: number;
    readonly bufferedRecords: number;
    readonly bufferLimitBytes: number;
    readonly objects: number;
    readonly deliveredBytes: number;
  };
  readonly totals: {
    readonly offered: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly dropped: number;
    readonly stored: number;
    readonly delivered: number;
    readonly lost: number;
  };
  readonly maxIteratorAgeMs: number;
  readonly cost: { readonly totalUsd: number; readonly perMillionEventsUsd: number | null };
  readonly actions: readonly ScalingAction[];
  readonly expectations: readonly ExpectationView[];
}

/** What a run leaves when the dashboard closes: the summary (of the part that ran, if stopped early). */
export interface RunOutcome {
  readonly summary: Summary;
  readonly timeline: Timeline;
  /** True when the user quit before the run finished; the summary then covers `[0, stoppedAt)` only. */
  readonly partial: boolean;
  readonly stoppedAt: number;
}

export interface RunSource {
  /** Starts the run's frames (the simulator steps; a pipeline source starts polling). */
  start(): void;
  /** Stops everything the source started. Idempotent. */
  stop(): void;
  /** Calls `listener` after every frame; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The state after the last frame, with series resampled to `points` points. */
  snapshot(points: number): RunSnapshot;
  togglePause(): void;
  /** Doubles or halves the speed; ignored by sources that run at wall-clock pace. */
  faster(): void;
  slower(): void;
  /** The run's summary: complete, or partial when stopped early. Call after `stop()`. */
  outcome(): RunOutcome;
}
