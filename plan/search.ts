/**
 * The search behind `ingestlab plan`: which configurations to run at which resolution, how to judge a run, which
 * survive to the next round, the ranking, the Pareto frontier and the explanation when nothing passes. Pure: running
 * a configuration is the `evaluate` callback's job (worker threads in plan/runner.ts, a fake in the tests).
 *
 * A configuration passes when every expectation of the scenario passes on its run and no accepted event is lost.
 * Passing configurations are ranked by cost per million events DELIVERED (objective `cost`) or by Kinesis scaling lag
 * (objective `lag`, cost breaking ties).
 *
 * The grid runs every configuration at the scenario's resolution. When that exceeds the budget (in full-run
 * equivalents: simulated ticks), successive halving runs every configuration at a coarse tick (same duration, so a
 * burst at minute 30 is still seen), keeps the best 1/η by (passes, near miss, rest) then the objective, and repeats at
 * finer ticks until the finalists run at the scenario's own resolution. Only full-resolution runs can win. A check
 * that fails on every configuration of a coarse round does not count in that round: it separates nothing, and coarse
 * ticks inflate some figures (iterator age is at least about a tick).
 */
import type { Expectation, ExpectationResult } from '../sim/expectations.ts';
import type { PlanPoint } from './space.ts';

export type Objective = 'cost' | 'lag';

/** The figures of one run that judging and ranking need (plain data: it crosses worker threads). */
export interface RunFigures {
  readonly costUsd: number;
  readonly offered: number;
  readonly accepted: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly rejected: number;
  readonly lost: number;
  readonly kinesisLagSeconds: number;
  readonly dynamodbLagSeconds: number;
  readonly shardsMax: number;
}

/** One expectation on one run, with how far it missed (0 when it passes, up to 1). */
export interface PlanCheck {
  readonly key: string;
  readonly expected: string;
  readonly actual: number | null;
  readonly pass: boolean;
  readonly miss: number;
}

/** One configuration run at one resolution. `error` when the configuration is invalid or the run failed. */
export interface PlanSample {
  readonly id: number;
  readonly resolution: number;
  readonly figures?: RunFigures;
  readonly checks: readonly PlanCheck[];
  readonly error?: string;
}

/** Shortfalls at or below this total miss still survive a coarse round ahead of clear failures: coarse ticks are approximate. */
export const NEAR_MISS = 0.25;

/**
 * How far `actual` misses `op threshold`, relative to the larger of the two: 0 when it holds, up to 1 (a null value,
 * or a count that should be 0 and is not, misses by 1).
 */
export function missOf(actual: number | null, op: Expectation['op'], threshold: number, reference = 0): number {
  if (actual === null || !Number.isFinite(actual)) return 1;
  // Against a threshold of 0 every shortfall would miss by 1; a count is measured against the events offered instead.
  const scale = Math.max(Math.abs(actual), Math.abs(threshold), 1e-12) + (threshold === 0 ? reference : 0);
  switch (op) {
    case '<':
      return actual < threshold ? 0 : Math.max((actual - threshold) / scale, 1e-9);
    case '<=':
      return actual <= threshold ? 0 : (actual - threshold) / scale;
    case '>':
      return actual > threshold ? 0 : Math.max((threshold - actual) / scale, 1e-9);
    case '>=':
      return actual >= threshold ? 0 : (threshold - actual) / scale;
    case '==':
      return actual === threshold ? 0 : Math.abs(actual - threshold) / scale;
    case '!=':
      return actual !== threshold ? 0 : 1;
  }
}

/** Summary counts of events or records (measured against events offered when their threshold is 0). */
const COUNT_KEY = /^events\.|throttled|rejected|dropped|lost/i;

