/**
 * Event sizes. The data plane moves aggregate byte counts (events × mean size), but every AWS hop bills or limits
 * per record with its own rounding (§8.7: 25 KB PUT payload units, 1 KB on-demand and DynamoDB units, 5 KB Firehose).
 * For a size distribution, E[ceil(size/unit)] differs from ceil(E[size]/unit), so we precompute these expectations
 * once per tenant group by integrating over the distribution's quantiles.
 */
import { probit } from 'simple-statistics';
import type { SizeDistribution } from '../scenarios/schema.ts';

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
