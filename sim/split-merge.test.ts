/**
 * Issue 13 items 1 and 2: kinesis-scaling-utils' SplitShard/MergeShards fallback when UpdateShardCount refuses, and
 * its cool-off stamped when the blocking call returns. Plans and timings are hand-computed from StreamScaler's loop.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../test/builders.ts';
import { Autoscaler, type ScalableTarget, type ScalingAction } from './autoscaler.ts';
import { EventQueue } from './engine/event-queue.ts';
import { kinesisScalingUtils, ksuSeesActiveAt, planSplitMerge } from './policies/kinesis-scaling-utils.ts';
import { equalBounds } from './kinesis.ts';

const equal = (n: number) => {
  const b = equalBounds(n);
  return Array.from({ length: n }, (_, i) => ({ lo: b[i]!, hi: b[i + 1]! }));
};
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const brief = (ops: { kind: string; at: number }[]) => ops.map((o) => `${o.kind}@${round(o.at)}`);

describe('planSplitMerge follows StreamScaler.scaleStream', () => {
  it('4 → 12 shards: eight SplitShards, two per quarter, at 1/12, 2/12, 4/12, 5/12, 7/12, 8/12, 10/12, 11/12', () => {
    expect(brief(planSplitMerge(equal(4), 12))).toEqual(
      [1, 2, 4, 5, 7, 8, 10, 11].map((k) => `split@${round(k / 12)}`),
    );
  });

  it('8 → 3 shards: seven MergeShards and two SplitShards (at 1/3 and 2/3), ending at thirds', () => {
    // Walk from the bottom: 1/8+1/8 merge; 1/4 + 1/8 is over 1/3, so split the 1/8 at 1/3 and merge; and so on.
    expect(brief(planSplitMerge(equal(8), 3))).toEqual([
      'merge@0.125',
      `split@${round(1 / 3)}`,
      'merge@0.25',
      'merge@0.375',
      'merge@0.5',
      `split@${round(2 / 3)}`,
      'merge@0.625',
      'merge@0.75',
      'merge@0.875',
    ]);
  });

  it('4 → 6 with maxShards 6 stops as soon as 6 shards are open, leaving ranges of 1/6 ×4, 1/12 and 1/4', () => {
    // Split 0–¼ at 1/6; 1/12 left + the next ¼ is over 1/6: split that at 1/3, merge at ¼; 1/3–½ is exactly 1/6;
    // split ½–¾ at 2/3 → 6 shards open = maxShards, so the loop returns with 2/3–¾ and ¾–1 untouched.
    const ops = planSplitMerge(equal(4), 6, { maxShards: 6 });
    expect(brief(ops)).toEqual([`split@${round(1 / 6)}`, `split@${round(1 / 3)}`, 'merge@0.25', `split@${round(2 / 3)}`]);
  });

  it('does nothing when the shards already have the target width', () => {
    expect(planSplitMerge(equal(5), 5)).toEqual([]);
  });
});

describe('when kinesis-scaling-utils sees ACTIVE (waitForStreamStatus: 20 s sleep, then 1 s polls)', () => {
  it('sees a 60 s reshard at 60 s, a 5 s one at 20 s, a 20.5 s one at 21 s, an instant one at once', () => {
    expect(ksuSeesActiveAt(100, 160)).toBe(160);
    expect(ksuSeesActiveAt(100, 105)).toBe(120);
    expect(ksuSeesActiveAt(100, 120.5)).toBe(121);
    expect(ksuSeesActiveAt(100, 100)).toBe(100);
  });
});

describe('the Autoscaler runs a blocking policy as the tool does', () => {
  it('after a 180 s UpdateShardCount issued at 60 s, stamps lastScaleUp at 240 s and checks next at 300 s, not 120 s', () => {
    const queue = new EventQueue();
    const log: ScalingAction[] = [];
    let shards = 1;
    let clock = 0;
    const checks: number[] = [];
    // Every minute at 100% of the open shards, published at once: every check votes UP.
    const target: ScalableTarget = {
      service: 'kinesis',
      resource: 's',
      capacity: () => shards,
      updating: () => false,
      unit: { writeBytes: 1_048_576, writeRecords: 1_000, readBytes: 2_097_152, readRecords: 2_000 },
      metrics: () => {
        checks.push(clock);
        return { IncomingRecords: Array.from({ length: 20 }, (_, m) => ({ minute: m * 60, sum: 60_000 * shards })) };
      },
      request: (to) => {
        shards = to;
        return { applied: true, activeAt: clock + 180 };
      },
    };
    const config = kinesisScalingUtils.configSchema.parse({
      checkInterval: '60s',
      scaleOnOperation: ['PUT'],
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 1, scalePct: 200, coolOffMins: 5 },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 1, scalePct: 50 },
    });
    const scaler = new Autoscaler(kinesisScalingUtils, config, target, log);
    scaler.start(queue, 0, 900);
    for (let t = 0; t <= 900; t++) {
      clock = t;
      queue.runUntil(t);
    }
    // 60: 1 → 2, returns at 240. 300 and 360 and 420 and 480: cool-off 5 min from 240 (not from 60), so the next
    // scale-up is at 540 (540 − 300 = 240, not before 240), returning at 720; then 780 and 840 are in its cool-off.
    expect(log.map((a) => [a.atSeconds, a.from, a.to])).toEqual([
      [60, 1, 2],
      [540, 2, 4],
    ]);
    expect(checks).toEqual([60, 300, 360, 420, 480, 540, 780, 840, 900]);
  });
});

/** 1 shard, random keys, 2,400 records/s of 100 B, no retries, datapoints visible as soon as their minute ends. */
const oneShardAt2400 = (up: Record<string, unknown>, duration = '150s') => ({
  duration,
  tenants: [{ name: 't', count: 1, rate: 2_400, eventBytes: 100, noise: 'none', batchSize: 10 }],
  kinesis: {
    shards: 1,
    partitionKey: 'random',
    splitMergeSeconds: 30,
    autoscaler: {
      policy: 'kinesis-scaling-utils',
      checkInterval: '60s',
      scaleOnOperation: ['PUT'],
      maxShards: 3,
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 1, ...up },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 1, scalePct: 50 },
    },
  },
  producer: { maxRetries: 0 },
  cloudwatch: { publishDelay: '0s' },
  dynamodb: { writeCapacity: 40_000 },
});

