import { describe, it, expect } from 'vitest';
import {
  targetUtilization,
  targetUtilizationConfigSchema,
  type TargetUtilizationConfig,
  type TargetUtilizationState,
} from './target-utilization.ts';
import type { Datapoint, MetricName, PolicyView } from './policy.ts';

const UNIT = { writeBytes: 1_048_576, writeRecords: 1_000, readBytes: 2_097_152, readRecords: 2_000 };

interface Story {
  config?: Record<string, unknown>;
  shards: number;
  /** IncomingRecords Sum per minute, by minute index; records are 100 bytes, so Records is the busier metric. */
  recordsPerMinute: (minute: number) => number;
  until: number;
}

interface Check {
  now: number;
  from: number;
  to?: number;
  reason?: string;
}

/** Checks at the policy's interval; every minute is published when it ends; reshards apply before the next check. */
function simulate(story: Story): { actions: Check[]; checks: Check[] } {
  const policy = targetUtilization;
  const config = policy.configSchema.parse({ policy: 'target-utilization', ...story.config });
  const every = policy.checkIntervalSeconds(config);
  let state = policy.initialState();
  let shards = story.shards;
  const checks: Check[] = [];
  for (let now = every; now <= story.until; now += every) {
    const metrics: Partial<Record<MetricName, Datapoint[]>> = { IncomingRecords: [], IncomingBytes: [] };
    for (let m = 0; m * 60 + 60 <= now; m++) {
      metrics.IncomingRecords?.push({ minute: m * 60, sum: story.recordsPerMinute(m) });
      metrics.IncomingBytes?.push({ minute: m * 60, sum: story.recordsPerMinute(m) * 100 });
    }
    const view: PolicyView<TargetUtilizationConfig, TargetUtilizationState> = {
      now,
      capacity: shards,
      updating: false,
      unit: UNIT,
      metrics,
      config,
      state,
    };
    const { action, state: next } = policy.decide(view);
    state = next;
    if (action.kind === 'scale') {
      checks.push({ now, from: shards, to: action.to, reason: action.reason });
      shards = action.to;
    } else {
      checks.push({ now, from: shards, ...(action.reason === undefined ? {} : { reason: action.reason }) });
    }
  }
  return { actions: checks.filter((c) => c.to !== undefined), checks };
}

const brief = (actions: Check[]) => actions.map(({ now, from, to }) => ({ now, from, to }));
const at = (checks: Check[], now: number): Check => {
  const check = checks.find((c) => c.now === now);
  if (!check) throw new Error(`no check at ${now}s`);
  return check;
};

describe('configuration', () => {
  it('fills defaults: 70% target over 3 min, scale in below 30% for 15 min, 60 s checks, 5-min cool-off', () => {
    const config = targetUtilizationConfigSchema.parse({ policy: 'target-utilization' });
    expect(config).toMatchObject({
      targetUtilization: 70,
      evaluationMinutes: 3,
      scaleInUtilization: 30,
      scaleInMinutes: 15,
      minShards: 1,
      coolOffMins: 5,
    });
    expect(targetUtilization.checkIntervalSeconds(config)).toBe(60);
  });

  it('explains why a scale-in threshold at or above the target conflicts with it', () => {
    const result = targetUtilizationConfigSchema.safeParse({ targetUtilization: 50, scaleInUtilization: 50 });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['scaleInUtilization']);
    expect(result.error?.issues[0]?.message).toContain('scale out and in again');
  });

  it('reports every problem at once', () => {
    const result = targetUtilizationConfigSchema.safeParse({ minShards: 5, maxShards: 2, checkInterval: 'soon', extra: 1 });
    const paths = (result.error?.issues ?? []).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['minShards', 'checkInterval', '']));
  });
});

