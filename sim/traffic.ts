/**
 * Offered load: per tenant group, the rate at a given second (constant, k6-style stages, bursts) and the number of
 * events in one tick (Poisson around the rate, or exactly the rate). Groups of identical tenants are one flow.
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import type { Random } from './engine/random.ts';
import { sizeDistributionSchema } from './event-size.ts';

const stageSchema = z.strictObject({ duration: duration(), target: z.number().nonnegative() });
const burstSchema = z.strictObject({ at: duration(), duration: duration(), multiplier: z.number().nonnegative() });

/** A group's offered rate read from a trace: the WHOLE group's events/s in consecutive periods from its `startAt`. */
export interface RateSeries {
  readonly periodSeconds: number;
  readonly eventsPerSecond: readonly number[];
}

const isRateSeries = (v: unknown): v is RateSeries =>
  typeof v === 'object' && v !== null && typeof (v as RateSeries).periodSeconds === 'number' && (v as RateSeries).periodSeconds > 0 && Array.isArray((v as RateSeries).eventsPerSecond);

/** `trace:` of a tenant group: the rate comes from a metrics file (sums per period) instead of `rate`/`stages`. */
const traceSchema = z.strictObject({
  /** A CSV (timestamp column, then value columns) or `aws cloudwatch get-metric-data` JSON; relative to the scenario file. */
  file: z.string().min(1),
  /** The value column (CSV header) or the result's Id or Label (JSON); default the first. */
  column: z.string().min(1).optional(),
  /** Multiplies the trace's rate (growth). */
  scale: z.number().positive().default(1),
  /** The file's rates, filled in by the scenario loader (sim/ reads no files). */
  series: z.custom<RateSeries>(isRateSeries, { message: 'series is filled in by the scenario loader from `file`; remove it' }).optional(),
});
export type TraceConfig = z.output<typeof traceSchema>;

/** One group of identical tenants: its rate over time, arrivals, event sizes and client batching. */
export const tenantGroupSchema = z
  .strictObject({
    name: z.string().min(1),
    count: z.number().int().positive().default(1),
    /** Events/s per tenant, constant. */
    rate: z.number().nonnegative().optional(),
    /** k6-style linear ramps from the previous target (or `rate`, or 0). */
    stages: z.array(stageSchema).min(1).optional(),
    bursts: z.array(burstSchema).default([]),
    /** Poisson arrivals around the rate, or exactly the rate every tick. */
    noise: z.enum(['poisson', 'none']).default('poisson'),
    /** When the group starts sending. */
    startAt: duration().default(0),
    eventBytes: sizeDistributionSchema.default(512),
    /** Events per API request (the client's multi-put). */
    batchSize: z.number().int().positive().max(10_000).default(1),
    /** The group's rate from a metrics file, spread evenly over its `count` tenants (replaces `rate` and `stages`). */
    trace: traceSchema.optional(),
  })
  .refine((g) => g.rate !== undefined || g.stages !== undefined || g.trace !== undefined, {
    message: 'expected `rate` (events/s per tenant), `stages` or `trace`, found none',
  })
  .refine((g) => g.trace === undefined || (g.rate === undefined && g.stages === undefined), {
    message: '`trace` gives the rate, so the group cannot also have `rate` or `stages`; keep one',
  });
export type TenantGroup = z.output<typeof tenantGroupSchema>;

/** Events/s of a series at `t` seconds after its start (0 before and after it). */
export function seriesRateAt(series: RateSeries, t: number): number {
  if (t < 0) return 0;
  return series.eventsPerSecond[Math.floor(t / series.periodSeconds)] ?? 0;
}

/** Events a series offers in [a, b) seconds after its start: the exact integral of its steps. */
export function seriesEvents(series: RateSeries, a: number, b: number): number {
  const p = series.periodSeconds;
  const from = Math.max(0, a);
  const to = Math.min(b, p * series.eventsPerSecond.length);
  let sum = 0;
  for (let k = Math.floor(from / p); k * p < to; k++) sum += series.eventsPerSecond[k]! * (Math.min(to, (k + 1) * p) - Math.max(from, k * p));
  return sum;
}

function seriesOf(group: TenantGroup): RateSeries | undefined {
  if (!group.trace) return undefined;
  if (!group.trace.series) throw new Error(`tenant group "${group.name}" has a trace whose file was not loaded (load scenarios with scenarios/load.ts)`);
  return group.trace.series;
}

function burstMultiplier(group: TenantGroup, t: number): number {
  let m = 1;
  for (const burst of group.bursts) if (t >= burst.at && t < burst.at + burst.duration) m *= burst.multiplier;
  return m;
}

/** Events/s of ONE tenant of the group at time `t` (seconds since start), bursts included. */
export function tenantRateAt(group: TenantGroup, t: number): number {
  if (t < group.startAt) return 0;
  const series = seriesOf(group);
  if (series) return ((seriesRateAt(series, t - group.startAt) * group.trace!.scale) / group.count) * burstMultiplier(group, t);
  let rate = group.rate ?? 0;
  if (group.stages) {
    // k6 ramping: each stage moves linearly from the previous target to its own over its duration.
    let from = group.rate ?? 0;
    let start = group.startAt;
    rate = from;
    for (const stage of group.stages) {
      const end = start + stage.duration;
      if (t < end) {
        rate = stage.duration === 0 ? stage.target : from + ((stage.target - from) * (t - start)) / stage.duration;
        break;
      }
      rate = stage.target;
      from = stage.target;
      start = end;
    }
  }
  for (const burst of group.bursts) {
    if (t >= burst.at && t < burst.at + burst.duration) rate *= burst.multiplier;
  }
  return rate;
}

/**
 * Draws each group's offered events per tick. Keeps a fractional carry for `noise: none` so totals stay exact.
 * `scale` multiplies every group's rate (the scenario's `traffic.scale`: growth).
 */
export class TrafficSource {
  private readonly carry: Float64Array;
  private readonly series: (RateSeries | undefined)[];

  constructor(
    private readonly groups: readonly TenantGroup[],
    private readonly random: Random,
    private readonly scale = 1,
  ) {
    this.carry = new Float64Array(groups.length);
    this.series = groups.map(seriesOf);
  }

  /** Fills `out[g]` with group g's offered events in the tick [t, t + dt). */
  draw(t: number, dt: number, out: Float64Array): void {
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g]!;
      const series = this.series[g];
      // The rate at the middle of the tick integrates a linear ramp exactly; a trace's steps are integrated over the tick.
      const expected =
        this.scale *
        (series
          ? seriesEvents(series, t - group.startAt, t + dt - group.startAt) * group.trace!.scale * burstMultiplier(group, t + dt / 2)
          : tenantRateAt(group, t + dt / 2) * group.count * dt);
      if (group.noise === 'poisson') {
        out[g] = this.random.poisson(expected);
      } else {
        const total = expected + this.carry[g]!;
        out[g] = Math.floor(total);
        this.carry[g] = total - out[g]!;
      }
    }
  }
}
