import { describe, it, expect } from 'vitest';
import {
  countSamples,
  kinesisScalingUtils,
  ksuConfigSchema,
  newShardCount,
  type KsuConfig,
  type KsuState,
} from './kinesis-scaling-utils.ts';
import type { Datapoint, MetricName, PolicyView } from './policy.ts';

const UNIT = { writeBytes: 1_048_576, writeRecords: 1_000, readBytes: 2_097_152, readRecords: 2_000 };

type Load = (minute: number) => Partial<Record<MetricName, number>>;

interface Story {
  config: Record<string, unknown>;
  shards: number;
  /** Per-minute Sum of each metric, by minute index (0 = the first minute of the run). */
  load: Load;
  /** A minute's datapoint becomes visible this long after the minute ends. */
  lagSeconds?: number;
  /** How long a reshard keeps the stream UPDATING; 0 applies it before the next check. */
  reshardSeconds?: number;
  until: number;
}

interface Check {
  now: number;
  from: number;
  to?: number;
  reason?: string;
}

/** Drives the policy at its check interval against a fake stream that applies every action. */
function simulate(story: Story): { actions: Check[]; checks: Check[] } {
  const policy = kinesisScalingUtils;
  const config = policy.configSchema.parse(story.config);
  const every = policy.checkIntervalSeconds(config);
  const lag = story.lagSeconds ?? 0;
  let state = policy.initialState();
  let shards = story.shards;
  let pending: { to: number; at: number } | undefined;
  const checks: Check[] = [];
  for (let now = every; now <= story.until; now += every) {
    if (pending && now >= pending.at) {
      shards = pending.to;
      pending = undefined;
    }
    const metrics: Partial<Record<MetricName, Datapoint[]>> = {};
    for (let m = 0; m * 60 + 60 + lag <= now; m++) {
      for (const [name, sum] of Object.entries(story.load(m)) as [MetricName, number][]) {
        (metrics[name] ??= []).push({ minute: m * 60, sum });
      }
    }
    const view: PolicyView<KsuConfig, KsuState> = {
      now,
      capacity: shards,
      updating: pending !== undefined,
      unit: UNIT,
      metrics,
      config,
      state,
    };
    const { action, state: next } = policy.decide(view);
    state = next;
    if (action.kind === 'scale') {
      checks.push({ now, from: shards, to: action.to, reason: action.reason });
      pending = { to: action.to, at: now + (story.reshardSeconds ?? 0) };
    } else {
      checks.push({ now, from: shards, ...(action.reason === undefined ? {} : { reason: action.reason }) });
    }
  }
  return { actions: checks.filter((c) => c.to !== undefined), checks };
}

const at = (checks: Check[], now: number): Check => {
  const check = checks.find((c) => c.now === now);
  if (!check) throw new Error(`no check at ${now}s`);
  return check;
};
const brief = (actions: Check[]) => actions.map(({ now, from, to }) => ({ now, from, to }));

/** IncomingRecords per minute, with 100-byte records so Records is always the busier metric. */
const records = (perMinute: (m: number) => number): Load => (m) => ({
  IncomingRecords: perMinute(m),
  IncomingBytes: perMinute(m) * 100,
});

const putOnly = (up: Record<string, unknown>, down: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  policy: 'kinesis-scaling-utils',
  scaleOnOperation: ['PUT'],
  scaleUp: { scaleThresholdPct: 75, scalePct: 200, ...up },
  scaleDown: { scaleThresholdPct: 25, scalePct: 200, ...down },
  ...extra,
});

