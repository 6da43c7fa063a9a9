/** Builders for the dashboard tests: a real short burst-spike run on a manual clock, and a hand-made snapshot. */
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { Simulation } from '../sim/simulation.ts';
import { ManualClock } from './frame-clock.ts';
import type { RunSnapshot } from './run-source.ts';
import { SimRunSource, type SimRunSourceOptions } from './sim-run-source.ts';

/**
 * burst-spike cut to 20 minutes: 2,400 events/s on 4 shards, every tenant ×5 from 10m. The source runs on a manual
 * clock with no frame budget, so `clock.tick(ms)` advances exactly speed × ms of simulated time.
 */
export async function burstRun(overrides: Record<string, unknown> = {}, options: SimRunSourceOptions = {}) {
  const { scenario, resolvePolicy } = await loadScenario(resolveScenarioPath('burst-spike'), { duration: '20m', ...overrides });
  const sim = new Simulation(scenario, { resolvePolicy });
  const clock = new ManualClock();
  const source = new SimRunSource(sim, { speed: 60, clock, frameBudgetMs: Infinity, ...options });
  return { sim, clock, source };
}

/** Lets React run passive effects (subscriptions, input listeners) and Ink write the frame. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

// eslint-disable-next-line no-control-regex
export const plain = (frame: string | undefined): string => (frame ?? '').replace(/\x1b\[[0-9;]*m/g, '');

/** A snapshot with every field set, for the layout and component tests. */
export function snapshotFixture(overrides: Partial<RunSnapshot> = {}): RunSnapshot {
  const ramp = Array.from({ length: 30 }, (_, i) => (i < 15 ? 2400 : 12_000));
  return {
    scenario: 'burst-spike',
    target: 'sim',
    time: 900,
    duration: 2400,
    draining: false,
    done: false,
    paused: false,
    speed: 600,
    etaSeconds: 2.5,
    series: {
      points: 60,
      secondsPerPoint: 40,
      kinesisDemandRps: ramp,
      kinesisCapacityRps: ramp.map((_, i) => (i < 25 ? 4000 : 8000)),
      ddbDemandWcu: ramp.map((x) => x * 0.7),
      ddbCapacityWcu: ramp.map(() => 4500),
      kinesisThrottledPerSecond: ramp.map((x) => Math.max(0, x - 4000)),
      ddbThrottledPerSecond: ramp.map(() => 0),
      firehoseThrottledPerSecond: ramp.map(() => 0),
      iteratorAgeMs: ramp.map(() => 120),
    },
    now: {
      kinesisDemandRps: 12_000,
      kinesisCapacityRps: 8000,
      ddbDemandWcu: 8400,
      kinesisThrottledPerSecond: 4000,
      ddbThrottledPerSecond: 0,
      firehoseThrottledPerSecond: 0,
      iteratorAgeMs: 120,
    },
    kinesis: { shards: 8, reshardingTo: 16, mode: 'provisioned' },
    dynamodb: { table: 'events_2026_W02', wcu: 4500, mode: 'provisioned' },
    firehose: { bufferedBytes: 2 * 1024 * 1024, bufferedRecords: 4000, bufferLimitBytes: 5 * 1024 * 1024, objects: 42, deliveredBytes: 210 * 1024 * 1024 },
    totals: { offered: 3_600_000, accepted: 3_000_000, rejected: 100_000, dropped: 500_000, stored: 2_900_000, delivered: 2_800_000, lost: 0 },
    maxIteratorAgeMs: 2500,
    cost: { totalUsd: 1.234, perMillionEventsUsd: 0.411 },
    actions: [
      { atSeconds: 840, service: 'kinesis', resource: 'ingest', from: 4, to: 8, reason: 'PUT Records: 2 of 10 samples above 75%' },
      { atSeconds: 845, service: 'dynamodb', resource: 'events_2026_W02', from: 4500, to: 6000, reason: 'scale out: 2 datapoints above 70%' },
    ],
    expectations: [
      { label: 'events.dropped == 0', status: 'broken', detail: '500k' },
      { label: 'latencyMs.p99 < 5000', status: 'ok' },
    ],
    ...overrides,
  };
}
