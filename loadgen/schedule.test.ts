import { describe, expect, it } from 'vitest';
import { scenario, run } from '../test/builders.ts';
import { ScheduleCursor, scheduleTotals, scenarioTenantIds, type ScheduledRequest } from './schedule.ts';

const all = (c: ScheduleCursor) => {
  const out: ScheduledRequest[] = [];
  for (let r = c.next(); r; r = c.next()) out.push(r);
  return out;
};

describe('arrival schedule', () => {
  it('a constant 50 req/s for 4 s without noise sends exactly 200 requests, 20 ms apart', () => {
    const s = scenario({ duration: '4s', tenants: [{ name: 'a', rate: 50, noise: 'none' }] });
    const reqs = all(new ScheduleCursor(s));
    expect(reqs).toHaveLength(200);
    expect(reqs[0]!.at).toBeCloseTo(0.01, 9);
    expect(reqs[199]!.at).toBeCloseTo(3.99, 9);
    for (let i = 1; i < reqs.length; i++) expect(reqs[i]!.at - reqs[i - 1]!.at).toBeCloseTo(0.02, 9);
    expect(reqs.every((r) => r.events === 1 && r.tenant === 0)).toBe(true);
    expect(reqs.map((r) => r.firstSeq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a stage ramp sends its integral: 0 → 100 events/s over 10 s is 500 events', () => {
    const s = scenario({ duration: '10s', tenants: [{ name: 'a', rate: 0, stages: [{ duration: '10s', target: 100 }], noise: 'none' }] });
    const totals = scheduleTotals(s);
    expect(totals.events).toBe(500);
    // Second k carries (k + 0.5) × 10 events: 5, 15, …, 95.
    expect(totals.requestsPerSecond).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95]);
  });

  it('a burst multiplies the rate for its window only', () => {
    const s = scenario({ duration: '10s', tenants: [{ name: 'a', rate: 10, noise: 'none', bursts: [{ at: '4s', duration: '2s', multiplier: 5 }] }] });
    expect(scheduleTotals(s).requestsPerSecond).toEqual([10, 10, 10, 10, 50, 50, 10, 10, 10, 10]);
  });

  it('fills batches per tenant: 3 tenants × 5 events/s for 60 s in batches of 10 are 90 requests of 10', () => {
    const s = scenario({ duration: '60s', tenants: [{ name: 'a', count: 3, rate: 5, noise: 'none', batchSize: 10 }] });
    const reqs = all(new ScheduleCursor(s));
    expect(reqs).toHaveLength(90);
    expect(reqs.every((r) => r.events === 10)).toBe(true);
    // 15 events/s across the 3 tenants: per wall second the requests vary with the batches' filling, the events do not drift.
    const totals = scheduleTotals(s);
    expect(totals.eventsPerSecond.reduce((a, b) => a + b, 0)).toBe(900);
    expect(totals.eventsPerSecond.every((n, i) => n === totals.requestsPerSecond[i]! * 10)).toBe(true);
    for (const tenant of [0, 1, 2]) {
      expect(reqs.filter((r) => r.tenant === tenant).map((r) => r.firstSeq)).toEqual(Array.from({ length: 30 }, (_, i) => i * 10));
    }
  });

  it('flushes what a tenant still holds when the scenario ends', () => {
    // 3 events/s for 5 s = 15 events in batches of 2: 7 full requests, then 1 event at t = 5 s.
    const s = scenario({ duration: '5s', tenants: [{ name: 'a', rate: 3, noise: 'none', batchSize: 2 }] });
    const reqs = all(new ScheduleCursor(s));
    expect(reqs.map((r) => r.events)).toEqual([2, 2, 2, 2, 2, 2, 2, 1]);
    expect(reqs.at(-1)!.at).toBe(5);
    expect(reqs.at(-1)!.firstSeq).toBe(14);
  });

  it('compressed: time scale 10 replays 40 s in 4 s and sends a tenth of the events, each weighing 10', () => {
    const s = scenario({ duration: '40s', tenants: [{ name: 'a', rate: 100, noise: 'none' }] });
    const c = new ScheduleCursor(s, { timeScale: 10 });
    const reqs = all(c);
    expect(c.shape).toMatchObject({ timeScale: 10, sample: 0.1, weight: 10, wallDuration: 4 });
    expect(c.offeredEvents).toBe(4000);
    expect(reqs).toHaveLength(400);
    expect(reqs.every((r) => r.at < 4 && Math.abs(r.scenarioTime - r.at * 10) < 1e-9)).toBe(true);
    // The wall rate equals the scenario's: 100 requests per wall second.
    expect(scheduleTotals(s, { timeScale: 10 }).requestsPerSecond).toEqual([100, 100, 100, 100]);
  });

  it('an explicit sample with time scale 1 thins Poisson arrivals to about that fraction', () => {
    const s = scenario({ duration: '100s', tenants: [{ name: 'a', count: 10, rate: 100 }] });
    const t = scheduleTotals(s, { sample: 0.25 });
    // 100,000 offered; thinned to 25,000 ± sqrt(100,000 × 0.25 × 0.75) ≈ 137: allow 5 standard deviations.
    expect(Math.abs(t.events - t.offeredEvents * 0.25)).toBeLessThan(700);
  });

  it("offers exactly the simulator's events for the same scenario and seed (Poisson noise, several groups)", () => {
    const input = {
      duration: '2m',
      seed: 11,
      tenants: [
        { name: 'steady', count: 20, rate: 3, batchSize: 5 },
        { name: 'ramp', count: 5, rate: 1, stages: [{ duration: '1m', target: 20 }], bursts: [{ at: '70s', duration: '20s', multiplier: 3 }] },
      ],
    };
    const t = scheduleTotals(scenario(input));
    const { summary } = run(input, { maxDrainSeconds: 0 });
    expect(t.offeredEvents).toBe(summary.events.offered);
    expect(t.events).toBe(summary.events.offered);
  });

  it("Poisson arrivals spread over the group's tenants, each tenant's sequence numbers contiguous", () => {
    const s = scenario({ duration: '30s', tenants: [{ name: 'a', count: 4, rate: 20, batchSize: 3 }] });
    const reqs = all(new ScheduleCursor(s));
    for (let tenant = 0; tenant < 4; tenant++) {
      const mine = reqs.filter((r) => r.tenant === tenant);
      // 600 expected events per tenant; each gets a fair share (Poisson sd ≈ 24).
      const events = mine.reduce((a, r) => a + r.events, 0);
      expect(events).toBeGreaterThan(480);
      expect(events).toBeLessThan(720);
      let seq = 0;
      for (const r of mine) {
        expect(r.firstSeq).toBe(seq);
        seq += r.events;
      }
    }
    for (let i = 1; i < reqs.length; i++) expect(reqs[i]!.at).toBeGreaterThanOrEqual(reqs[i - 1]!.at);
  });

  it('tenant shares (for workers) partition the schedule without changing it', () => {
    const s = scenario({ duration: '20s', tenants: [{ name: 'a', count: 7, rate: 9, batchSize: 2 }] });
    const whole = all(new ScheduleCursor(s));
    const even = all(new ScheduleCursor(s, { tenantFilter: (t) => t % 2 === 0 }));
    const odd = all(new ScheduleCursor(s, { tenantFilter: (t) => t % 2 === 1 }));
    expect(even.length + odd.length).toBe(whole.length);
    expect([...even, ...odd].sort((a, b) => a.at - b.at || a.tenant - b.tenant)).toEqual([...whole].sort((a, b) => a.at - b.at || a.tenant - b.tenant));
  });

  it('names tenants <group>-<n> in file order', () => {
    expect(scenarioTenantIds(scenario({ duration: '1s', tenants: [{ name: 'a', count: 2, rate: 1 }, { name: 'b', rate: 1 }] }))).toEqual(['a-1', 'a-2', 'b-1']);
  });

  it('refuses a sample outside (0, 1] and says why the default fails for a time scale below 1', () => {
    const s = scenario({ duration: '1s', tenants: [{ name: 'a', rate: 1 }] });
    expect(() => new ScheduleCursor(s, { sample: 1.5 })).toThrow(/sample must be in \(0, 1\], got 1.5/);
    expect(() => new ScheduleCursor(s, { timeScale: 0.5 })).toThrow(/time scale 0.5 needs a time scale ≥ 1/);
  });
});