describe('newShardCount reproduces StreamScalingUtils.getNewShardCount (TestScalingUtils cases)', () => {
  it('scales up by percentage: below 100 adds, from 100 multiplies', () => {
    expect(newShardCount(1, 'UP', { scalePct: 15 })).toBe(2); // ceil(1 × 1.15)
    expect(newShardCount(1, 'UP', { scalePct: 70 })).toBe(2);
    expect(newShardCount(10, 'UP', { scalePct: 70 })).toBe(17); // ceil(10 × 1.7)
    expect(newShardCount(5, 'UP', { scalePct: 110 })).toBe(6); // ceil(5 × 1.1)
    expect(newShardCount(7, 'UP', { scalePct: 200 })).toBe(14);
    expect(newShardCount(2, 'UP', { scalePct: 300 })).toBe(6);
    expect(newShardCount(8, 'UP', { scalePct: 1100 })).toBe(88);
  });

  it('treats scale-up scalePct 100 as ×1, i.e. no change (the shipped configuration.json never scales up)', () => {
    expect(newShardCount(4, 'UP', { scalePct: 100 })).toBe(4);
  });

  it('scales down: up to 100 removes that share, above 100 divides; 50 and 200 both halve', () => {
    expect(newShardCount(3, 'DOWN', { scalePct: 15 })).toBe(3); // 3 − floor(0.45)
    expect(newShardCount(10, 'DOWN', { scalePct: 20 })).toBe(8);
    expect(newShardCount(6, 'DOWN', { scalePct: 50 })).toBe(3);
    expect(newShardCount(6, 'DOWN', { scalePct: 200 })).toBe(3);
    expect(newShardCount(5, 'DOWN', { scalePct: 110 })).toBe(4); // floor(5 / 1.1)
    expect(newShardCount(10, 'DOWN', { scalePct: 300 })).toBe(3);
  });

  it('never goes below minShards or 1 when scaling down by percentage', () => {
    expect(newShardCount(1, 'DOWN', { scalePct: 500 })).toBe(1);
    expect(newShardCount(10, 'DOWN', { scalePct: 1200 })).toBe(1);
    expect(newShardCount(1, 'DOWN', { scalePct: 20 })).toBe(1);
    expect(newShardCount(10, 'DOWN', { scalePct: 1200 }, { minShards: 3 })).toBe(3);
  });

  it('caps a percentage scale-up at maxShards', () => {
    expect(newShardCount(10, 'UP', { scalePct: 70 }, { maxShards: 15 })).toBe(15);
  });

  it('gives scaleCount priority over scalePct, unguarded (the caller drops results ≤ 0)', () => {
    expect(newShardCount(4, 'UP', { scalePct: 100, scaleCount: 3 })).toBe(7);
    expect(newShardCount(4, 'DOWN', { scalePct: 50, scaleCount: 1 })).toBe(3);
    expect(newShardCount(2, 'DOWN', { scalePct: 50, scaleCount: 3 })).toBe(-1);
  });
});

describe('configuration', () => {
  it('requires scalePct in both scaleUp and scaleDown even with scaleCount, and says it mirrors validate()', () => {
    const result = ksuConfigSchema.safeParse({
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 5, scaleCount: 1 },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 15, scaleCount: 1 },
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toEqual(['scaleUp.scalePct', 'scaleDown.scalePct']);
    for (const issue of issues) {
      expect(issue.message).toContain('even when scaleCount is set');
      expect(issue.message).toContain('AutoscalingConfiguration.validate()');
    }
  });

  it('reports every problem at once: unknown keys, minShards above maxShards, a missing scaleDown', () => {
    const result = ksuConfigSchema.safeParse({
      minShards: 5,
      maxShards: 3,
      scaleUpp: {},
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 5, scalePct: 200 },
    });
    const paths = (result.error?.issues ?? []).map((i) => i.path.join('.') || `(keys: ${'keys' in i ? i.keys : ''})`);
    expect(paths).toEqual(expect.arrayContaining(['scaleDown', 'minShards', '(keys: scaleUpp)']));
  });

  it("fills the code's defaults: both operations, 45 s checks, 10-min shard refresh, no cool-off", () => {
    const config = ksuConfigSchema.parse({
      policy: 'kinesis-scaling-utils',
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 5, scalePct: 200 },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 15, scalePct: 200 },
    });
    expect(config.scaleOnOperation).toEqual(['PUT', 'GET']);
    expect(kinesisScalingUtils.checkIntervalSeconds(config)).toBe(45);
    expect(config.refreshShardsNumberAfterMin).toBe(10);
    expect(config.scaleUp.coolOffMins).toBe(0);
    expect(config.scaleDown.coolOffMins).toBe(0);
  });

  it('reads checkInterval as a duration string', () => {
    const config = ksuConfigSchema.parse({
      checkInterval: '5m',
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 5, scalePct: 200 },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 15, scalePct: 200 },
    });
    expect(kinesisScalingUtils.checkIntervalSeconds(config)).toBe(300);
  });
});

