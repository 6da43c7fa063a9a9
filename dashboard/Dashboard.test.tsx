/**
 * The dashboard on a real run: burst-spike cut to 20 minutes, advanced by a manual clock. Before the burst (600 s)
 * the stream has its 4 shards and nothing is throttled; after it, Kinesis throttles and the shards step up. Every
 * figure on screen is checked against the Simulation's own counters at the same instant.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { int } from '../reports/format.ts';
import { Dashboard } from './Dashboard.tsx';
import { burstRun, plain, settle } from './test-utils.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function mount(size = { columns: 80, rows: 24 }, overrides: Record<string, unknown> = {}) {
  const run = await burstRun(overrides);
  const onQuit = vi.fn();
  const app = render(<Dashboard source={run.source} onQuit={onQuit} size={size} />);
  cleanups.push(() => {
    run.source.stop();
    app.unmount();
  });
  await settle();
  run.source.start();
  /** Advances wall time by `ms` (speed × ms of simulated time) and waits for the frame. */
  const wall = async (ms: number) => {
    run.clock.tick(ms);
    await settle();
    return plain(app.lastFrame());
  };
  return { ...run, app, onQuit, wall };
}

describe('Dashboard on burst-spike (20m, speed 60)', () => {
  test('before the burst: 4 shards, no throttles, the audit counts of the simulation', async () => {
    const { sim, wall } = await mount();
    const frame = await wall(10_000);
    expect(sim.time).toBe(600);
    expect(frame).toContain('burst-spike (sim)  10m / 20m');
    expect(frame).toContain('Kinesis · 4 shards');
    expect(frame).toContain(`DynamoDB · 4,500 WCU`);
    expect(frame).toMatch(/Throttles\/s\s+Kinesis\s+0\b/);
    const t = sim.totals;
    expect(t.kinesisThrottled).toBe(0);
    expect(frame).toMatch(new RegExp(`offered\\s+${int(t.offered)}\\b`));
    expect(frame).toMatch(new RegExp(`accepted\\s+${int(t.accepted)}\\b`));
    expect(frame).toMatch(new RegExp(`stored\\s+${int(t.stored)}\\b`));
    expect(frame).toMatch(/dropped\s+0\b/);
    // 2,400 events/s offered for 600 s.
    expect(t.offered).toBeGreaterThan(2400 * 600 * 0.95);
    expect(t.offered).toBeLessThan(2400 * 600 * 1.05);
    expect(frame).toContain('Scaling actions 0 so far');
  });

  test('during the burst: Kinesis throttles, drops, scaling actions with reasons and the shards stepping up', async () => {
    const { sim, wall } = await mount({ columns: 120, rows: 40 });
    const frame = await wall(16_000);
    expect(sim.time).toBe(960);
    const throttled = sim.timeline.columns.kinesisThrottled[959]!;
    expect(throttled).toBeGreaterThan(0);
    expect(frame).toMatch(new RegExp(`Throttles/s\\s+Kinesis\\s+[▁▂▃▄▅▆▇█ ]*\\s${int(throttled)}\\s`));
    expect(sim.kinesis.shards).toBeGreaterThan(4);
    expect(frame).toContain(`Kinesis · ${sim.kinesis.shards} shards`);
    expect(frame).toMatch(new RegExp(`dropped\\s+${int(sim.totals.dropped)}\\b`));
    const up = sim.actions.find((a) => a.service === 'kinesis')!;
    expect(frame).toContain(`kinesis ingest 4 → ${up.to}`);
    expect(frame).toContain(up.reason.slice(0, 30));
    expect(frame).toContain(`Scaling actions ${sim.actions.length} so far`);
  });

  test('the cost so far is the price of the usage so far', async () => {
    const { source, wall } = await mount();
    const frame = await wall(5_000);
    const snap = source.snapshot(10);
    expect(snap.cost.totalUsd).toBeGreaterThan(0);
    expect(frame).toMatch(/Cost\s+\$[\d.]+ so far · \$[\d.]+\/M events/);
  });

  test('fits 80×24: at most 23 lines of at most 80 columns, at every stage of the run', async () => {
    const { wall, app } = await mount();
    for (const step of [0, 10_000, 6_000, 30_000]) {
      const frame = step === 0 ? plain(app.lastFrame()) : await wall(step);
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    }
  });

  test('uses the width of a larger terminal', async () => {
    const { wall } = await mount({ columns: 160, rows: 50 });
    const lines = (await wall(10_000)).split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(140);
    expect(lines.length).toBeLessThanOrEqual(49);
  });

  test('space pauses: simulated time stops across frames, and resumes', async () => {
    const { sim, app, wall } = await mount();
    await wall(1000);
    expect(sim.time).toBe(60);
    app.stdin.write(' ');
    await settle();
    const paused = await wall(5000);
    expect(sim.time).toBe(60);
    expect(paused).toContain('PAUSED');
    expect(paused).toContain('space resume');
    app.stdin.write(' ');
    await settle();
    await wall(1000);
    expect(sim.time).toBe(120);
  });

  test('+ doubles and - halves the speed, on screen and in simulated time', async () => {
    const { sim, app, wall } = await mount();
    expect(await wall(0)).toContain('×60 ');
    app.stdin.write('+');
    await settle();
    expect(plain(app.lastFrame())).toContain('×120 ');
    await wall(1000);
    expect(sim.time).toBe(120);
    app.stdin.write('-');
    app.stdin.write('-');
    await settle();
    expect(plain(app.lastFrame())).toContain('×30 ');
  });

  test('q stops the run and calls the exit path', async () => {
    const { source, clock, app, onQuit, wall, sim } = await mount();
    await wall(2000);
    app.stdin.write('q');
    await settle();
    expect(onQuit).toHaveBeenCalledOnce();
    expect(clock.pending).toBe(0);
    const at = sim.time;
    clock.tick(5000);
    expect(sim.time).toBe(at);
    const outcome = source.outcome();
    expect(outcome.partial).toBe(true);
    expect(outcome.summary.durationSeconds).toBe(120);
  });

  test('expectations turn red when broken and stay pending while a lower bound is not reached', async () => {
    const { wall } = await mount({ columns: 120, rows: 30 }, { expect: { 'events.dropped': '== 0', 'events.stored': '> 1e12' } });
    let frame = await wall(10_000);
    expect(frame).toMatch(/✓ events\.dropped == 0/);
    expect(frame).toMatch(/· events\.stored > 1e12/);
    frame = await wall(6_000);
    expect(frame).toMatch(/✗ events\.dropped == 0/);
  });
});
