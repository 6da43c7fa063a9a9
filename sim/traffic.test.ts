import { describe, expect, it } from 'vitest';
import { scenario, tenants } from '../test/builders.ts';
import { createRandom } from './engine/random.ts';
import { tenantRateAt, TrafficSource } from './traffic.ts';

const group = (extra: Record<string, unknown>) => scenario({ duration: '1h', tenants: tenants(1, 0, extra) }).tenants[0]!;

describe('tenant rates', () => {
  it('ramps linearly through k6-style stages and holds the last target', () => {
    const g = group({ rate: 10, stages: [{ duration: '10m', target: 110 }, { duration: '5m', target: 0 }] });
    expect(tenantRateAt(g, 0)).toBe(10);
    expect(tenantRateAt(g, 300)).toBe(60);
    expect(tenantRateAt(g, 600)).toBe(110);
    expect(tenantRateAt(g, 750)).toBe(55);
    expect(tenantRateAt(g, 5000)).toBe(0);
  });

  it('multiplies the rate during a burst and by every overlapping burst', () => {
    const g = group({ rate: 10, bursts: [{ at: '1m', duration: '2m', multiplier: 5 }, { at: '2m', duration: '2m', multiplier: 2 }] });
    expect(tenantRateAt(g, 59)).toBe(10);
    expect(tenantRateAt(g, 60)).toBe(50);
    expect(tenantRateAt(g, 150)).toBe(100);
    expect(tenantRateAt(g, 200)).toBe(20);
    expect(tenantRateAt(g, 240)).toBe(10);
  });

  it('is silent before startAt', () => {
    const g = group({ rate: 10, startAt: '5m' });
    expect(tenantRateAt(g, 299)).toBe(0);
    expect(tenantRateAt(g, 300)).toBe(10);
  });
});

describe('TrafficSource', () => {
  it('without noise emits the exact rate, carrying fractions between ticks', () => {
    const s = scenario({ duration: '1h', tenants: tenants(3, 0.5) });
    const src = new TrafficSource(s.tenants, createRandom(1));
    const out = new Float64Array(1);
    let total = 0;
    for (let t = 0; t < 10; t++) {
      src.draw(t, 1, out);
      expect(Number.isInteger(out[0])).toBe(true);
      total += out[0]!;
    }
    expect(total).toBe(15);
  });

  it('with Poisson noise varies per tick around the rate', () => {
    const s = scenario({ duration: '1h', tenants: [{ name: 'p', count: 10, rate: 100 }] });
    const src = new TrafficSource(s.tenants, createRandom(1));
    const out = new Float64Array(1);
    const draws = Array.from({ length: 200 }, (_, t) => (src.draw(t, 1, out), out[0]!));
    const mean = draws.reduce((a, b) => a + b) / draws.length;
    expect(new Set(draws).size).toBeGreaterThan(20);
    // Standard error of the mean: sqrt(1000 / 200) ≈ 2.2.
    expect(Math.abs(mean - 1000)).toBeLessThan(10);
  });
});