describe('sample counting', () => {
  const config = ksuConfigSchema.parse(putOnly({ scaleAfterMins: 5 }, { scaleAfterMins: 3 }));

  it('counts a window with no datapoints as missing minutes plus scaleDown.scaleAfterMins', () => {
    // Window = max(5, 3) = 5 minutes; none present → 5 missing + 3 extra.
    expect(countSamples([], 1_000, config)).toMatchObject({ high: 0, low: 8, missing: 5, noData: true });
  });

  it('counts missing minutes as low but adds nothing extra when at least one datapoint came back', () => {
    // One datapoint at 50% of 1,000 rec/s: neither high nor low; 4 missing minutes are low.
    const one = [{ minute: 0, sum: 30_000 }];
    expect(countSamples(one, 1_000, config)).toMatchObject({ high: 0, low: 4, missing: 4, noData: false });
  });
});

describe('a 1-shard stream whose IncomingRecords go from 30,000/min (50%) to 108,000/min (180%) at minute 10', () => {
  const load = records((m) => (m < 10 ? 30_000 : 108_000));

  it('does not scale before three high minutes are published, then scales at the first check after', () => {
    // Checks every 45 s; datapoints appear as soon as their minute ends. Minutes 10–12 (600–779 s) are all published
    // by the check at 810 s, whose window (start rounded down to 600) holds exactly those three.
    const { actions, checks } = simulate({
      config: putOnly({ scaleAfterMins: 3 }, { scaleAfterMins: 3 }),
      shards: 1,
      load,
      until: 810,
    });
    expect(brief(actions)).toEqual([{ now: 810, from: 1, to: 2 }]);
    // At 765 s minute 12 is still in progress: only two high samples.
    expect(at(checks, 765).reason).toContain('2 high');
    expect(actions[0]?.reason).toBe(
      'PUT Records: 3 of 3 samples above 75% (latest 180% of 1 cached shard), scalePct 200 → ×2.0: 1 → 2 shards',
    );
  });

  it('lets scaleCount take priority over scalePct (scalePct 100 alone would mean no change)', () => {
    const { actions } = simulate({
      config: putOnly({ scaleAfterMins: 3, scalePct: 100, scaleCount: 2 }, { scaleAfterMins: 3 }),
      shards: 1,
      load,
      until: 810,
    });
    expect(brief(actions)).toEqual([{ now: 810, from: 1, to: 3 }]);
    expect(actions[0]?.reason).toContain('scaleCount 2 → +2');
  });

  it('never scales up with scaleUp scalePct 100 and no scaleCount', () => {
    const { actions } = simulate({
      config: putOnly({ scaleAfterMins: 3, scalePct: 100 }, { scaleAfterMins: 3 }),
      shards: 1,
      load,
      until: 3600,
    });
    expect(actions).toEqual([]);
  });
});