/** The scenario's expectations on a run, plus plan's own rule that nothing accepted is lost (unless `expect:` says so already). */
export function planChecks(expectations: readonly Expectation[], results: readonly ExpectationResult[], figures: RunFigures): PlanCheck[] {
  const checks: PlanCheck[] = results.map((r, i) => {
    const e = expectations[i]!;
    const reference = e.kind === 'value' && e.source === 'summary' && COUNT_KEY.test(e.key) ? figures.offered : 0;
    return { key: r.key, expected: r.expected, actual: r.actual, pass: r.pass, miss: r.pass ? 0 : Math.max(missOf(r.actual, e.op, e.threshold, reference), 1e-9) };
  });
  if (!expectations.some((e) => e.key === 'events.lost')) {
    const lost = figures.lost;
    checks.push({ key: 'events.lost', expected: '== 0 (plan: nothing lost)', actual: lost, pass: lost === 0, miss: lost === 0 ? 0 : Math.max(missOf(lost, '==', 0, figures.accepted), 1e-9) });
  }
  if (figures.delivered <= 0) checks.push({ key: 'events.delivered', expected: '> 0 (plan: something delivered)', actual: figures.delivered, pass: false, miss: 1 });
  return checks;
}

export const passes = (s: PlanSample): boolean => s.error === undefined && s.figures !== undefined && s.checks.every((c) => c.pass);

/** Total miss of a sample's failing checks; Infinity for a failed run. */
export const totalMiss = (s: PlanSample): number => (s.error !== undefined || !s.figures ? Infinity : s.checks.reduce((a, c) => a + c.miss, 0));

/** USD per million delivered events; null when nothing was delivered. */
export function costPerMillionDelivered(f: RunFigures | undefined): number | null {
  if (!f || f.delivered <= 0) return null;
  return (f.costUsd / f.delivered) * 1e6;
}

/** Lower is better: the objective's value, then the other one. */
function objectiveKey(s: PlanSample, objective: Objective): [number, number] {
  const cost = costPerMillionDelivered(s.figures) ?? Infinity;
  const lag = s.figures?.kinesisLagSeconds ?? Infinity;
  return objective === 'cost' ? [cost, lag] : [lag, cost];
}

const byKey = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
};

/**
 * Passing samples first (by objective), then near misses (every failing check misses by at most NEAR_MISS; by
 * objective), then the rest (by total miss); ties by id. Checks named in `ignore` do not count (see searchPlan).
 */
export function promotionOrder(samples: readonly PlanSample[], objective: Objective, ignore: ReadonlySet<string> = new Set()): PlanSample[] {
  const failing = (s: PlanSample) => s.checks.filter((c) => !c.pass && !ignore.has(c.key));
  const tier = (s: PlanSample) => {
    if (s.error !== undefined || !s.figures) return 3;
    const f = failing(s);
    return f.length === 0 ? 0 : f.every((c) => c.miss <= NEAR_MISS) ? 1 : 2;
  };
  const miss = (s: PlanSample) => (s.error !== undefined || !s.figures ? Infinity : failing(s).reduce((a, c) => a + c.miss, 0));
  const key = (s: PlanSample) => {
    const t = tier(s);
    const [a, b] = objectiveKey(s, objective);
    return t < 2 ? [t, a, b, s.id] : [t, miss(s), a, s.id];
  };
  return [...samples].sort((x, y) => byKey(key(x), key(y)));
}

/** Checks that fail on every configuration of a round: at a coarse tick they tell nothing apart (often a tick artefact). */
export function failingEverywhere(samples: readonly PlanSample[]): Set<string> {
  const ran = samples.filter((s) => s.error === undefined && s.figures);
  if (ran.length === 0) return new Set();
  const keys = new Set(ran[0]!.checks.filter((c) => !c.pass).map((c) => c.key));
  for (const s of ran) for (const k of [...keys]) if (s.checks.some((c) => c.key === k && c.pass)) keys.delete(k);
  return keys;
}

/** The passing samples, best first. */
export function rankPassing(samples: readonly PlanSample[], objective: Objective): PlanSample[] {
  return samples.filter(passes).sort((x, y) => byKey([...objectiveKey(x, objective), x.id], [...objectiveKey(y, objective), y.id]));
}

/**
 * The samples no other sample beats on all of cost per million delivered, Kinesis scaling lag and dropped share
 * (and strictly on one), cheapest first. Failed runs and runs that delivered nothing are left out.
 */
