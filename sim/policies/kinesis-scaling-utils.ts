/**
 * awslabs/amazon-kinesis-scaling-utils (v.9.8.8) as a pure policy, with the semantics of its code rather than its README
 * (aws-reference.md §2, §8 item 4). Config keys keep the tool's names so a `configuration.json` entry can be pasted in.
 *
 * What is modelled, per check (StreamMonitor.run / processCloudwatchMetrics):
 * - a CloudWatch window of `max(scaleUp.scaleAfterMins, scaleDown.scaleAfterMins)` minutes ending now; samples inside it
 *   are counted, not required to be consecutive, and minutes with no published datapoint count as low (§2.2, §2.3);
 * - per operation (PUT, GET) and per metric (Bytes, Records), the metric with the higher running average decides;
 * - PUT/GET votes combine as UP if either is UP, DOWN only if both are DOWN (§2.3 step 5);
 * - independent up and down cool-offs; the new target from `StreamScalingUtils.getNewShardCount` (§2.4);
 * - utilisation is computed against a cached shard count, refreshed as the tool refreshes it (§2.4);
 * - StreamScaler.updateShardCount blocks until the stream is ACTIVE again (waitForStreamStatus: a first 20 s sleep,
 *   then 1 s polls), so no check runs meanwhile, the next one comes checkInterval after it returns, and the cool-off
 *   is stamped when it returns (StreamMonitor sets lastScaleUp/lastScaleDown after the call);
 * - when UpdateShardCount refuses (InvalidArgument or LimitExceeded: beyond 2× or ½, the calls-per-24-h quota, the
 *   per-stream cap), the tool's SplitShard/MergeShards loop (`planSplitMerge`), each operation waited for in turn;
 *   its report is non-null, so the cached shard count is re-read after it.
 * Not modelled: SNS notifications, and the tool's `int` overflow of stream capacity above ~1,024 shards.
 */
import { z } from 'zod';
import { duration } from '../duration.ts';
import type { ActionOutcome, Datapoint, MetricName, PolicyAction, PolicyDecision, PolicyView, ScalingPolicy } from './policy.ts';

export type KsuOperation = 'PUT' | 'GET';
export type KsuMetric = 'Bytes' | 'Records';
export type ScaleDirection = 'UP' | 'DOWN';
export type KsuVote = ScaleDirection | 'NONE';

/**
 * Which CloudWatch metric stands for each of the tool's (operation, metric) pairs, and which `view.unit` key divides it.
 * The tool reads PutRecord.Bytes + PutRecords.Bytes and PutRecord.Success + PutRecords.Records for PUT (§2.2); the
 * simulator publishes their stream-level totals, IncomingBytes and IncomingRecords (§1.5).
 */
const SOURCES: Readonly<Record<KsuOperation, Readonly<Record<KsuMetric, { metric: MetricName; unit: string }>>>> = {
  PUT: { Bytes: { metric: 'IncomingBytes', unit: 'writeBytes' }, Records: { metric: 'IncomingRecords', unit: 'writeRecords' } },
  GET: { Bytes: { metric: 'GetRecords.Bytes', unit: 'readBytes' }, Records: { metric: 'GetRecords.Records', unit: 'readRecords' } },
};

/** The tool's hard-coded per-shard maxima (KinesisOperationType, §2.2), used if the view omits a unit. */
const TOOL_UNITS: Readonly<Record<string, number>> = {
  writeBytes: 1_048_576,
  writeRecords: 1_000,
  readBytes: 2_097_152,
  readRecords: 2_000,
};

const VALIDATE_NOTE =
  "this mirrors kinesis-scaling-utils' AutoscalingConfiguration.validate(), which rejects a missing scalePct in " +
  'either scaleUp or scaleDown even when scaleCount is set (docs/sources.md#kinesis-scaling-utils); scaleCount still takes priority';

