/**
 * sebdah/dynamic-dynamodb, write side of one table (§3.8; code read at `bfd0ca8`: core/table.py
 * `__ensure_provisioning_writes`, calculators.py, statistics/table.py). Key names are the tool's own (kebab-case).
 * It checks every `check-interval` (300 s) and judges a 5-minute Sum taken 10–15 minutes ago (§8.11), against the
 * capacity provisioned NOW. Not modelled: reads, GSIs, the granular `increase-*-scale` dicts, maintenance windows,
 * circuit breaker, `always-decrease-rw-together`. Arithmetic follows the Python operation order so float results match.
 */
import { z } from 'zod';
import { duration } from '../duration.ts';
import type { Datapoint, PolicyDecision, PolicyView, ScalingPolicy } from './policy.ts';

const percent = () => z.number().min(0);

export const dynamicDynamoDbConfigSchema = z
  .strictObject({
    policy: z.string().default('dynamic-dynamodb'),
    /** Seconds between checks (the tool's unit), or a duration string. Default 300 (§3.8). */
    'check-interval': z.union([z.number().positive(), duration()]).default(300),
    /** Minutes back the CloudWatch window starts: 15 (§3.8, §8.11). */
    'lookback-window-start': z.number().int().min(1).default(15),
    /** Minutes in the window (one Sum of that period): 5 (§3.8). */
    'lookback-period': z.number().int().min(1).default(5),
    'writes-upper-threshold': percent().default(90),
    'writes-lower-threshold': percent().default(30),
    /** WriteThrottleEvents in the window above this scale up; 0 = off (§3.8). */
    'throttled-writes-upper-threshold': z.number().min(0).default(0),
    'increase-writes-with': z.number().min(0).default(50),
    'increase-writes-unit': z.enum(['percent', 'units']).default('percent'),
    'decrease-writes-with': z.number().min(0).default(50),
    'decrease-writes-unit': z.enum(['percent', 'units']).default('percent'),
    /** The tool's default is unset: floor 1, no ceiling (the table model still refuses > 40,000, §3.4). */
    'min-provisioned-writes': z.number().int().min(1).optional(),
    'max-provisioned-writes': z.number().int().min(1).optional(),
    'num-write-checks-before-scale-down': z.number().int().min(1).default(1),
    /** Consumed % at or above which the scale-down counter resets; 0 = off. */
    'num-write-checks-reset-percent': percent().default(0),
    'allow-scaling-down-writes-on-0-percent': z.boolean().default(false),
    'enable-writes-up-scaling': z.boolean().default(true),
    'enable-writes-down-scaling': z.boolean().default(true),
  })
  .refine((c) => c['lookback-period'] <= c['lookback-window-start'], {
    message: 'expected `lookback-period` at most `lookback-window-start`: the window would reach into the future',
    path: ['lookback-period'],
  })
  .refine(
    (c) =>
      c['min-provisioned-writes'] === undefined ||
      c['max-provisioned-writes'] === undefined ||
      c['min-provisioned-writes'] <= c['max-provisioned-writes'],
    { message: 'expected `min-provisioned-writes` at most `max-provisioned-writes`', path: ['min-provisioned-writes'] },
  );

export type DynamicDynamoDbConfig = z.output<typeof dynamicDynamoDbConfigSchema>;

export interface DynamicDynamoDbState {
  /** `num_consec_write_checks`: qualifying scale-down checks so far (reset by a scale-up or an update). */
  readonly consecutiveWriteChecks: number;
}

/** Sum of the datapoints whose minute falls in [from, to), or undefined if CloudWatch has none there. */
function windowSum(points: readonly Datapoint[] | undefined, from: number, to: number): number | undefined {
  if (points === undefined) return undefined;
  let sum: number | undefined;
  for (const p of points) if (p.minute >= from && p.minute < to) sum = (sum ?? 0) + p.sum;
  return sum;
}

/** calculators.increase_writes_in_percent / _in_units: grow from consumption when it exceeds provisioning. */
function increase(current: number, by: number, unit: 'percent' | 'units', max: number | undefined, consumedPct: number): number {
  const fromConsumption = Math.ceil(current * (consumedPct / 100));
  const base = fromConsumption > current ? fromConsumption : current;
  const updated = unit === 'percent' ? base + Math.ceil(base * (by / 100)) : base + Math.trunc(by);
  return max !== undefined && max > 0 && updated > max ? max : updated;
}

/** calculators.decrease_writes_in_percent / _in_units, floored at min-provisioned-writes (capped at 2× current). */
function decrease(current: number, by: number, unit: 'percent' | 'units', min: number | undefined): number {
  const updated = unit === 'percent' ? current - Math.trunc(current * (by / 100)) : current - Math.trunc(by);
  // __get_min_writes: 1 unless configured; a legacy of the old doubling rule caps the floor at 2× current.
  let floor = 1;
  if (min !== undefined) floor = min > Math.trunc(current * 2) ? Math.trunc(current * 2) : min;
  return updated < floor ? floor : updated;
}