describe('publication lag: the newest minute in the window counts as low (§2.4 modelling note)', () => {
  // 1 shard, 54,000 records/min (90%) from minute 10; before that 50%, which is neither high nor low.
  const load = records((m) => (m < 10 ? 30_000 : 54_000));
  const upDown = (up: number, down: number) => putOnly({ scaleAfterMins: up }, { scaleAfterMins: down });

  it('scales with up 5 / down 5 when each minute is published as soon as it ends', () => {
    // Minutes 10–14 end at 900 s; the check at 900 s has all five in its 5-minute window.
    const { actions } = simulate({ config: upDown(5, 5), shards: 1, load, until: 900 });
    expect(brief(actions)).toEqual([{ now: 900, from: 1, to: 2 }]);
  });

  it('waits for a check late enough in the minute when datapoints lag 30 s', () => {
    // At 900 s minute 14 is not out yet (due 930 s): 4 high. At 945 s the window [600, 945) holds minutes 10–14.
    const { actions } = simulate({ config: upDown(5, 5), shards: 1, load, lagSeconds: 30, until: 945 });
    expect(brief(actions)).toEqual([{ now: 945, from: 1, to: 2 }]);
  });

  it('never scales up with up 5 / down 5 when datapoints lag 90 s: at most 4 of the 5 window minutes are published', () => {
    const { actions, checks } = simulate({ config: upDown(5, 5), shards: 1, load, lagSeconds: 90, until: 3600 });
    expect(actions).toEqual([]);
    // Published minutes end at least 150 s before the check. At 3510 s (30 s into a minute) the window [3180, 3510)
    // holds minutes 53–57 of which 53–56 are out: 4 high, 1 low. At 3600 s only 55–57 of 55–59 are: 3 high.
    expect(at(checks, 3510).reason).toContain('4 high, 1 low');
    expect(at(checks, 3600).reason).toContain('3 high, 2 low');
  });

  it('does scale with the same lag when scaleDown.scaleAfterMins is longer (README example: up 5, down 15)', () => {
    // The 15-minute window leaves room for 5 published high minutes: minutes 10–14, the last published at 990 s.
    const { actions } = simulate({ config: upDown(5, 15), shards: 1, load, lagSeconds: 90, until: 990 });
    expect(brief(actions)).toEqual([{ now: 990, from: 1, to: 2 }]);
  });
});

describe('cool-offs are per direction', () => {
  // 1 shard; checks every 60 s; reshards apply at once. Records: 50% until minute 10, 90% for minutes 10–12,
  // 5% for minutes 13–16, 90% again from minute 17.
  const load = records((m) => (m < 10 ? 30_000 : m <= 12 ? 54_000 : m <= 16 ? 3_000 : 54_000));
  const config = (upCoolOff: number) =>
    putOnly(
      { scaleAfterMins: 3, coolOffMins: upCoolOff },
      { scaleAfterMins: 3, coolOffMins: 10 },
      { checkInterval: '60s' },
    );

  it('scales down 3 minutes after a scale-up despite a 10-minute scale-up cool-off, then defers the next scale-up', () => {
    // 780 s: minutes 10–12 high → 1 → 2. 960 s: minutes 13–15 at 2.5% of 2 shards → 2 → 1 (the up cool-off does
    // not apply). 1200 s: minutes 17–19 high again, but 1200 − 10 min < 780, so the scale-up waits until 1380 s.
    const { actions, checks } = simulate({ config: config(10), shards: 1, load, until: 1400 });
    expect(brief(actions)).toEqual([
      { now: 780, from: 1, to: 2 },
      { now: 960, from: 2, to: 1 },
      { now: 1380, from: 1, to: 2 },
    ]);
    expect(at(checks, 1200).reason).toContain('deferring scale-up: coolOffMins 10');
    expect(actions[1]?.reason).toContain('PUT Records: 3 of 3 samples below 25%');
  });

  it('scales up as soon as the samples allow without a scale-up cool-off', () => {
    const { actions } = simulate({ config: config(0), shards: 1, load, until: 1200 });
    expect(brief(actions)).toEqual([
      { now: 780, from: 1, to: 2 },
      { now: 960, from: 2, to: 1 },
      { now: 1200, from: 1, to: 2 },
    ]);
  });

  it('blocks a second scale-down within the scale-down cool-off', () => {
    const { checks } = simulate({ config: config(10), shards: 1, load, until: 1020 });
    expect(at(checks, 1020).reason).toContain('deferring scale-down: coolOffMins 10');
  });
});

