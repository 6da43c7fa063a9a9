/**
 * Application Auto Scaling target tracking on a DynamoDB table's write capacity (§3.5, §8.6): scale out after
 * `scaleOutDatapoints` (2) consecutive one-minute datapoints above the target, scale in after `scaleInDatapoints` (15)
 * consecutive ones below the lower threshold. The alarm lag is the simulator's CloudWatch publication delay: this
 * policy only sees published datapoints. Section numbers (§) refer to ../shared/aws-reference.md.
 */
import { z } from 'zod';
import { duration } from '../duration.ts';
import type { Datapoint, PolicyDecision, PolicyView, ScalingPolicy } from './policy.ts';

export const targetTrackingConfigSchema = z
  .strictObject({
    policy: z.string().default('target-tracking'),
    /** Percent of provisioned WCU to aim at consumption: 20–90, console default 70 (§3.5). */
    targetUtilization: z.number().min(20).max(90).default(70),
    /** Minimum WCU, at least 1 (§3.1). */
    min: z.number().int().min(1).default(1),
    /** Maximum WCU, at most the per-table 40,000 (§3.4). */
    max: z.number().int().min(1).max(40_000).default(40_000),
    /** Scale-out alarm: 2 consecutive one-minute datapoints above target (§3.5). */
    scaleOutDatapoints: z.number().int().min(1).default(2),
    /** Scale-in alarm: 15 consecutive one-minute datapoints below the lower threshold (§3.5). */
    scaleInDatapoints: z.number().int().min(1).default(15),
    /**
     * Scale-in threshold = target − this, in percentage points. 20 is a 3rd-party figure; AWS says only "lower than
     * the target" (§3.5): UNCONFIRMED.
     */
    scaleInMarginPct: z.number().min(0).default(20),
    /** How often the alarms are evaluated: every minute, as CloudWatch alarms on 1-minute metrics. */
    checkInterval: duration().default(60),
    /** Cooldowns default to 0 s for DynamoDB (§3.5). */
    scaleOutCooldown: duration().default(0),
    scaleInCooldown: duration().default(0),
    /**
     * false (AWS): only ConsumedWriteCapacityUnits is seen, and it is capped by provisioned capacity (+ burst), so a
     * throttled table grows by at most 1/target per step. true: add throttled requests to estimate demand (not AWS).
     */
    countThrottled: z.boolean().default(false),
    /** With `countThrottled`, WCU per throttled request (WriteThrottleEvents counts requests): 1 = items ≤ 1 KB. */
    throttledEventWcu: z.number().positive().default(1),
  })
  .refine((c) => c.min <= c.max, { message: 'expected `min` at most `max`', path: ['min'] })
  .refine((c) => c.targetUtilization - c.scaleInMarginPct > 0, {
    message: 'expected `scaleInMarginPct` below `targetUtilization`: the scale-in threshold would be 0% or less',
    path: ['scaleInMarginPct'],
  });

export type TargetTrackingConfig = z.output<typeof targetTrackingConfigSchema>;

export interface TargetTrackingState {
  /** When this policy last asked to scale out / in (seconds since start); -Infinity if never. */
  readonly lastScaleOutAt: number;
  readonly lastScaleInAt: number;
}

/**
 * Capacity that would put `perSecond` at `target` percent utilisation. The exact AWS rounding is UNCONFIRMED (§3.5,
 * §8.12): we round up. The small epsilon keeps 91 / 0.70 = 130 from becoming 131 through floating-point error.
 */
export function capacityForTarget(perSecond: number, targetPct: number): number {
  return Math.ceil((perSecond * 100) / targetPct - 1e-9);
}

/** The newest `n` datapoints if they are `n` consecutive minutes, else undefined (an alarm needs them all). */
function newestConsecutive(points: readonly Datapoint[] | undefined, n: number): readonly Datapoint[] | undefined {
  if (points === undefined || points.length < n) return undefined;
  const tail = points.slice(points.length - n);
  for (let i = 1; i < tail.length; i++) if (tail[i]!.minute - tail[i - 1]!.minute !== 60) return undefined;
  return tail;
}