const scaleRule = (which: 'scaleUp' | 'scaleDown') =>
  z.strictObject({
    scaleThresholdPct: z.number().int().nonnegative(),
    scaleAfterMins: z.number().int().positive(),
    scalePct: z
      .number({
        error: (issue) =>
          issue.input === undefined
            ? `${which}.scalePct is required, even when scaleCount is set: ${VALIDATE_NOTE}`
            : 'expected a whole-number percentage',
      })
      .int()
      .nonnegative(),
    scaleCount: z.number().int().positive().optional(),
    coolOffMins: z.number().int().nonnegative().default(0),
    /** Accepted so tool configs paste in unchanged; the simulator sends no SNS notifications. */
    notificationARN: z.string().optional(),
  });

const positiveSeconds = z.union([duration(), z.number()]).refine((s) => s > 0, 'expected a positive duration such as 45s');

export const ksuConfigSchema = z
  .strictObject({
    policy: z.string().optional(),
    /** Accepted and ignored: the scenario has one stream, in one region. */
    streamName: z.string().optional(),
    region: z.string().optional(),
    /** Missing or empty means both, as in validate() (§2.1). */
    scaleOnOperation: z
      .array(z.enum(['PUT', 'GET']))
      .default(['PUT', 'GET'])
      .transform((ops): KsuOperation[] => (ops.length === 0 ? ['PUT', 'GET'] : [...new Set(ops)])),
    minShards: z.number().int().positive().optional(),
    maxShards: z.number().int().positive().optional(),
    /** Seconds between checks: 45 s in the code, 300 in the README examples (§2.1). */
    checkInterval: positiveSeconds.default(45),
    refreshShardsNumberAfterMin: z.number().int().positive().default(10),
    // validate() dereferences both objects, so neither may be omitted.
    scaleUp: scaleRule('scaleUp'),
    scaleDown: scaleRule('scaleDown'),
  })
  .refine((c) => c.minShards === undefined || c.maxShards === undefined || c.minShards <= c.maxShards, {
    path: ['minShards'],
    message: 'minShards is above maxShards; the tool requires minShards ≤ maxShards',
    // Run even when other fields are wrong, so every problem is reported at once.
    when: (payload) => {
      const v = payload.value as { minShards?: unknown; maxShards?: unknown } | undefined;
      return typeof v?.minShards === 'number' && typeof v.maxShards === 'number';
    },
  });

export type KsuConfig = z.output<typeof ksuConfigSchema>;
export type KsuScaleRule = KsuConfig['scaleUp'];

/** The tool's in-memory state. JSON-safe: `null` means "never". */
export interface KsuState {
  /** Shard count behind the utilisation denominator (StreamMetricManager.loadMaxCapacity), or null before the first check. */
  readonly cachedShards: number | null;
  /** When `cachedShards` was read, seconds since run start. */
  readonly cachedAt: number | null;
  /** When the policy last issued a scale-up / scale-down. */
  readonly lastScaleUp: number | null;
  readonly lastScaleDown: number | null;
}

/**
 * StreamScalingUtils.getNewShardCount (§2.4), including its own guards: up by `scalePct` is capped at `maxShards`;
 * down by `scalePct` never goes below `minShards` or 1. `scaleCount` takes priority and is not guarded here (the
 * tool's caller rejects a result ≤ 0 and clamps afterwards).
 */
export function newShardCount(
  current: number,
  direction: ScaleDirection,
  rule: { readonly scalePct?: number | undefined; readonly scaleCount?: number | undefined },
  bounds: { readonly minShards?: number | undefined; readonly maxShards?: number | undefined } = {},
): number {
  const { scalePct, scaleCount } = rule;
  if (scaleCount !== undefined) return direction === 'UP' ? current + scaleCount : current - scaleCount;
  if (scalePct === undefined) throw new Error('newShardCount: expected scalePct or scaleCount');
  if (direction === 'UP') {
    // Below 100 the percentage is an increment (15 → ×1.15); from 100 up it is a multiplier (200 → ×2, 100 → ×1).
    const factor = scalePct < 100 ? (100 + scalePct) / 100 : scalePct / 100;
    const target = Math.ceil(current * factor);
    return bounds.maxShards !== undefined && target > bounds.maxShards ? bounds.maxShards : target;
  }
  // Above 100 it is a divisor (200 → ÷2); up to 100 it is the share removed (50 → −50%). Both halve at 50/200.
  const target =
    scalePct > 100 ? Math.floor(current / (scalePct / 100)) : current - Math.floor(current * (scalePct / 100));
  if (bounds.minShards !== undefined && target < bounds.minShards) return bounds.minShards;
  return target < 1 ? 1 : target;
}