describe('utilisation against a cached shard count', () => {
  // 1 shard; 54,000 records/min from minute 10 is 90% of one shard but 45% of two, which is neither high nor low.
  const load = records((m) => (m < 10 ? 30_000 : 54_000));
  const config = (refresh?: number) =>
    putOnly(
      { scaleAfterMins: 3, coolOffMins: 5 },
      { scaleAfterMins: 3 },
      { checkInterval: '60s', ...(refresh === undefined ? {} : { refreshShardsNumberAfterMin: refresh }) },
    );

  it('keeps measuring against 1 shard for 10 minutes after scaling, so it doubles again after each cool-off', () => {
    // Last refresh at 720 s (a no-vote check). Votes stay UP against the stale 1 shard, so the next refresh is the
    // periodic one due after 720 + 600 s. Scale-ups at 780, 1080 and 1380 s take the live count 1 → 2 → 4 → 8.
    const { actions } = simulate({ config: config(), shards: 1, load, until: 1400 });
    expect(brief(actions)).toEqual([
      { now: 780, from: 1, to: 2 },
      { now: 1080, from: 2, to: 4 },
      { now: 1380, from: 4, to: 8 },
    ]);
    expect(actions[2]?.reason).toContain('latest 90% of 1 cached shard');
  });

  it('re-reads the shard count after any check where no operation votes', () => {
    // As above, but minute 13 dips to 36,000/min (60% of 1 shard: neither high nor low). At 840 s the window
    // (minutes 11–13) has only 2 high samples, so nobody votes; that check returns a report and the tool reloads the
    // count (2). From minute 14, 90% of 1 shard is 45% of 2, so there is no second scale-up.
    const dip = records((m) => (m < 10 ? 30_000 : m === 13 ? 36_000 : 54_000));
    const { actions } = simulate({ config: config(), shards: 1, load: dip, until: 1400 });
    expect(brief(actions)).toEqual([{ now: 780, from: 1, to: 2 }]);
  });

  it('settles at 2 shards when the count is refreshed every 2 minutes', () => {
    // Refresh due when now − 120 s > 720 s, i.e. at the 900 s check (during the cool-off); from then on 45% → no vote.
    const { actions } = simulate({ config: config(2), shards: 1, load, until: 1400 });
    expect(brief(actions)).toEqual([{ now: 780, from: 1, to: 2 }]);
  });
});

describe('PUT and GET votes', () => {
  // 4 shards: PUT capacity 4,000 rec/s, GET 8,000 rec/s. One check at 600 s over minutes 7–9.
  const PUT = { high: 216_000, neutral: 120_000, low: 24_000 }; // 90%, 50%, 10% of 4,000 rec/s
  const GET = { high: 432_000, neutral: 240_000, low: 48_000 }; // 90%, 50%, 10% of 8,000 rec/s
  const decideOnce = (put: number, get: number | undefined, ops: string[] = ['PUT', 'GET']) => {
    const config = ksuConfigSchema.parse({
      scaleOnOperation: ops,
      scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 3, scalePct: 200 },
      scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 3, scalePct: 200 },
    });
    const minutes = (sum: number) => [7, 8, 9].map((m) => ({ minute: m * 60, sum }));
    return kinesisScalingUtils.decide({
      now: 600,
      capacity: 4,
      updating: false,
      unit: UNIT,
      metrics: {
        IncomingRecords: minutes(put),
        ...(get === undefined ? {} : { 'GetRecords.Records': minutes(get) }),
      },
      config,
      state: kinesisScalingUtils.initialState(),
    }).action;
  };

  it('scales up if either operation votes up', () => {
    expect(decideOnce(PUT.high, GET.low)).toMatchObject({ kind: 'scale', to: 8 });
    expect(decideOnce(PUT.neutral, GET.high)).toMatchObject({ kind: 'scale', to: 8 });
  });

  it('scales down only if both vote down', () => {
    expect(decideOnce(PUT.low, GET.low)).toMatchObject({ kind: 'scale', to: 2 });
    expect(decideOnce(PUT.low, GET.neutral)).toMatchObject({ kind: 'none' });
  });

  it('counts an idle consumer (no GetRecords datapoints) as a down vote', () => {
    expect(decideOnce(PUT.low, undefined)).toMatchObject({ kind: 'scale', to: 2 });
  });

  it('ignores GET when scaleOnOperation is PUT only', () => {
    expect(decideOnce(PUT.low, GET.neutral, ['PUT'])).toMatchObject({ kind: 'scale', to: 2 });
  });
});

