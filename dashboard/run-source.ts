/**
 * What the dashboard watches: a run source. The simulator's source (sim-run-source.ts) advances a Simulation frame
 * by frame; the pipeline's (pipeline-run-source.ts) samples the live counters of a real run on a target and emits the
 * same snapshots, so the panels show either engine. A figure a real run does not measure is null (shown as "not
 * measured", never as 0).
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
  /** DynamoDB consumed WCU/s, when attempted WCU is not measured (real runs). */
  readonly ddbConsumedWcu?: readonly number[];
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
  /** Null when not measured (an on-demand stream on a real run). */
  readonly kinesisCapacityRps: number | null;
  /** Attempted WCU/s; null when not measured (real runs: see ddbConsumedWcu). */
  readonly ddbDemandWcu: number | null;
  readonly ddbConsumedWcu?: number;
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

/** A run on a real target (pipeline-run-source.ts): what the header says about it. */
export interface RealRunInfo {
  readonly target: string;
  /** Scenario seconds per wall second (--time-scale) and the fraction of events sent (--sample). */
  readonly timeScale: number;
  readonly sample: number;
  /** provisioning, load, drain, audit, done, failed. */
  readonly phase: string;
  /** True once the user asked to stop: the load has ended early and the run drains and audits. */
  readonly stopping: boolean;
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
    /** Null until a real run's audit has counted it. */
    readonly lost: number | null;
  };
  readonly maxIteratorAgeMs: number;
  readonly cost: { readonly totalUsd: number; readonly perMillionEventsUsd: number | null };
  readonly actions: readonly ScalingAction[];
  readonly expectations: readonly ExpectationView[];
  /** Set on runs on a real target. */
  readonly real?: RealRunInfo;
  /** A real run's audit once it is done: every accepted event stored and delivered, or what is missing. */
  readonly verdict?: { readonly ok: boolean; readonly text: string };
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