/** One metric's sample counts in the window, as processCloudwatchMetrics computes them. */
export interface MetricSamples {
  readonly high: number;
  /** Includes `missing` and, when the window held no datapoints at all, the extra `scaleDown.scaleAfterMins`. */
  readonly low: number;
  readonly datapoints: number;
  /** Window minutes without a datapoint, counted as low. */
  readonly missing: number;
  readonly noData: boolean;
  /** The tool's running average `(avg + pct) / 2`, oldest datapoint first. */
  readonly average: number;
  /** Utilisation of the newest datapoint, as a fraction. */
  readonly latest: number | undefined;
}

/** CloudWatch window length in minutes: max(up, down) scaleAfterMins (§2.2). */
export function windowMinutes(config: Pick<KsuConfig, 'scaleUp' | 'scaleDown'>): number {
  return Math.max(config.scaleUp.scaleAfterMins, config.scaleDown.scaleAfterMins);
}

/**
 * Datapoints GetMetricStatistics returns for StartTime = now − window, EndTime = now: CloudWatch rounds a recent
 * StartTime down to the whole minute and EndTime is exclusive (GetMetricStatistics API reference). Only published
 * datapoints are in `points`, so a minute still in progress or not yet published is simply absent.
 */
export function pointsInWindow(points: readonly Datapoint[], now: number, minutes: number): Datapoint[] {
  const start = Math.floor((now - minutes * 60) / 60) * 60;
  return points.filter((p) => p.minute >= start && p.minute < now).sort((a, b) => a.minute - b.minute);
}

/** High/low sample counting for one metric (§2.3 steps 1–3). `capacityPerSecond` is cached shards × per-shard unit. */
export function countSamples(
  points: readonly Datapoint[],
  capacityPerSecond: number,
  config: Pick<KsuConfig, 'scaleUp' | 'scaleDown'>,
): MetricSamples {
  const cwSampleDuration = windowMinutes(config);
  let high = 0;
  let low = 0;
  let average = 0;
  let latest: number | undefined;
  // The tool treats an empty result as "no operations of this type": a full scale-down's worth of low samples.
  const noData = points.length === 0;
  if (noData) low = config.scaleDown.scaleAfterMins;
  for (const point of points) {
    const pct = point.sum / 60 / capacityPerSecond;
    latest = pct;
    // Reproduces `latestAvg == 0d ? currentPct : (latestAvg + currentPct) / 2`, zero-reset quirk included. The tool
    // iterates a HashMap; oldest-first is our deterministic stand-in for that order.
    average = average === 0 ? pct : (average + pct) / 2;
    if (pct > config.scaleUp.scaleThresholdPct / 100) high++;
    else if (pct < config.scaleDown.scaleThresholdPct / 100) low++;
  }
  const missing = Math.max(0, cwSampleDuration - points.length);
  low += missing;
  return { high, low, datapoints: points.length, missing, noData, average, latest };
}

/** One operation's vote and the metric that decided it (§2.3 steps 3–4). */
export interface OperationVote {
  readonly operation: KsuOperation;
  readonly vote: KsuVote;
  readonly metric: KsuMetric;
  readonly samples: MetricSamples;
}

