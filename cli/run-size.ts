/**
 * Refuses runs that cannot finish, before they start, saying why and what to change. Two limits: computing time
 * (ticks × the work of a tick, calibrated on `npm run bench`: 24 h × 1,000 tenants, up to 32 shards, runs in 0.66 s;
 * 7 d × 10,000 tenants, up to 120 shards, in 8.3 s) and the timeline's memory (a row per tick for the first day, then
 * one per minute, 25 columns of 8 bytes). INGESTLAB_MAX_RUN_SECONDS raises the time limit for whoever means it.
 */
import { UsageError } from '../sim/errors.ts';
import { int, seconds } from '../reports/format.ts';

export interface SizedScenario {
  readonly duration: number;
  readonly resolution: number;
  readonly tenants: readonly unknown[];
  readonly kinesis: { readonly shards?: number; readonly autoscaler?: unknown };
}

const DEFAULT_MAX_SECONDS = 3600;
const MAX_TIMELINE_BYTES = 2 * 1024 ** 3;
const TIMELINE_COLUMNS = 25;

interface GroupShape {
  count?: number;
  rate?: number;
  stages?: readonly { target?: number }[];
  bursts?: readonly { multiplier?: number }[];
}

/** An upper bound of the events a run offers: each group at its highest rate, times its biggest burst, all the time. */
export function offeredEstimate(s: SizedScenario): number {
  let total = 0;
  for (const g of s.tenants as readonly GroupShape[]) {
    const peak = Math.max(g.rate ?? 0, ...(g.stages ?? []).map((st) => st.target ?? 0));
    const burst = Math.max(1, ...(g.bursts ?? []).map((b) => b.multiplier ?? 1));
    total += (g.count ?? 1) * peak * burst * s.duration;
  }
  return total;
}

/** The time limit of one command's simulating, in wall seconds. */
export function maxRunSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.INGESTLAB_MAX_RUN_SECONDS) > 0 ? Number(env.INGESTLAB_MAX_RUN_SECONDS) : DEFAULT_MAX_SECONDS;
}

export interface RunSize {
  ticks: number;
  timelineRows: number;
  /** Rough wall-clock seconds on the project's 2-core machine. */
  estimatedSeconds: number;
  /** The part of it that grows with the number of tenants, whatever the tick. */
  tenantSeconds: number;
}

export function runSize(s: SizedScenario): RunSize {
  const ticks = Math.ceil(s.duration / s.resolution);
  const step = s.duration <= 86_400 ? s.resolution : Math.max(s.resolution, 60);
  const timelineRows = Math.ceil(s.duration / step);
  const autoscaler = s.kinesis.autoscaler as { maxShards?: unknown } | undefined | string;
  const maxShards = Math.max(s.kinesis.shards ?? 1, typeof autoscaler === 'object' && typeof autoscaler?.maxShards === 'number' ? autoscaler.maxShards : 0);
  const perTickMicros = 4 + 0.5 * s.tenants.length + 0.05 * maxShards;
  // Each tenant also costs set-up work (its key, its limits): about 7 µs of user time measured at 1,000,000 tenants.
  const tenants = (s.tenants as readonly { count?: number }[]).reduce((n, g) => n + (g.count ?? 1), 0);
  return { ticks, timelineRows, estimatedSeconds: (ticks * perTickMicros + tenants * 7) / 1e6, tenantSeconds: (tenants * 7) / 1e6 };
}

/** Throws a UsageError when the run would take longer than the limit or its timeline would not fit in memory. */
export function assertRunSize(s: SizedScenario, what = 'this run', env: NodeJS.ProcessEnv = process.env): RunSize {
  if (!(s.resolution > 0)) throw new UsageError(`${what}: resolution must be longer than 0s (a tick of time), e.g. 1s or 10s; got ${s.resolution}`);
  const size = runSize(s);
  const limit = maxRunSeconds(env);
  const shape = `${seconds(s.duration)} at ${seconds(s.resolution)} resolution is ${int(size.ticks)} ticks`;
  if (size.estimatedSeconds > limit) {
    // The coarsest common tick that brings it under the limit, if any does.
    const perTick = size.estimatedSeconds - size.tenantSeconds;
    const at = (r: number) => (perTick * s.resolution) / r + size.tenantSeconds;
    const coarser = [10, 60, 300, 3600].find((r) => r > s.resolution && at(r) <= limit);
    const suggestion =
      size.tenantSeconds > limit
        ? `use fewer tenants (${int((s.tenants as readonly { count?: number }[]).reduce((n, g) => n + (g.count ?? 1), 0))} take about ${seconds(Math.round(size.tenantSeconds))} to set up alone)`
        : coarser
          ? `use --resolution ${seconds(coarser)} (about ${seconds(Math.ceil(at(coarser)))}) or a shorter --duration`
          : 'use a shorter --duration';
    throw new UsageError(
      `${what} cannot finish in reasonable time: ${shape}, about ${seconds(Math.round(size.estimatedSeconds))} of computing (the limit is ${seconds(limit)}, INGESTLAB_MAX_RUN_SECONDS); ${suggestion}`,
    );
  }
  // Counts are doubles: past 2^53 whole events they stop adding up, and the audit could not balance.
  const offered = offeredEstimate(s);
  if (!(offered <= Number.MAX_SAFE_INTEGER)) {
    throw new UsageError(
      `${what} would offer about ${offered.toExponential(1)} events, more than the ${int(Number.MAX_SAFE_INTEGER)} a run can count exactly; lower the tenants' count or rate, or the duration`,
    );
  }
  const bytes = size.timelineRows * TIMELINE_COLUMNS * 8;
  if (bytes > MAX_TIMELINE_BYTES) {
    throw new UsageError(
      `${what} cannot fit in memory: ${shape} and its timeline would have ${int(size.timelineRows)} rows (${(bytes / 1024 ** 3).toFixed(1)} GiB, at most ${MAX_TIMELINE_BYTES / 1024 ** 3} GiB); use a shorter --duration`,
    );
  }
  return size;
}