describe('scaling out', () => {
  it('sizes a 2-shard stream at 95% to 3 shards, then waits out the cool-off before sizing 90% of 3 to 4', () => {
    // Records: 60,000/min (50% of 2 shards) until minute 10, 114,000/min (1,900/s) for minutes 10–12,
    // 162,000/min (2,700/s) from minute 13.
    // 780 s: minutes 10–12 at 95% of 2 → ceil(1,900 / 700) = 3.
    // 960 s: minutes 13–15 at 90% of 3 → ceil(2,700 / 700) = 4, but only 180 s after the last action; at 1080 s it
    // is 300 s and the scale-out goes ahead. 2,700 / 4,000 = 67.5% then holds.
    const { actions, checks } = simulate({
      shards: 2,
      recordsPerMinute: (m) => (m < 10 ? 60_000 : m < 13 ? 114_000 : 162_000),
      until: 1800,
    });
    expect(brief(actions)).toEqual([
      { now: 780, from: 2, to: 3 },
      { now: 1080, from: 3, to: 4 },
    ]);
    expect(actions[0]?.reason).toBe(
      'PUT Records at 95% of 2 shards, above 70% for 3 min → ceil(2 × 95% / 70%) = 3: 2 → 3 shards',
    );
    expect(at(checks, 960).reason).toContain('deferred: coolOffMins 5');
  });

  it('never more than doubles in one step', () => {
    // 1 shard at 100% with a 30% target needs ceil(1,000 / 300) = 4 shards: 2 at 180 s, then 4 after the cool-off
    // (480 s), when 1,000 rec/s is 50% of 2 shards and still needs 4.
    const { actions } = simulate({
      config: { targetUtilization: 30, scaleInUtilization: 10 },
      shards: 1,
      recordsPerMinute: () => 60_000,
      until: 900,
    });
    expect(brief(actions)).toEqual([
      { now: 180, from: 1, to: 2 },
      { now: 480, from: 2, to: 4 },
    ]);
    expect(actions[0]?.reason).toContain('= 4, capped at 2× current');
  });

  it('treats a minute without a datapoint as no traffic', () => {
    // 2 shards; minutes 7 and 9 at 95%, minute 8 missing → not every minute is above target.
    const config = targetUtilizationConfigSchema.parse({});
    const points = [7, 9].map((m) => ({ minute: m * 60, sum: 114_000 }));
    const decision = targetUtilization.decide({
      now: 600,
      capacity: 2,
      updating: false,
      unit: UNIT,
      metrics: { IncomingRecords: points },
      config,
      state: targetUtilization.initialState(),
    });
    expect(decision.action.kind).toBe('none');
  });
});

describe('scaling in', () => {
  // 8 shards carrying 48,000 records/min (800/s): 10% of 8 shards, 20% of 4, 40% of 2.
  const quiet = { shards: 8, recordsPerMinute: () => 48_000, until: 1800 };

  it('waits for 15 published minutes, halves, then steps to what the load needs after the cool-off', () => {
    // 900 s: minutes 0–14 all at 10% → max(ceil(800 / 700) = 2, ceil(8 / 2) = 4) = 4.
    // 1200 s (cool-off over): 20% of 4 → max(2, 2) = 2. Then 40% of 2 is inside the band.
    const { actions, checks } = simulate(quiet);
    expect(brief(actions)).toEqual([
      { now: 900, from: 8, to: 4 },
      { now: 1200, from: 4, to: 2 },
    ]);
    expect(at(checks, 840).reason).toBe('utilisation within bounds');
    expect(actions[0]?.reason).toBe(
      'PUT below 30% for 15 min (peak Records 10% of 8 shards) → max(ceil(8 × 10% / 70%) = 2, ceil(8 / 2)): 8 → 4 shards',
    );
  });

  it('stops at minShards', () => {
    const { actions } = simulate({ ...quiet, config: { minShards: 3 } });
    expect(brief(actions)).toEqual([
      { now: 900, from: 8, to: 4 },
      { now: 1200, from: 4, to: 3 },
    ]);
  });
});

describe('while the stream is UPDATING', () => {
  it('makes no decision and keeps its state', () => {
    const config = targetUtilizationConfigSchema.parse({});
    const state: TargetUtilizationState = { lastActionAt: null };
    const points = [7, 8, 9].map((m) => ({ minute: m * 60, sum: 114_000 }));
    const decision = targetUtilization.decide({
      now: 600,
      capacity: 2,
      updating: true,
      unit: UNIT,
      metrics: { IncomingRecords: points },
      config,
      state,
    });
    expect(decision.action.kind).toBe('none');
    expect(decision.state).toBe(state);
  });
});
