/**
 * `target-utilization`: ingestlab's own simple Kinesis policy, not an AWS product or a port of one. It sizes the stream
 * from PUT load so that utilisation lands near `targetUtilization`.
 *
 * - Utilisation of a published minute is max(IncomingBytes, IncomingRecords) per second over the stream's write
 *   capacity now (open shards × 1 MiB/s or × 1,000 rec/s, §1.1, §1.5). Because it is measured against the current
 *   shard count, minutes published before a reshard are re-read at the new size.
 * - Scale out when each of the newest `evaluationMinutes` published minutes is above target: to
 *   ceil(current × util / target) from the newest minute, at most 2× current (UpdateShardCount's step limit, §1.3).
 *   IncomingRecords/Bytes count only accepted writes, so a throttled stream reads at most 100% and each step grows by at
 *   most 100 / target (×1.43 at 70%).
 * - Scale in when each of the newest `scaleInMinutes` published minutes is below `scaleInUtilization`: to
 *   max(ceil(current × util / target), ceil(current / 2)), util being the highest of those minutes; ½ is the API limit.
 * - One cool-off after any action, in either direction. No decisions while the stream is UPDATING.
 * A minute without a datapoint counts as zero traffic. The window is anchored on the newest published minute, so the
 * policy never acts on fewer minutes than configured, nor on minutes from before the run.
 */
import { z } from 'zod';
import { duration } from '../duration.ts';
import type { Datapoint, PolicyAction, PolicyDecision, PolicyView, ScalingPolicy } from './policy.ts';

const positiveSeconds = z.union([duration(), z.number()]).refine((s) => s > 0, 'expected a positive duration such as 60s');

export const targetUtilizationConfigSchema = z
  .strictObject({
    policy: z.string().optional(),
    /** Percent of write capacity to aim for. */
    targetUtilization: z.number().positive().max(100).default(70),
    evaluationMinutes: z.number().int().positive().default(3),
    scaleInUtilization: z.number().nonnegative().default(30),
    scaleInMinutes: z.number().int().positive().default(15),
    minShards: z.number().int().positive().default(1),
    maxShards: z.number().int().positive().optional(),
    checkInterval: positiveSeconds.default(60),
    coolOffMins: z.number().nonnegative().default(5),
  })
  .refine((c) => c.scaleInUtilization < c.targetUtilization, {
    path: ['scaleInUtilization'],
    message:
      'scaleInUtilization must be below targetUtilization: after scaling in, utilisation rises towards the target, ' +
      'so an equal or higher scale-in threshold would scale out and in again',
    when: (payload) => bothNumbers(payload.value, 'scaleInUtilization', 'targetUtilization'),
  })
  .refine((c) => c.maxShards === undefined || c.minShards <= c.maxShards, {
    path: ['minShards'],
    message: 'minShards is above maxShards',
    when: (payload) => bothNumbers(payload.value, 'minShards', 'maxShards'),
  });

function bothNumbers(value: unknown, a: string, b: string): boolean {
  const v = value as Record<string, unknown> | undefined;
  // An omitted key takes its (valid) default, so only a present non-number skips the cross-check.
  return (v?.[a] === undefined || typeof v[a] === 'number') && (v?.[b] === undefined || typeof v[b] === 'number');
}

export type TargetUtilizationConfig = z.output<typeof targetUtilizationConfigSchema>;

export interface TargetUtilizationState {
  /** When the policy last issued an action, seconds since run start; null before the first. */
  readonly lastActionAt: number | null;
}

type PutMetric = 'IncomingBytes' | 'IncomingRecords';
const UNIT_KEY: Readonly<Record<PutMetric, string>> = { IncomingBytes: 'writeBytes', IncomingRecords: 'writeRecords' };
const DEFAULT_UNIT: Readonly<Record<PutMetric, number>> = { IncomingBytes: 1_048_576, IncomingRecords: 1_000 };

/** One minute's load, as the shards it needs at the target and its utilisation of `shards`. */
interface MinuteLoad {
  readonly minute: number;
  readonly metric: PutMetric;
  /** Utilisation as a fraction of current capacity. */
  readonly utilization: number;
  /** Shards this minute needs to sit at the target, unrounded: current × util / target. */
  readonly neededShards: number;
}

function loadAt(view: PolicyView<TargetUtilizationConfig, TargetUtilizationState>, minute: number): MinuteLoad {
  let best: MinuteLoad | undefined;
  for (const metric of ['IncomingBytes', 'IncomingRecords'] as const) {
    const unit = view.unit[UNIT_KEY[metric]] ?? DEFAULT_UNIT[metric];
    const sum = findSum(view.metrics[metric], minute);
    const perSecond = sum / 60;
    const load: MinuteLoad = {
      minute,
      metric,
      utilization: perSecond / (view.capacity * unit),
      // rate × 100 / (unit × target) equals current × util / target but stays exact for whole-number inputs.
      neededShards: (perSecond * 100) / (unit * view.config.targetUtilization),
    };
    if (best === undefined || load.utilization > best.utilization) best = load;
  }
  return best!;
}