describe('the metric with the higher running average decides', () => {
  // 1 shard, window 4 minutes (up 3, down 4). Bytes run at 60% every minute (neither high nor low).
  const bytes60 = 0.6 * 1_048_576 * 60;
  const decideWith = (recordsPerMinute: number[]) => {
    const config = ksuConfigSchema.parse(putOnly({ scaleAfterMins: 3 }, { scaleAfterMins: 4 }));
    return kinesisScalingUtils.decide({
      now: 240,
      capacity: 1,
      updating: false,
      unit: UNIT,
      metrics: {
        IncomingBytes: [0, 1, 2, 3].map((m) => ({ minute: m * 60, sum: bytes60 })),
        IncomingRecords: recordsPerMinute.map((sum, m) => ({ minute: m * 60, sum })),
      },
      config,
      state: kinesisScalingUtils.initialState(),
    }).action;
  };

  it('ignores three high Records samples when a low newest sample drags their average below Bytes', () => {
    // Records 95%, 95%, 95%, 10%: running average 0.95 → 0.95 → 0.95 → (0.95 + 0.10) / 2 = 0.525 < 0.60.
    const action = decideWith([57_000, 57_000, 57_000, 6_000]);
    expect(action.kind).toBe('none');
    expect(action.reason).toContain('PUT Bytes: 0 high, 0 low of 4');
  });

  it('scales on the same samples in another order', () => {
    // Records 10%, 95%, 95%, 95%: 0.10 → 0.525 → 0.7375 → 0.84375 > 0.60, and 3 high ≥ scaleAfterMins 3.
    const action = decideWith([6_000, 57_000, 57_000, 57_000]);
    expect(action).toMatchObject({ kind: 'scale', to: 2 });
    expect(action.kind === 'scale' && action.reason).toContain('PUT Records: 3 of 4 samples above 75%');
  });
});

describe('bounds and no-ops', () => {
  const highFor = (shards: number) => [7, 8, 9].map((m) => ({ minute: m * 60, sum: 0.9 * shards * 1_000 * 60 }));
  const lowFor = (shards: number) => [7, 8, 9].map((m) => ({ minute: m * 60, sum: 0.1 * shards * 1_000 * 60 }));
  const decideAt = (shards: number, points: Datapoint[], extra: Record<string, unknown>, down = {}) =>
    kinesisScalingUtils.decide({
      now: 600,
      capacity: shards,
      updating: false,
      unit: UNIT,
      metrics: { IncomingRecords: points },
      config: ksuConfigSchema.parse(putOnly({ scaleAfterMins: 3 }, { scaleAfterMins: 3, ...down }, extra)),
      state: kinesisScalingUtils.initialState(),
    });

  it('clamps to maxShards, and does nothing once there', () => {
    expect(decideAt(2, highFor(2), { maxShards: 3 }).action).toMatchObject({ kind: 'scale', to: 3 });
    expect(decideAt(3, highFor(3), { maxShards: 3 }).action.kind).toBe('none');
  });

  it('clamps to minShards on the way down', () => {
    expect(decideAt(4, lowFor(4), { minShards: 3 }).action).toMatchObject({ kind: 'scale', to: 3 });
  });

  it('does nothing when scaleCount would take the stream to zero or below (the tool drops targets ≤ 0)', () => {
    expect(decideAt(2, lowFor(2), {}, { scaleCount: 3 }).action.kind).toBe('none');
    expect(decideAt(4, lowFor(4), {}, { scaleCount: 3 }).action).toMatchObject({ kind: 'scale', to: 1 });
  });

  it('makes no decision while the stream is UPDATING, and leaves its state alone', () => {
    const config = ksuConfigSchema.parse(putOnly({ scaleAfterMins: 3 }, { scaleAfterMins: 3 }));
    const state: KsuState = { cachedShards: 2, cachedAt: 300, lastScaleUp: 300, lastScaleDown: null };
    const decision = kinesisScalingUtils.decide({
      now: 600,
      capacity: 2,
      updating: true,
      unit: UNIT,
      metrics: { IncomingRecords: highFor(2) },
      config,
      state,
    });
    expect(decision.action.kind).toBe('none');
    expect(decision.state).toBe(state);
  });
});
