/**
 * Event sizes. The data plane moves aggregate byte counts (events × mean size), but every AWS hop bills or limits
 * per record with its own rounding (§8.7: 25 KB PUT payload units, 1 KB on-demand and DynamoDB units, 5 KB Firehose).
 * For a size distribution, E[ceil(size/unit)] differs from ceil(E[size]/unit), so we precompute these expectations
 * once per tenant group by integrating over the distribution's quantiles.
 */
import { probit } from 'simple-statistics';
import { z } from 'zod';

/** Bytes per event: a constant, or a distribution clamped to [min, max]. */
export const sizeDistributionSchema = z.union([
  z.number().positive(),
  z.strictObject({
    dist: z.enum(['normal', 'lognormal']),
    mean: z.number().positive(),
    sd: z.number().nonnegative(),
    /** Sizes are clamped to [min, max]; Kinesis refuses records over 1 MiB by default (§1.1). */
    min: z.number().positive().default(1),
    max: z.number().positive().default(1_048_576),
  }),
]);
export type SizeDistribution = z.output<typeof sizeDistributionSchema>;

export interface SizeStats {
  readonly meanBytes: number;
  readonly maxBytes: number;
  /** E[f(size)] for any per-record function, e.g. a billing rounding. */
  expect(f: (bytes: number) => number): number;
}

/** Quantile points used for expectations: fine enough that rounding steps of 1 KB are resolved to ~0.1%. */
const QUANTILES = 1000;

export function sizeStats(dist: SizeDistribution): SizeStats {
  if (typeof dist === 'number') {
    return { meanBytes: dist, maxBytes: dist, expect: (f) => f(dist) };
  }
  const sizes = new Float64Array(QUANTILES);
  const sigma2 = dist.dist === 'lognormal' ? Math.log(1 + (dist.sd * dist.sd) / (dist.mean * dist.mean)) : 0;
  const mu = Math.log(dist.mean) - sigma2 / 2;
  for (let i = 0; i < QUANTILES; i++) {
    const z = probit((i + 0.5) / QUANTILES);
    const raw = dist.dist === 'normal' ? dist.mean + dist.sd * z : Math.exp(mu + Math.sqrt(sigma2) * z);
    sizes[i] = Math.min(dist.max, Math.max(dist.min, Math.round(raw)));
  }
  const expect = (f: (bytes: number) => number): number => {
    let sum = 0;
    for (let i = 0; i < QUANTILES; i++) sum += f(sizes[i]!);
    return sum / QUANTILES;
  };
  // The mean after clamping and rounding, so byte totals agree with the per-record expectations.
  return { meanBytes: expect((b) => b), maxBytes: sizes[QUANTILES - 1]!, expect };
}