function voteFor(op: KsuOperation, view: PolicyView<KsuConfig, KsuState>, shards: number, now: number): OperationVote {
  const minutes = windowMinutes(view.config);
  const perMetric = (metric: KsuMetric): MetricSamples => {
    const source = SOURCES[op][metric];
    const unit = view.unit[source.unit] ?? TOOL_UNITS[source.unit] ?? 1;
    const points = pointsInWindow(view.metrics[source.metric] ?? [], now, minutes);
    return countSamples(points, shards * unit, view.config);
  };
  const bytes = perMetric('Bytes');
  const records = perMetric('Records');
  // Ties go to Bytes, as in the code's `>=`.
  const [metric, samples] = bytes.average >= records.average ? (['Bytes', bytes] as const) : (['Records', records] as const);
  const vote: KsuVote =
    samples.high >= view.config.scaleUp.scaleAfterMins
      ? 'UP'
      : samples.low >= view.config.scaleDown.scaleAfterMins
        ? 'DOWN'
        : 'NONE';
  return { operation: op, vote, metric, samples };
}

/** UP if any operation votes UP; DOWN only if every monitored operation votes DOWN (§2.3 step 5). */
export function combineVotes(votes: readonly KsuVote[]): KsuVote {
  if (votes.includes('UP')) return 'UP';
  if (votes.length > 0 && votes.every((v) => v === 'DOWN')) return 'DOWN';
  return 'NONE';
}

const pct = (fraction: number | undefined): string => (fraction === undefined ? 'n/a' : `${Math.round(fraction * 100)}%`);
const shardsWord = (n: number): string => `${n} cached shard${n === 1 ? '' : 's'}`;

function describeVote(v: OperationVote, config: KsuConfig, cached: number, minutes: number): string {
  const s = v.samples;
  const head = `${v.operation} ${v.metric}`;
  const latest = `latest ${pct(s.latest)} of ${shardsWord(cached)}`;
  if (v.vote === 'UP') {
    return `${head}: ${s.high} of ${minutes} samples above ${config.scaleUp.scaleThresholdPct}% (${latest})`;
  }
  if (v.vote === 'DOWN') {
    if (s.noData) {
      return `${head}: no datapoints in the ${minutes}-min window, counted as ${s.low} low samples (${s.missing} missing + scaleDown.scaleAfterMins ${config.scaleDown.scaleAfterMins})`;
    }
    const missing = s.missing > 0 ? `, ${s.missing} of them missing` : '';
    return `${head}: ${s.low} of ${minutes} samples below ${config.scaleDown.scaleThresholdPct}%${missing} (${latest})`;
  }
  return `${head}: ${s.high} high, ${s.low} low of ${minutes} (needs ${config.scaleUp.scaleAfterMins} high or ${config.scaleDown.scaleAfterMins} low)`;
}

function describeStep(direction: ScaleDirection, rule: KsuScaleRule): string {
  if (rule.scaleCount !== undefined) return `scaleCount ${rule.scaleCount} → ${direction === 'UP' ? '+' : '−'}${rule.scaleCount}`;
  const p = rule.scalePct;
  if (direction === 'UP') return `scalePct ${p} → ×${(p < 100 ? (100 + p) / 100 : p / 100).toFixed(2).replace(/0$/, '')}`;
  return p > 100 ? `scalePct ${p} → ÷${(p / 100).toFixed(2).replace(/0$/, '')}` : `scalePct ${p} → −${p}%`;
}

function none(reason: string): PolicyAction {
  return { kind: 'none', reason };
}

