/**
 * Seeded randomness. One generator per run (seedrandom's Alea: fast and reproducible across platforms), and the
 * few distributions the aggregated model needs: Poisson counts per tick and the sum of many event sizes.
 */
import seedrandom from 'seedrandom';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A Poisson count with mean `lambda`. */
  poisson(lambda: number): number;
  /** A standard normal deviate. */
  normal(): number;
}

export function createRandom(seed: number | string): Random {
  const uniform = seedrandom.alea(String(seed));
  let spare: number | undefined;

  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // Marsaglia polar method: two deviates per accepted pair.
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const k = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * k;
        return u * k;
      }
    }
  };

  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      // Knuth's product method: exact, cheap for small means.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = uniform();
      while (p > limit) {
        k++;
        p *= uniform();
      }
      return k;
    }
    // For larger means the normal approximation with continuity correction is within a fraction of a percent,
    // and per-tick counts in this model are in the hundreds to millions.
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
  };

  return { next: () => uniform(), poisson, normal };
}