function findSum(points: readonly Datapoint[] | undefined, minute: number): number {
  return points?.find((p) => p.minute === minute)?.sum ?? 0;
}

function newestMinute(view: PolicyView<TargetUtilizationConfig, TargetUtilizationState>): number | undefined {
  let newest: number | undefined;
  for (const metric of ['IncomingBytes', 'IncomingRecords'] as const) {
    for (const p of view.metrics[metric] ?? []) if (newest === undefined || p.minute > newest) newest = p.minute;
  }
  return newest;
}

/** The newest `count` minutes ending at `newest`, or undefined if the run is not that old yet. */
function lastMinutes(
  view: PolicyView<TargetUtilizationConfig, TargetUtilizationState>,
  newest: number,
  count: number,
): MinuteLoad[] | undefined {
  const first = newest - (count - 1) * 60;
  if (first < 0) return undefined;
  const loads: MinuteLoad[] = [];
  for (let m = first; m <= newest; m += 60) loads.push(loadAt(view, m));
  return loads;
}

const percent = (f: number): string => `${Math.round(f * 100)}%`;
const metricName = (m: PutMetric): string => (m === 'IncomingBytes' ? 'Bytes' : 'Records');

function clamp(n: number, config: TargetUtilizationConfig): number {
  return Math.min(Math.max(n, config.minShards), config.maxShards ?? Number.POSITIVE_INFINITY);
}

function decide(
  view: PolicyView<TargetUtilizationConfig, TargetUtilizationState>,
): PolicyDecision<TargetUtilizationState> {
  const { config, state, now } = view;
  const none = (reason: string): PolicyDecision<TargetUtilizationState> => ({ action: { kind: 'none', reason }, state });
  if (view.updating) return none('stream UPDATING');
  const newest = newestMinute(view);
  if (newest === undefined) return none('no PUT datapoints published yet');

  const current = view.capacity;
  const target = config.targetUtilization / 100;
  let proposal: { to: number; reason: string } | undefined;

  const recent = lastMinutes(view, newest, config.evaluationMinutes);
  const latest = recent?.at(-1);
  if (recent && latest && recent.every((l) => l.utilization > target)) {
    const needed = Math.ceil(latest.neededShards);
    const to = clamp(Math.min(needed, 2 * current), config);
    const capped = needed > 2 * current ? ', capped at 2× current' : '';
    proposal = {
      to,
      reason:
        `PUT ${metricName(latest.metric)} at ${percent(latest.utilization)} of ${current} shards, above ` +
        `${config.targetUtilization}% for ${config.evaluationMinutes} min → ceil(${current} × ` +
        `${percent(latest.utilization)} / ${config.targetUtilization}%) = ${needed}${capped}: ${current} → ${to} shards`,
    };
  } else {
    const quiet = lastMinutes(view, newest, config.scaleInMinutes);
    const scaleIn = config.scaleInUtilization / 100;
    if (quiet && quiet.every((l) => l.utilization < scaleIn)) {
      const peak = quiet.reduce((a, b) => (b.utilization > a.utilization ? b : a));
      const needed = Math.ceil(peak.neededShards);
      const to = clamp(Math.max(needed, Math.ceil(current / 2)), config);
      proposal = {
        to,
        reason:
          `PUT below ${config.scaleInUtilization}% for ${config.scaleInMinutes} min (peak ${metricName(peak.metric)} ` +
          `${percent(peak.utilization)} of ${current} shards) → max(ceil(${current} × ${percent(peak.utilization)} / ` +
          `${config.targetUtilization}%) = ${needed}, ceil(${current} / 2)): ${current} → ${to} shards`,
      };
    }
  }

  if (proposal === undefined || proposal.to === current) return none('utilisation within bounds');
  if (state.lastActionAt !== null && now - state.lastActionAt < config.coolOffMins * 60) {
    return none(`${proposal.reason}; deferred: coolOffMins ${config.coolOffMins} since ${state.lastActionAt}s`);
  }
  const action: PolicyAction = { kind: 'scale', to: proposal.to, reason: proposal.reason };
  return { action, state: { lastActionAt: now } };
}

/** ingestlab's target-utilisation policy for Kinesis, registered as `target-utilization`. */
export const targetUtilization = {
  name: 'target-utilization',
  service: 'kinesis',
  configSchema: targetUtilizationConfigSchema,
  checkIntervalSeconds: (config: TargetUtilizationConfig): number => config.checkInterval,
  initialState: (): TargetUtilizationState => ({ lastActionAt: null }),
  decide,
} satisfies ScalingPolicy<TargetUtilizationConfig, TargetUtilizationState>;