export function paretoFrontier(samples: readonly PlanSample[]): PlanSample[] {
  const pts = samples
    .filter((s) => s.error === undefined && costPerMillionDelivered(s.figures) !== null)
    .map((s) => ({ s, v: [costPerMillionDelivered(s.figures)!, s.figures!.kinesisLagSeconds, droppedShare(s.figures!)] }));
  const dominated = (a: number[], b: number[]) => b.every((x, i) => x <= a[i]!) && b.some((x, i) => x < a[i]!);
  return pts
    .filter((p) => !pts.some((q) => q !== p && dominated(p.v, q.v)))
    .sort((a, b) => byKey([...a.v, a.s.id], [...b.v, b.s.id]))
    .map((p) => p.s);
}

export const droppedShare = (f: RunFigures): number => (f.offered > 0 ? f.dropped / f.offered : 0);

// ---------------------------------------------------------------------------------------------------------------
// The schedule

export interface Rung {
  /** Seconds per tick of this round's runs. */
  readonly resolution: number;
  /** Configurations run in this round. */
  readonly runs: number;
}

export interface Schedule {
  readonly method: 'grid' | 'halving';
  readonly rungs: readonly Rung[];
  /** Survivors per round are 1/η of the round (halving only). */
  readonly eta?: number;
  /** Full-run equivalents (simulated ticks ÷ ticks of one run at the scenario's resolution). */
  readonly cost: number;
}

export class PlanBudgetError extends Error {
  override name = 'PlanBudgetError';
}

/** Coarsest tick a halving round may use, and the fewest ticks a round's run should have. */
const COARSEST_TICK_S = 30;
const MIN_TICKS = 80;
const FACTORS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 300, 600];

/**
 * The ticks of the rounds, coarsest first, ending at `resolution`: each divides `duration` exactly, is at most 30 s
 * (or `resolution` when that is coarser) and leaves at least 80 ticks; successive ones about 3× apart.
 */
export function resolutionLadder(duration: number, resolution: number): number[] {
  const divides = (r: number) => Math.abs(duration / r - Math.round(duration / r)) < 1e-9;
  const valid = FACTORS.map((m) => m * resolution).filter((r) => r <= Math.max(COARSEST_TICK_S, resolution) && duration / r >= MIN_TICKS && divides(r));
  const coarsest = Math.max(resolution, ...valid);
  const ladder = [coarsest];
  while (ladder.at(-1)! > resolution) {
    const target = ladder.at(-1)! / 3;
    const finer = valid.filter((r) => r < ladder.at(-1)!);
    const pick = finer.reduce((best, r) => (Math.abs(Math.log(r / target)) < Math.abs(Math.log(best / target)) ? r : best), resolution);
    ladder.push(pick);
  }
  return ladder;
}

/** The least configurations the last round runs at full resolution. */
export const MIN_FINALISTS = 3;

/**
 * The grid when `points` full runs fit the budget; otherwise successive halving over the whole ladder with the
 * smallest η (the most survivors each round) that fits, and the budget left over spent on more finalists. Throws
 * PlanBudgetError, saying what would fit, when not even η = `points` does.
 */
