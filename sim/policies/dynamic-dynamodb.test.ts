import { describe, expect, it } from 'vitest';
import {
  dynamicDynamoDbConfigSchema,
  dynamicDynamoDbPolicy,
  type DynamicDynamoDbConfig,
  type DynamicDynamoDbState,
} from './dynamic-dynamodb.ts';
import type { ActionOutcome, Datapoint, PolicyView } from './policy.ts';

const NOW = 3_600;

/**
 * One datapoint per minute for the 20 minutes before NOW. `old` is consumed WCU/s in the tool's window
 * [NOW − 15 min, NOW − 10 min); `recent` in the 10 minutes after it; `older` in the 5 minutes before it.
 */
function series(old: number, recent: number, older = 0): Datapoint[] {
  const points: Datapoint[] = [];
  for (let m = NOW - 20 * 60; m < NOW; m += 60) {
    const perSecond = m < NOW - 15 * 60 ? older : m < NOW - 10 * 60 ? old : recent;
    points.push({ minute: m, sum: perSecond * 60 });
  }
  return points;
}

function view(
  consumed: Datapoint[] | undefined,
  capacity: number,
  options: {
    config?: Record<string, unknown>;
    throttled?: Datapoint[];
    state?: DynamicDynamoDbState;
    updating?: boolean;
    lastOutcome?: ActionOutcome;
  } = {},
): PolicyView<DynamicDynamoDbConfig, DynamicDynamoDbState> {
  return {
    now: NOW,
    capacity,
    updating: options.updating ?? false,
    unit: { wcu: 1 },
    metrics: {
      ...(consumed ? { ConsumedWriteCapacityUnits: consumed } : {}),
      ...(options.throttled ? { WriteThrottleEvents: options.throttled } : {}),
    },
    config: dynamicDynamoDbConfigSchema.parse(options.config ?? {}),
    state: options.state ?? dynamicDynamoDbPolicy.initialState(),
    ...(options.lastOutcome ? { lastOutcome: options.lastOutcome } : {}),
  };
}

const decide = (v: PolicyView<DynamicDynamoDbConfig, DynamicDynamoDbState>) => dynamicDynamoDbPolicy.decide(v);

describe('dynamic-dynamodb reacts to 10–15-minute-old data', () => {
  it('scales up on a spike that ended 10 minutes ago', () => {
    // window: 95 WCU/s on 100 WCU = 95% > 90% → +50%: 100 + ceil(100 × 0.5) = 150
    const d = decide(view(series(95, 10), 100));
    expect(d.action).toMatchObject({ kind: 'scale', to: 150 });
    expect(d.action.kind === 'scale' && d.action.reason).toMatch(/consumed 95% of 100 WCU/);
  });

  it('scales DOWN while current traffic is high, because the window was quiet', () => {
    // window: 10% < 30% → 100 − int(100 × 0.5) = 50, though the last 10 minutes ran at 95%
    expect(decide(view(series(10, 95), 100)).action).toMatchObject({ kind: 'scale', to: 50 });
  });

  it('sums [NOW − 15 min, NOW − 10 min): the minute at NOW − 10 min is out, the one at NOW − 15 min is in', () => {
    const spikeAt = (minute: number) =>
      series(50, 50, 1_000).map((p) => (p.minute === minute ? { ...p, sum: 1_000_000 } : p));
    // 50% in the window (30 < 50 < 90) however large the minute just after it
    expect(decide(view(spikeAt(NOW - 10 * 60), 100)).action).toMatchObject({ kind: 'none' });
    // (1,000,000 + 4 × 50 × 60) / 300 s = 3,373.3 WCU/s on 100 → ceil(3,373.3) = 3,374 + ceil(3,374 × 0.5) = 5,061
    expect(decide(view(spikeAt(NOW - 15 * 60), 100)).action).toMatchObject({ kind: 'scale', to: 3_374 + 1_687 });
  });
});