function decide(view: PolicyView<DynamicDynamoDbConfig, DynamicDynamoDbState>): PolicyDecision<DynamicDynamoDbState> {
  const c = view.config;
  const current = view.capacity;
  if (!(current > 0)) return { action: { kind: 'none', reason: 'no provisioned capacity' }, state: view.state };
  const period = c['lookback-period'] * 60;
  const from = view.now - c['lookback-window-start'] * 60;
  const to = from + period;
  const consumedSum = windowSum(view.metrics.ConsumedWriteCapacityUnits, from, to) ?? 0;
  const throttled = Math.trunc(windowSum(view.metrics.WriteThrottleEvents, from, to) ?? 0);
  const consumedPct = (consumedSum / period / current) * 100;
  const upper = c['writes-upper-threshold'];
  const lower = c['writes-lower-threshold'];
  const throttledUpper = c['throttled-writes-upper-threshold'];
  const min = c['min-provisioned-writes'];
  const max = c['max-provisioned-writes'];
  const seen = `consumed ${round(consumedPct)}% of ${current} WCU and ${throttled} throttle events in [t−${c['lookback-window-start']}m, t−${c['lookback-window-start'] - c['lookback-period']}m]`;

  let checks = view.state.consecutiveWriteChecks;
  const resetPct = c['num-write-checks-reset-percent'];
  if (resetPct && consumedPct >= resetPct) checks = 0;

  let updateNeeded = false;
  let updated = current;
  let why = '';
  if (c['enable-writes-up-scaling']) {
    let byConsumed = 0;
    let byThrottled = 0;
    if (upper && consumedPct > upper) {
      byConsumed = increase(current, c['increase-writes-with'], c['increase-writes-unit'], max, consumedPct);
    }
    if (throttledUpper && throttled > throttledUpper) {
      byThrottled = increase(current, c['increase-writes-with'], c['increase-writes-unit'], max, consumedPct);
    }
    let calculated = 0;
    if (byConsumed > calculated) {
      calculated = byConsumed;
      why = `above writes-upper-threshold ${upper}%`;
    }
    if (byThrottled > calculated) {
      calculated = byThrottled;
      why = `throttle events above throttled-writes-upper-threshold ${throttledUpper}`;
    }
    if (calculated > current) {
      checks = 0;
      updateNeeded = true;
      updated = calculated;
      why = `scale up ${why}: +${c['increase-writes-with']} ${c['increase-writes-unit']}`;
    }
  }

  if (!updateNeeded) {
    if (!c['enable-writes-down-scaling']) {
      // down scaling disabled
    } else if (consumedPct === 0 && !c['allow-scaling-down-writes-on-0-percent']) {
      why = 'no scale-down at 0% (allow-scaling-down-writes-on-0-percent is false)';
    } else if (throttledUpper && throttled > throttledUpper) {
      why = 'no scale-down while writes are throttled';
    } else if (lower && consumedPct < lower) {
      const calculated = decrease(current, c['decrease-writes-with'], c['decrease-writes-unit'], min);
      if (calculated !== current) {
        checks++;
        why = `below writes-lower-threshold ${lower}%, check ${checks} of ${c['num-write-checks-before-scale-down']}`;
        if (checks >= c['num-write-checks-before-scale-down']) {
          updateNeeded = true;
          updated = calculated;
          why = `scale down ${why}: −${c['decrease-writes-with']} ${c['decrease-writes-unit']}`;
        }
      }
    }
  }

  if (max !== undefined && updated > max) {
    updateNeeded = true;
    updated = max;
    why = `${why ? `${why}; ` : ''}capped at max-provisioned-writes ${max}`;
  }
  if (min !== undefined && min > updated) {
    updateNeeded = true;
    updated = min;
    why = `${why ? `${why}; ` : ''}raised to min-provisioned-writes ${min}`;
  }
  // is_consumed_over_proposed: never propose less than what is being consumed.
  if (Math.ceil(current * (consumedPct / 100)) > updated) {
    updateNeeded = false;
    updated = current;
    why = `${why ? `${why}; ` : ''}consumption is over the proposal, left at ${current}`;
  }
  if (updateNeeded) checks = 0;

  // On LimitExceededException (e.g. the day's decreases used up) the tool retries with increases only; for writes
  // alone that retry changes nothing, and it does not count decreases itself, so it simply tries again next check.
  const o = view.lastOutcome;
  const note =
    o !== undefined && !o.applied && o.to < o.from && o.refusal?.startsWith('LimitExceededException')
      ? ' (previous decrease refused with LimitExceededException; the increases-only retry left writes unchanged)'
      : '';
  const state = { consecutiveWriteChecks: checks };
  if (!updateNeeded || updated === current) {
    return { action: { kind: 'none', reason: `${seen}${why ? `: ${why}` : ''}${note}` }, state };
  }
  // __update_throughput skips the call unless the table is ACTIVE (the counter was already reset).
  if (view.updating) {
    return { action: { kind: 'none', reason: `${seen}: ${why}; skipped, table is UPDATING${note}` }, state };
  }
  return { action: { kind: 'scale', to: updated, reason: `${seen}: ${why}: ${current} → ${updated}${note}` }, state };
}

function round(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

export const dynamicDynamoDbPolicy = {
  name: 'dynamic-dynamodb',
  service: 'dynamodb',
  configSchema: dynamicDynamoDbConfigSchema,
  checkIntervalSeconds: (config) => config['check-interval'],
  initialState: () => ({ consecutiveWriteChecks: 0 }),
  decide,
} satisfies ScalingPolicy<DynamicDynamoDbConfig, DynamicDynamoDbState>;
