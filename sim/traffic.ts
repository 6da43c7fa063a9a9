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
  })
  .refine((g) => g.rate !== undefined || g.stages !== undefined, {
    message: 'expected `rate` (events/s per tenant) or `stages`, found neither',
  });
export type TenantGroup = z.output<typeof tenantGroupSchema>;

/** Events/s of ONE tenant of the group at time `t` (seconds since start), bursts included. */
export function tenantRateAt(group: TenantGroup, t: number): number {
  if (t < group.startAt) return 0;
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

/** Draws each group's offered events per tick. Keeps a fractional carry for `noise: none` so totals stay exact. */
export class TrafficSource {
  private readonly carry: Float64Array;

  constructor(
    private readonly groups: readonly TenantGroup[],
    private readonly random: Random,
  ) {
    this.carry = new Float64Array(groups.length);
  }

  /** Fills `out[g]` with group g's offered events in the tick [t, t + dt). */
  draw(t: number, dt: number, out: Float64Array): void {
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g]!;
      // The rate at the middle of the tick integrates a linear ramp exactly.
      const expected = tenantRateAt(group, t + dt / 2) * group.count * dt;
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