/** Write demand per second in the minute `minute`: consumed, plus throttled requests when configured. */
function perSecond(view: PolicyView<TargetTrackingConfig, TargetTrackingState>, point: Datapoint): number {
  let units = point.sum;
  if (view.config.countThrottled) {
    const throttled = view.metrics.WriteThrottleEvents?.find((p) => p.minute === point.minute);
    if (throttled !== undefined) units += throttled.sum * view.config.throttledEventWcu;
  }
  return units / 60;
}

function decide(
  view: PolicyView<TargetTrackingConfig, TargetTrackingState>,
): PolicyDecision<TargetTrackingState> {
  const { config: c, capacity } = view;
  let state = view.state;
  // A refused request did not scale anything: don't let it start a cooldown.
  const o = view.lastOutcome;
  if (o !== undefined && !o.applied) {
    if (o.atSeconds === state.lastScaleOutAt) state = { ...state, lastScaleOutAt: -Infinity };
    if (o.atSeconds === state.lastScaleInAt) state = { ...state, lastScaleInAt: -Infinity };
  }
  if (view.updating) return { action: { kind: 'none', reason: 'table UPDATING' }, state };
  if (capacity <= 0) return { action: { kind: 'none', reason: 'no provisioned capacity' }, state };
  const consumed = view.metrics.ConsumedWriteCapacityUnits;
  const target = c.targetUtilization;
  const pct = (p: Datapoint) => (perSecond(view, p) / capacity) * 100;
  const fmt = (x: number) => (Math.round(x * 10) / 10).toString();

  const out = newestConsecutive(consumed, c.scaleOutDatapoints);
  if (out !== undefined && out.every((p) => pct(p) > target)) {
    const peak = Math.max(...out.map((p) => perSecond(view, p)));
    const to = Math.min(c.max, Math.max(c.min, capacityForTarget(peak, target)));
    if (to > capacity && view.now - state.lastScaleOutAt >= c.scaleOutCooldown) {
      return {
        action: {
          kind: 'scale',
          to,
          reason:
            `scale out: ${out.length} datapoints above ${target}% (${out.map((p) => `${fmt(pct(p))}%`).join(', ')} of ` +
            `${capacity} WCU); ceil(${fmt(peak)} WCU/s / ${target}%) = ${to}`,
        },
        state: { ...state, lastScaleOutAt: view.now },
      };
    }
  }

  const low = target - c.scaleInMarginPct;
  const win = newestConsecutive(consumed, c.scaleInDatapoints);
  if (win !== undefined && win.every((p) => pct(p) < low)) {
    const peak = Math.max(...win.map((p) => perSecond(view, p)));
    const to = Math.min(c.max, Math.max(c.min, capacityForTarget(peak, target)));
    if (to < capacity && view.now - state.lastScaleInAt >= c.scaleInCooldown) {
      return {
        action: {
          kind: 'scale',
          to,
          reason:
            `scale in: ${win.length} datapoints below ${low}% of ${capacity} WCU (max ${fmt((peak / capacity) * 100)}%); ` +
            `max(${c.min}, ceil(${fmt(peak)} WCU/s / ${target}%)) = ${to}`,
        },
        state: { ...state, lastScaleInAt: view.now },
      };
    }
  }
  return { action: { kind: 'none' }, state };
}

export const targetTrackingPolicy = {
  name: 'target-tracking',
  service: 'dynamodb',
  configSchema: targetTrackingConfigSchema,
  checkIntervalSeconds: (config) => config.checkInterval,
  initialState: () => ({ lastScaleOutAt: -Infinity, lastScaleInAt: -Infinity }),
  decide,
} satisfies ScalingPolicy<TargetTrackingConfig, TargetTrackingState>;