function decide(view: PolicyView<KsuConfig, KsuState>): PolicyDecision<KsuState> {
  const { config, state, now } = view;
  // The tool blocks in updateShardCount until the stream is ACTIVE again, so it makes no decision meanwhile (§2.4).
  if (view.updating) return { action: none('stream UPDATING; kinesis-scaling-utils waits for ACTIVE'), state };

  // loadMaxCapacity() runs once when the monitor starts.
  let cachedShards = state.cachedShards ?? view.capacity;
  let cachedAt = state.cachedAt ?? now;
  let { lastScaleUp, lastScaleDown } = state;

  const minutes = windowMinutes(config);
  const votes = config.scaleOnOperation.map((op) => voteFor(op, view, cachedShards, now));
  const direction = combineVotes(votes.map((v) => v.vote));
  const because = (d: KsuVote): string =>
    votes
      .filter((v) => v.vote === d)
      .map((v) => describeVote(v, config, cachedShards, minutes))
      .join('; ');

  let action: PolicyAction;
  let scaledTo: number | undefined;
  if (direction === 'NONE') {
    action = none(votes.map((v) => describeVote(v, config, cachedShards, minutes)).join('; '));
  } else {
    const rule = direction === 'UP' ? config.scaleUp : config.scaleDown;
    const last = direction === 'UP' ? lastScaleUp : lastScaleDown;
    const word = direction === 'UP' ? 'scale-up' : 'scale-down';
    if (last !== null && now - rule.coolOffMins * 60 < last) {
      action = none(`${because(direction)}; deferring ${word}: coolOffMins ${rule.coolOffMins} since ${last}s`);
    } else {
      // The target starts from the live open-shard count (getOpenShardCount), not the cached one.
      const current = view.capacity;
      const raw = newShardCount(current, direction, rule, config);
      // StreamMonitor drops a target equal to current or ≤ 0, then StreamScaler clamps to [minShards, maxShards].
      const target = raw === current || raw <= 0 ? current : clamp(raw, config.minShards, config.maxShards);
      if (target === current) {
        action = none(`${because(direction)}; ${describeStep(direction, rule)} gives no change from ${current} shards`);
      } else {
        action = {
          kind: 'scale',
          to: target,
          reason: `${because(direction)}, ${describeStep(direction, rule)}: ${current} → ${target} shards`,
          onRefusal: { kind: 'split-merge', minShards: config.minShards, maxShards: config.maxShards },
        };
        scaledTo = target;
        // Stamped now for callers that apply the action at once; `afterAction` moves the stamp to when the blocking
        // call returned, as StreamMonitor does (it sets lastScaleUp after updateShardCount returns).
        if (direction === 'UP') lastScaleUp = now;
        else lastScaleDown = now;
      }
    }
  }

  // The NONE path returns a non-null report, after which run() reloads capacity; after a scale, a deferral or a no-op
  // the report is null, so only the periodic refresh applies (§2.4).
  if (direction === 'NONE') {
    cachedShards = view.capacity;
    cachedAt = now;
  } else if (now - config.refreshShardsNumberAfterMin * 60 > cachedAt) {
    // After a scale the tool has blocked until ACTIVE before it gets here, so it reads the new count.
    cachedShards = scaledTo ?? view.capacity;
    cachedAt = now;
  }

  return { action, state: { cachedShards, cachedAt, lastScaleUp, lastScaleDown } };
}

function clamp(n: number, min: number | undefined, max: number | undefined): number {
  if (min !== undefined && n < min) return min;
  if (max !== undefined && n > max) return max;
  return n;
}

/**
 * When the tool sees the stream ACTIVE after a call made at `issuedAt` that completes at `activeAt`
 * (StreamScalingUtils.waitForStreamStatus, KSU): its first DescribeStream right after the call finds UPDATING, then it
 * sleeps 20 s, then polls every second.
 */
export function ksuSeesActiveAt(issuedAt: number, activeAt: number): number {
  if (activeAt <= issuedAt) return issuedAt;
  const firstPoll = issuedAt + 20;
  return activeAt <= firstPoll ? firstPoll : firstPoll + Math.ceil(activeAt - firstPoll - 1e-9);
}

/** One step of the tool's fallback: SplitShard at hash position `at`, or MergeShards of the two shards meeting there. */
export interface SplitMergeOp {
  readonly kind: 'split' | 'merge';
  /** Key-space fraction: the split's NewStartingHashKey, or the boundary between the two shards merged. */
  readonly at: number;
}

/** Two key-space widths within this of each other are equal (softCompare at PCT_COMPARISON_SCALE 10, KSU). */
const SOFT_EPSILON = 1e-9;
const softCompare = (a: number, b: number): number => (Math.abs(a - b) < SOFT_EPSILON ? 0 : a < b ? -1 : 1);

