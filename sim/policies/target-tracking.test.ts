import { describe, expect, it } from 'vitest';
import type { Datapoint, PolicyView } from './policy.ts';
import {
  targetTrackingConfigSchema,
  targetTrackingPolicy,
  type TargetTrackingConfig,
  type TargetTrackingState,
} from './target-tracking.ts';

/** Datapoints for consecutive minutes 0, 60, 120…, given consumed WCU per second in each minute. */
const minutes = (perSecond: number[]): Datapoint[] => perSecond.map((w, i) => ({ minute: i * 60, sum: w * 60 }));

function view(
  consumedPerSecond: number[],
  capacity: number,
  options: {
    config?: Record<string, unknown>;
    throttledPerSecond?: number[];
    state?: TargetTrackingState;
    updating?: boolean;
  } = {},
): PolicyView<TargetTrackingConfig, TargetTrackingState> {
  const config = targetTrackingConfigSchema.parse(options.config ?? {});
  return {
    now: consumedPerSecond.length * 60 + 60, // the newest datapoint was published a minute after its minute ended
    capacity,
    updating: options.updating ?? false,
    unit: { wcu: 1 },
    metrics: {
      ConsumedWriteCapacityUnits: minutes(consumedPerSecond),
      ...(options.throttledPerSecond ? { WriteThrottleEvents: minutes(options.throttledPerSecond) } : {}),
    },
    config,
    state: options.state ?? targetTrackingPolicy.initialState(),
  };
}

const decide = (v: PolicyView<TargetTrackingConfig, TargetTrackingState>) => targetTrackingPolicy.decide(v).action;

describe('target tracking: scale out', () => {
  it('does not act on one datapoint above 70%, and scales out on the second', () => {
    expect(decide(view([50, 80], 100))).toMatchObject({ kind: 'none' });
    // 80% then 91% of 100 WCU: the larger, 91 WCU/s, at 70% needs 91 / 0.70 = 130 WCU
    const action = decide(view([50, 80, 91], 100));
    expect(action).toMatchObject({ kind: 'scale', to: 130 });
    expect(action.kind === 'scale' && action.reason).toMatch(/2 datapoints above 70%.*= 130/);
  });

  it('needs the two datapoints to be consecutive minutes and strictly above the target', () => {
    const gap: PolicyView<TargetTrackingConfig, TargetTrackingState> = {
      ...view([80, 91], 100),
      metrics: { ConsumedWriteCapacityUnits: [{ minute: 0, sum: 80 * 60 }, { minute: 120, sum: 91 * 60 }] },
    };
    expect(decide(gap)).toMatchObject({ kind: 'none' });
    expect(decide(view([70, 70], 100))).toMatchObject({ kind: 'none' });
  });

  it('rounds up and clamps to max', () => {
    // 100 WCU/s / 0.7 = 142.86 → 143; with max 120 → 120
    expect(decide(view([100, 100], 100))).toMatchObject({ kind: 'scale', to: 143 });
    expect(decide(view([100, 100], 100, { config: { max: 120 } }))).toMatchObject({ kind: 'scale', to: 120 });
  });

  it('sees only consumed capacity by default; countThrottled adds throttled requests to estimate demand', () => {
    // Table pinned at 100 WCU with 50 requests/s throttled. AWS: 100 / 0.7 = 142.86 → 143.
    expect(decide(view([100, 100], 100, { throttledPerSecond: [50, 50] }))).toMatchObject({ to: 143 });
    // countThrottled: (100 + 50) / 0.7 = 214.29 → 215; with 2 WCU per throttled request (100 + 100) / 0.7 → 286
    const counted = { countThrottled: true };
    expect(decide(view([100, 100], 100, { throttledPerSecond: [50, 50], config: counted }))).toMatchObject({ to: 215 });
    const big = { countThrottled: true, throttledEventWcu: 2 };
    expect(decide(view([100, 100], 100, { throttledPerSecond: [50, 50], config: big }))).toMatchObject({ to: 286 });
  });

  it('waits while the table is UPDATING and during a scale-out cooldown', () => {
    expect(decide(view([100, 100], 100, { updating: true }))).toMatchObject({ kind: 'none' });
    const config = { scaleOutCooldown: '5m' };
    const now = 2 * 60 + 60;
    const recent = { lastScaleOutAt: now - 299, lastScaleInAt: -Infinity };
    expect(decide(view([100, 100], 100, { config, state: recent }))).toMatchObject({ kind: 'none' });
    const old = { lastScaleOutAt: now - 300, lastScaleInAt: -Infinity };
    expect(decide(view([100, 100], 100, { config, state: old }))).toMatchObject({ kind: 'scale', to: 143 });
  });
});

describe('target tracking: scale in', () => {
  const low15 = [300, 300, 300, 400, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300];

  it('scales in only after 15 consecutive datapoints below target − 20 (50%)', () => {
    // 15 datapoints at 30–40% of 1,000 WCU; the window's max 400 WCU/s / 0.7 = 571.4 → 572
    const action = decide(view(low15, 1_000));
    expect(action).toMatchObject({ kind: 'scale', to: 572 });
    expect(decide(view(low15.slice(1), 1_000))).toMatchObject({ kind: 'none' }); // 14 datapoints
    // one datapoint at exactly 50% is not below the threshold
    expect(decide(view([...low15.slice(1), 500], 1_000))).toMatchObject({ kind: 'none' });
  });

  it('does not go below min', () => {
    // 1 WCU/s / 0.7 = 1.43 → 2, raised to min 5
    expect(decide(view(new Array(15).fill(1), 1_000, { config: { min: 5 } }))).toMatchObject({ to: 5 });
  });
});

describe('target tracking: config', () => {
  it('validates the range and fills the documented defaults', () => {
    const c = targetTrackingConfigSchema.parse({ policy: 'target-tracking' });
    expect([c.targetUtilization, c.scaleOutDatapoints, c.scaleInDatapoints, c.checkInterval]).toEqual([70, 2, 15, 60]);
    expect([c.scaleOutCooldown, c.scaleInCooldown, c.countThrottled]).toEqual([0, 0, false]);
    expect(targetTrackingConfigSchema.safeParse({ targetUtilization: 95 }).success).toBe(false);
    expect(targetTrackingConfigSchema.safeParse({ targetUtilization: 15 }).success).toBe(false);
    expect(targetTrackingConfigSchema.safeParse({ min: 10, max: 5 }).success).toBe(false);
    expect(targetTrackingConfigSchema.safeParse({ tagetUtilization: 50 }).success).toBe(false);
    expect(targetTrackingPolicy.checkIntervalSeconds(targetTrackingConfigSchema.parse({ checkInterval: '2m' }))).toBe(120);
  });
});
