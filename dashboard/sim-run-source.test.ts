/** The simulator's run source: pacing by wall time, pause, speed, snapshots against the Simulation, partial outcome. */
import { describe, expect, test } from 'vitest';
import { burstRun } from './test-utils.ts';

describe('SimRunSource on burst-spike (20m)', () => {
  test('each frame advances speed × wall seconds; fractional frames add up exactly', async () => {
    const { sim, clock, source } = await burstRun();
    let frames = 0;
    source.subscribe(() => frames++);
    source.start();
    clock.tick(1000);
    expect(frames).toBe(15);
    expect(sim.time).toBe(60);
    clock.tick(333);
    clock.tick(667);
    expect(sim.time).toBe(120);
  });

  test('paused time is not owed on resume; speed doubles and halves within bounds', async () => {
    const { sim, clock, source } = await burstRun();
    source.start();
    source.togglePause();
    clock.tick(10_000);
    expect(sim.time).toBe(0);
    source.togglePause();
    source.faster();
    expect(source.speed).toBe(120);
    clock.tick(1000);
    expect(sim.time).toBe(120);
    for (let i = 0; i < 40; i++) source.slower();
    expect(source.speed).toBe(0.25);
  });

  test('snapshot: series across the whole run, current rates, capacity and audit counts from the simulation', async () => {
    const { sim, clock, source } = await burstRun();
    source.start();
    clock.tick(10_000);
    const s = source.snapshot(60);
    expect(s.time).toBe(600);
    expect(s.series.points).toBe(60);
    expect(s.series.secondsPerPoint).toBe(20);
    expect(s.series.kinesisDemandRps).toHaveLength(30);
    expect(s.kinesis.shards).toBe(4);
    expect(s.series.kinesisCapacityRps.every((c) => c === 4000)).toBe(true);
    expect(s.now.kinesisCapacityRps).toBe(4000);
    expect(s.now.kinesisDemandRps).toBe(sim.timeline.columns.kinesisDemandRps[599]);
    expect(s.dynamodb.wcu).toBe(4500);
    expect(s.totals.offered).toBe(sim.totals.offered);
    expect(s.totals.stored).toBe(sim.totals.stored);
    expect(s.etaSeconds).toBeCloseTo(600 / 60, 5);
    expect(s.cost.perMillionEventsUsd).toBeCloseTo((s.cost.totalUsd / sim.totals.accepted) * 1e6, 9);
  });

  test('runs to the end, stops its timer and gives the complete summary', async () => {
    const { sim, clock, source } = await burstRun({ duration: '5m' });
    source.start();
    clock.tick(60_000);
    expect(sim.done).toBe(true);
    expect(clock.pending).toBe(0);
    const s = source.snapshot(40);
    expect(s.done).toBe(true);
    expect(s.etaSeconds).toBeNull();
    const outcome = source.outcome();
    expect(outcome.partial).toBe(false);
    expect(outcome.summary.durationSeconds).toBe(300);
    expect(s.cost.totalUsd).toBe(outcome.summary.cost.totalUsd);
  });

  test('stopped early: a partial summary of the part that ran, with the timeline cut there', async () => {
    const { clock, source } = await burstRun();
    source.start();
    clock.tick(12_000);
    source.stop();
    const outcome = source.outcome();
    expect(outcome.partial).toBe(true);
    expect(outcome.stoppedAt).toBe(720);
    expect(outcome.summary.durationSeconds).toBe(720);
    expect(outcome.timeline.rows).toBe(720);
    expect(outcome.summary.events.offered).toBeGreaterThan(0);
  });

  test('a frame budget keeps frames short when the simulator cannot keep up', async () => {
    const { sim, clock, source } = await burstRun({}, { speed: 1_000_000, frameBudgetMs: 0 });
    source.start();
    clock.tick(67);
    // One slice of 60 ticks, not the whole run.
    expect(sim.time).toBe(60);
    expect(sim.done).toBe(false);
  });
});