/**
 * The SplitShard/MergeShards sequence StreamScaler.scaleStream makes to reach `target` shards from the open shards'
 * hash ranges (§2.4), as a pure plan. The tool walks the shards from the lowest hash upward towards equal widths of
 * 1/target: a shard wider than that is split at that width and its upper part walked next; a narrower one is merged
 * with the next (when both together are no wider), or the next is split so that the merge comes out exactly 1/target.
 * It stops early once the shard count reaches minShards (scaling down) or maxShards (scaling up). Each operation is
 * one UPDATING period; the tool waits for ACTIVE before the next.
 */
export function planSplitMerge(
  ranges: readonly { readonly lo: number; readonly hi: number }[],
  target: number,
  caps: { readonly minShards?: number | undefined; readonly maxShards?: number | undefined } = {},
): SplitMergeOp[] {
  const width = 1 / target;
  // The open shards sorted descending, pushed in turn: the lowest hash range is on top.
  const stack = [...ranges].sort((a, b) => b.lo - a.lo).map((r) => ({ lo: r.lo, hi: r.hi }));
  let count = ranges.length;
  const ops: SplitMergeOp[] = [];
  for (;;) {
    if (caps.minShards !== undefined && count === caps.minShards && target <= caps.minShards) break;
    if (caps.maxShards !== undefined && count === caps.maxShards && target >= caps.maxShards) break;
    const lower = stack.pop();
    if (lower === undefined) break;
    const w = lower.hi - lower.lo;
    const c = softCompare(w, width);
    if (c < 0) {
      const higher = stack.pop();
      if (higher === undefined) break;
      if (softCompare(w + (higher.hi - higher.lo), width) > 0) {
        // Split the upper one so that its lower part and the lower shard together are exactly 1/target, then merge.
        const at = higher.lo + (width - w);
        ops.push({ kind: 'split', at }, { kind: 'merge', at: higher.lo });
        stack.push({ lo: at, hi: higher.hi });
      } else {
        ops.push({ kind: 'merge', at: higher.lo });
        count--;
        stack.push({ lo: lower.lo, hi: higher.hi });
      }
    } else if (c > 0) {
      const at = lower.lo + width;
      ops.push({ kind: 'split', at });
      stack.push({ lo: at, hi: lower.hi });
      count++;
    }
  }
  return ops;
}

/**
 * Once the call has returned: StreamMonitor stamps lastScaleUp/lastScaleDown with the time it returned, i.e. when the
 * stream was seen ACTIVE again (after the whole split/merge loop, if it fell back). The fallback returns a report, so
 * run() re-reads the shard count (loadMaxCapacity) with the cycle's start time; UpdateShardCount returns null (§2.4).
 */
function afterAction(state: KsuState, outcome: ActionOutcome): KsuState {
  if (!outcome.applied && outcome.fallbackOperations === undefined) return state;
  const at = outcome.returnedAt ?? outcome.atSeconds;
  const up = outcome.to > outcome.from;
  const next: KsuState = { ...state, ...(up ? { lastScaleUp: at } : { lastScaleDown: at }) };
  if (outcome.fallbackOperations !== undefined && outcome.capacityAfter !== undefined) {
    return { ...next, cachedShards: outcome.capacityAfter, cachedAt: outcome.atSeconds };
  }
  return next;
}

/** The kinesis-scaling-utils autoscaler, registered as `kinesis-scaling-utils`. */
export const kinesisScalingUtils = {
  name: 'kinesis-scaling-utils',
  service: 'kinesis',
  configSchema: ksuConfigSchema,
  checkIntervalSeconds: (config: KsuConfig): number => config.checkInterval,
  initialState: (): KsuState => ({ cachedShards: null, cachedAt: null, lastScaleUp: null, lastScaleDown: null }),
  decide,
  seesActiveAt: ksuSeesActiveAt,
  afterAction,
} satisfies ScalingPolicy<KsuConfig, KsuState>;