describe('dynamic-dynamodb scale-up arithmetic', () => {
  it('grows from consumption when it exceeds provisioning (burst)', () => {
    // 150 WCU/s on 100 → ceil(100 × 1.5) = 150 > 100 → 150 + ceil(150 × 0.5) = 225
    expect(decide(view(series(150, 0), 100)).action).toMatchObject({ to: 225 });
    // in units: 150 + 50 = 200
    expect(decide(view(series(150, 0), 100, { config: { 'increase-writes-unit': 'units' } })).action).toMatchObject({
      to: 200,
    });
  });

  it('caps at max-provisioned-writes', () => {
    expect(decide(view(series(95, 0), 100, { config: { 'max-provisioned-writes': 120 } })).action).toMatchObject({
      to: 120,
    });
  });

  it('scales up on throttle events only when throttled-writes-upper-threshold is set', () => {
    // 85% is under 90%; 11 throttle events in the window (> 10) → 100 + 50% = 150
    const throttled = [{ minute: NOW - 15 * 60, sum: 11 }];
    expect(decide(view(series(85, 0), 100, { throttled })).action).toMatchObject({ kind: 'none' });
    const config = { 'throttled-writes-upper-threshold': 10 };
    expect(decide(view(series(85, 0), 100, { throttled, config })).action).toMatchObject({ to: 150 });
  });
});

describe('dynamic-dynamodb scale-down', () => {
  it('waits for num-write-checks-before-scale-down qualifying checks', () => {
    const config = { 'num-write-checks-before-scale-down': 2 };
    const first = decide(view(series(20, 20), 100, { config }));
    expect(first.action).toMatchObject({ kind: 'none' });
    expect(first.state.consecutiveWriteChecks).toBe(1);
    const second = decide(view(series(20, 20), 100, { config, state: first.state }));
    expect(second.action).toMatchObject({ kind: 'scale', to: 100 - 50 });
    expect(second.state.consecutiveWriteChecks).toBe(0);
  });

  it('resets the counter at num-write-checks-reset-percent', () => {
    const config = { 'num-write-checks-before-scale-down': 3, 'num-write-checks-reset-percent': 25 };
    // 28% is below 30% (a qualifying check) but at or above 25% (reset first): 0 → 1, not 2 → 3
    const d = decide(view(series(28, 0), 100, { config, state: { consecutiveWriteChecks: 2 } }));
    expect(d.state.consecutiveWriteChecks).toBe(1);
    expect(d.action).toMatchObject({ kind: 'none' });
  });

  it('does not scale down at 0% unless allowed, and floors at min-provisioned-writes', () => {
    expect(decide(view(undefined, 100)).action).toMatchObject({ kind: 'none' });
    const allow = { 'allow-scaling-down-writes-on-0-percent': true };
    expect(decide(view(undefined, 100, { config: allow })).action).toMatchObject({ to: 50 });
    // 20% → 50, floored at 80
    expect(decide(view(series(20, 0), 100, { config: { 'min-provisioned-writes': 80 } })).action).toMatchObject({
      to: 80,
    });
  });

  it('skips the call while the table is UPDATING', () => {
    expect(decide(view(series(95, 0), 100, { updating: true })).action).toMatchObject({ kind: 'none' });
  });

  it('after a LimitExceeded decrease refusal it keeps writes and simply tries again next check', () => {
    const lastOutcome = {
      atSeconds: NOW - 300,
      from: 100,
      to: 50,
      applied: false,
      refusal: 'LimitExceededException: decrease quota used',
    };
    const d = decide(view(series(20, 20), 100, { lastOutcome }));
    expect(d.action).toMatchObject({ kind: 'scale', to: 50 });
    expect(d.action.kind === 'scale' && d.action.reason).toMatch(/increases-only retry/);
  });
});

describe('dynamic-dynamodb config', () => {
  it('keeps the tool’s key names and defaults', () => {
    const c = dynamicDynamoDbConfigSchema.parse({ policy: 'dynamic-dynamodb' });
    expect(dynamicDynamoDbPolicy.checkIntervalSeconds(c)).toBe(300);
    expect([c['lookback-window-start'], c['lookback-period'], c['writes-upper-threshold']]).toEqual([15, 5, 90]);
    expect([c['writes-lower-threshold'], c['increase-writes-with'], c['decrease-writes-with']]).toEqual([30, 50, 50]);
    expect(dynamicDynamoDbConfigSchema.parse({ 'check-interval': '10m' })['check-interval']).toBe(600);
    expect(dynamicDynamoDbConfigSchema.safeParse({ checkInterval: 300 }).success).toBe(false);
    expect(dynamicDynamoDbConfigSchema.safeParse({ 'lookback-period': 20 }).success).toBe(false);
  });
});