export function planSchedule(points: number, options: { duration: number; resolution: number; budget: number }): Schedule {
  const { duration, resolution, budget } = options;
  if (points <= budget) return { method: 'grid', rungs: [{ resolution, runs: points }], cost: points };
  const ladder = resolutionLadder(duration, resolution);
  const costOf = (rungs: Rung[]) => rungs.reduce((a, r) => a + (r.runs * resolution) / r.resolution, 0);
  const rungsFor = (eta: number): Rung[] => {
    const rungs: Rung[] = [];
    let n = points;
    ladder.forEach((r, i) => {
      if (i > 0) n = Math.min(n, Math.max(MIN_FINALISTS, Math.ceil(n / eta)));
      rungs.push({ resolution: r, runs: n });
    });
    return rungs;
  };
  if (ladder.length > 1) {
    for (let eta = 2; eta <= points; eta++) {
      const rungs = rungsFor(eta);
      const cost = costOf(rungs);
      if (cost > budget + 1e-9) continue;
      // Whole full runs the budget still has go to the finalists (never more than the round before them).
      const last = rungs.at(-1)!;
      const extra = Math.min(Math.floor(budget - cost + 1e-9), rungs.at(-2)!.runs - last.runs);
      if (extra > 0) rungs[rungs.length - 1] = { ...last, runs: last.runs + extra };
      return { method: 'halving', rungs, eta, cost: cost + Math.max(0, extra) };
    }
  }
  const least = ladder.length > 1 ? costOf(rungsFor(points)) : points;
  throw new PlanBudgetError(
    ladder.length > 1
      ? `--budget ${budget} is too small for ${points} configurations: successive halving needs at least ${Math.ceil(least)} full-run equivalents (every configuration once at ${ladder[0]} s ticks, then ${MIN_FINALISTS} finalists); raise --budget or vary fewer values`
      : `${points} configurations do not fit --budget ${budget}, and a ${duration} s run at ${resolution} s ticks has no coarser tick to screen them with (it needs ≥ ${MIN_TICKS} ticks that divide the duration); raise --budget to ${points}, vary fewer values, or use a longer --duration`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The search

/** Runs the configurations at one resolution; results in the order of `points`. */
export type Evaluate = (points: readonly PlanPoint[], resolution: number) => Promise<PlanSample[]>;

export interface RoundReport {
  readonly resolution: number;
  readonly runs: number;
  /** How many of this round's runs passed every check. */
  readonly passed: number;
  /** Checks that failed on every run of this coarse round, so did not count in choosing who went on. */
  readonly ignored?: readonly string[];
}

export interface NoPassExplanation {
  /** Checks that fail on every configuration's most accurate run, with the closest value any reached. */
  readonly failingEverywhere: readonly { key: string; expected: string; closest: number | null }[];
  /** Per check key: on how many configurations it fails. */
  readonly failureCounts: readonly { key: string; expected: string; failures: number }[];
  /** The configuration with the smallest total miss: among full-resolution runs when there are any. */
  readonly closest: PlanSample;
  readonly configurations: number;
  /** Configurations whose most accurate run is at a coarse tick (halving stopped them early). */
  readonly coarseOnly: number;
}

export interface PlanOutcome {
  readonly schedule: Schedule;
  readonly objective: Objective;
  readonly rounds: readonly RoundReport[];
  /** Every configuration's most accurate run (full resolution when it got that far). */
  readonly best: readonly PlanSample[];
  /** The runs at the scenario's resolution. */
  readonly full: readonly PlanSample[];
  /** Passing full-resolution runs, best first; the first is the winner. */
  readonly ranked: readonly PlanSample[];
  readonly winner?: PlanSample;
  readonly frontier: readonly PlanSample[];
  readonly explanation?: NoPassExplanation;
  /** Full-run equivalents spent (extra full runs when no finalist passed count too). */
  readonly spent: number;
  readonly points: readonly PlanPoint[];
}

export interface SearchSettings {
  readonly duration: number;
  readonly resolution: number;
  readonly budget: number;
  readonly objective: Objective;
}

/** Searches `points` for the best passing configuration. Deterministic for a deterministic `evaluate`. */
export async function searchPlan(points: readonly PlanPoint[], settings: SearchSettings, evaluate: Evaluate, log: (line: string) => void = () => {}): Promise<PlanOutcome> {
  const { objective, resolution } = settings;
  const schedule = planSchedule(points.length, settings);
  const rounds: RoundReport[] = [];
  const latest = new Map<number, PlanSample>();
  const full: PlanSample[] = [];
  let spent = 0;
  let candidates: readonly PlanPoint[] = points;
  let order: PlanSample[] = [];
  const ignoredByRound = new Map<number, Set<string>>();
  const byId = new Map(points.map((p) => [p.id, p]));

  for (const [i, rung] of schedule.rungs.entries()) {
    const run = candidates.slice(0, rung.runs);
    log(`round ${i + 1}/${schedule.rungs.length}: ${run.length} configuration${run.length === 1 ? '' : 's'} at ${rung.resolution} s ticks`);
    const samples = await evaluate(run, rung.resolution);
    spent += (run.length * resolution) / rung.resolution;
    for (const s of samples) latest.set(s.id, s);
    if (rung.resolution === resolution) full.push(...samples);
    const ignored = rung.resolution === resolution ? new Set<string>() : failingEverywhere(samples);
    ignoredByRound.set(rung.resolution, ignored);
    if (ignored.size > 0) log(`  ${[...ignored].join(', ')} failed on all ${samples.length} at ${rung.resolution} s ticks: not used to choose who goes on`);
    rounds.push({ resolution: rung.resolution, runs: run.length, passed: samples.filter(passes).length, ...(ignored.size > 0 ? { ignored: [...ignored] } : {}) });
    order = promotionOrder(samples, objective, ignored);
    candidates = order.map((s) => byId.get(s.id)!);
  }

  // No finalist passed at full resolution: keep running the next candidates of the last coarse round while budget lasts.
  if (schedule.method === 'halving' && !full.some(passes)) {
    const coarse = rounds.length >= 2 ? rounds.at(-2)! : undefined;
    const ignored = coarse ? (ignoredByRound.get(coarse.resolution) ?? new Set<string>()) : new Set<string>();
    const pool = coarse ? promotionOrder([...latest.values()].filter((s) => s.resolution === coarse.resolution), objective, ignored) : [];
    const done = new Set(full.map((s) => s.id));
    const rest = pool.filter((s) => !done.has(s.id) && s.checks.every((c) => c.pass || ignored.has(c.key) || c.miss <= NEAR_MISS)).map((s) => byId.get(s.id)!);
    const batch = Math.max(MIN_FINALISTS, schedule.rungs.at(-1)!.runs);
    while (rest.length > 0 && spent + Math.min(batch, rest.length) <= settings.budget + 1e-9 && !full.some(passes)) {
      const run = rest.splice(0, batch);
      log(`no finalist passed: ${run.length} more at ${resolution} s ticks`);
      const samples = await evaluate(run, resolution);
      spent += run.length;
      for (const s of samples) latest.set(s.id, s);
      full.push(...samples);
      rounds.push({ resolution, runs: run.length, passed: samples.filter(passes).length });
    }
  }

  const ranked = rankPassing(full, objective);
  const best = points.map((p) => latest.get(p.id)).filter((s): s is PlanSample => s !== undefined);
  return {
    schedule,
    objective,
    rounds,
    best,
    full,
    ranked,
    ...(ranked[0] ? { winner: ranked[0] } : { explanation: explainNoPass(best, resolution) }),
    frontier: paretoFrontier(full),
    spent,
    points,
  };
}

/**
 * Why nothing passes: the checks that fail on every configuration (each on its most accurate run), the count per
 * check, and the closest configuration, taken from the runs at `fullResolution` when there are any.
 */
export function explainNoPass(samples: readonly PlanSample[], fullResolution?: number): NoPassExplanation {
  if (samples.length === 0) throw new Error('explainNoPass needs at least one sample');
  const ran = samples.filter((s) => s.error === undefined && s.figures);
  const counts = new Map<string, { key: string; expected: string; failures: number; closest: number | null; closestMiss: number }>();
  for (const s of ran) {
    for (const c of s.checks) {
      const entry = counts.get(c.key) ?? { key: c.key, expected: c.expected, failures: 0, closest: null, closestMiss: Infinity };
      if (!c.pass) entry.failures++;
      if (c.miss < entry.closestMiss) {
        entry.closestMiss = c.miss;
        entry.closest = c.actual;
      }
      counts.set(c.key, entry);
    }
  }
  const all = [...counts.values()];
  const full = samples.filter((x) => x.resolution === fullResolution && x.error === undefined);
  const closest = [...(full.length > 0 ? full : samples)].sort((a, b) => totalMiss(a) - totalMiss(b) || a.id - b.id)[0]!;
  return {
    failingEverywhere: ran.length === 0 ? [] : all.filter((c) => c.failures === ran.length).map((c) => ({ key: c.key, expected: c.expected, closest: c.closest })),
    failureCounts: all.filter((c) => c.failures > 0).sort((a, b) => b.failures - a.failures).map((c) => ({ key: c.key, expected: c.expected, failures: c.failures })),
    closest,
    configurations: samples.length,
    coarseOnly: fullResolution === undefined ? 0 : samples.filter((x) => x.resolution !== fullResolution).length,
  };
}