describe('the whole loop: UpdateShardCount 1 → 3 refused, the tool splits its way there', () => {
  const { summary, timeline } = run(oneShardAt2400({ scalePct: 300 }));
  const accepted = timeline.columns.accepted;
  const shards = timeline.columns.shards;

  it('logs the refusal at 60 s, then SplitShard at 1/3 (60 s) and at 2/3 (90 s), 30 s each', () => {
    // Only the scenario's 150 s: the drain that follows scales down once the traffic stops.
    const kinesis = summary.scaling.actions.filter((a) => a.service === 'kinesis' && a.atSeconds < 150);
    expect(kinesis.map((a) => [a.atSeconds, a.from, a.to, a.refusal === undefined])).toEqual([
      [60, 1, 3, false],
      [60, 1, 2, true],
      [90, 2, 3, true],
    ]);
    expect(kinesis[0]!.refusal).toMatch(/more than 2×/);
    expect(kinesis[1]!.reason).toContain('SplitShard at 33.3% of the key space');
    expect(kinesis[2]!.reason).toContain('SplitShard at 66.7% of the key space');
    expect(summary.kinesis.reshards).toBe(2);
    expect(summary.scaling.kinesis.firstScaleUpAtSeconds).toBe(60);
  });

  it('accepts 1,000/s on one shard, 1,800/s on ranges of 1/3 + 2/3 (800 + 1,000; equal halves would take 2,000), then all 2,400/s', () => {
    expect(shards[89]).toBe(1);
    expect(accepted[89]).toBeCloseTo(1_000, 6);
    expect(shards[90]).toBe(2);
    expect(accepted[90]).toBeCloseTo(1_800, 6);
    expect(accepted[119]).toBeCloseTo(1_800, 6);
    expect(shards[120]).toBe(3);
    expect(accepted[120]).toBeCloseTo(2_400, 6);
    expect(summary.audit.balanced).toBe(true);
  });

  it('stays at 1 shard with the fallback gone: a scalePct 200 step is allowed and takes 180 s instead', () => {
    const doubled = run(oneShardAt2400({ scalePct: 200 }, '300s'));
    const k = doubled.summary.scaling.actions.filter((a) => a.service === 'kinesis' && a.atSeconds < 300);
    expect(k.map((a) => [a.atSeconds, a.from, a.to, a.refusal])).toEqual([[60, 1, 2, undefined]]);
    // UpdateShardCount's default 180 s: two equal halves from 240 s.
    expect(doubled.timeline.columns.shards[239]).toBe(1);
    expect(doubled.timeline.columns.accepted[240]).toBeCloseTo(2_000, 6);
  });
});
