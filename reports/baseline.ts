/**
 * Baselines: a scenario's key figures as committed in reports/baselines/<scenario>.json, and the comparison of a new
 * run with them under percentage tolerances. Pure; the check command does the reading and writing.
 *
 * Every key figure is "higher is worse", so a regression is a rise beyond its tolerance; a fall is an improvement.
 */
import { z } from 'zod';
import { readSummary } from '../sim/expectations.ts';
import { UsageError } from '../sim/errors.ts';
import type { Summary } from '../sim/summary.ts';

export const TOLERANCE_NAMES = ['cost', 'lag', 'throttled', 'dropped', 'latency'] as const;
export type ToleranceName = (typeof TOLERANCE_NAMES)[number];
export type Tolerances = Record<ToleranceName, number>;

/** Percent each kind of figure may rise before `check` calls it a regression. */
export const DEFAULT_TOLERANCES: Tolerances = { cost: 5, lag: 10, throttled: 10, dropped: 10, latency: 10 };

/** The figures a baseline keeps, in the order files and reports list them, and the tolerance each is judged by. */
export const KEY_FIGURES: readonly { readonly key: string; readonly tolerance: ToleranceName }[] = [
  { key: 'cost.totalUsd', tolerance: 'cost' },
  { key: 'cost.perMillionEventsUsd', tolerance: 'cost' },
  { key: 'scaling.kinesis.lagSeconds', tolerance: 'lag' },
  { key: 'scaling.kinesis.underProvisionedSeconds', tolerance: 'lag' },
  { key: 'scaling.dynamodb.lagSeconds', tolerance: 'lag' },
  { key: 'scaling.dynamodb.underProvisionedSeconds', tolerance: 'lag' },
  { key: 'events.rejected', tolerance: 'throttled' },
  { key: 'kinesis.throttledRecords', tolerance: 'throttled' },
  { key: 'dynamodb.throttledRequests', tolerance: 'throttled' },
  { key: 'firehose.throttledRecords', tolerance: 'throttled' },
  { key: 'events.dropped', tolerance: 'dropped' },
  { key: 'events.lost', tolerance: 'dropped' },
  { key: 'latencyMs.p99', tolerance: 'latency' },
];

const percent = z.number().nonnegative();
const tolerancesSchema = z.strictObject(Object.fromEntries(TOLERANCE_NAMES.map((t) => [t, percent.optional()])) as Record<ToleranceName, z.ZodOptional<typeof percent>>);

export const baselineSchema = z.strictObject({
  scenario: z.string().min(1),
  /** sha256 of the scenario file the figures came from; a different hash is a note, not a failure. */
  scenarioSha256: z.string(),
  /** Per-scenario tolerances in percent; they win over --tolerance and the defaults. Kept by --update-baseline. */
  tolerances: tolerancesSchema.optional(),
  figures: z.record(z.string(), z.number().nullable()),
  /** A real run's baseline (`check --target`): where and how compressed it ran; absent for the simulator's. */
  run: z.strictObject({ target: z.string().min(1), timeScale: z.number().positive(), sample: z.number().positive().max(1) }).optional(),
});
export type Baseline = z.output<typeof baselineSchema>;
export type Figures = Record<string, number | null>;

export function keyFigures(summary: Summary): Figures {
  return Object.fromEntries(KEY_FIGURES.map(({ key }) => [key, readSummary(summary, key)]));
}

/** A new baseline from a run, keeping the tolerances a previous baseline file set. */
export function makeBaseline(summary: Summary, scenarioSha256: string, previous?: Baseline): Baseline {
  return {
    scenario: summary.scenario,
    scenarioSha256,
    ...(previous?.tolerances && Object.keys(previous.tolerances).length > 0 ? { tolerances: previous.tolerances } : {}),
    figures: keyFigures(summary),
  };
}

/** Stable bytes: the same run gives the same file, so an unchanged baseline shows no diff. */
export function baselineJson(baseline: Baseline): string {
  return JSON.stringify(baseline, null, 2) + '\n';
}

export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`baseline ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new UsageError(`baseline ${file} is not a baseline file: ${issues} (regenerate it with --update-baseline)`);
  }
  return parsed.data;
}

/** `cost=5,lag=10` → `{ cost: 5, lag: 10 }`. */
export function parseTolerances(spec: string): Partial<Tolerances> {
  const out: Partial<Tolerances> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z]+)\s*=\s*\+?(\d+(?:\.\d+)?)%?$/i.exec(part);
    const name = m?.[1] as ToleranceName | undefined;
    if (!m || !name || !TOLERANCE_NAMES.includes(name)) {
      throw new UsageError(
        `--tolerance expects name=percent pairs separated by commas, names ${TOLERANCE_NAMES.join(', ')} (e.g. cost=5,lag=10), got "${part}"`,
      );
    }
    out[name] = Number(m[2]);
  }
  return out;
}

export type ComparisonStatus = 'unchanged' | 'better' | 'worse' | 'regressed' | 'new' | 'incomparable';

export interface FigureComparison {
  readonly key: string;
  readonly tolerance: ToleranceName;
  readonly tolerancePct: number;
  readonly before: number | null;
  readonly after: number | null;
  /** (after − before) / before in percent; null when before is 0 or either side is missing. */
  readonly changePct: number | null;
  /** `regressed` fails the check; `worse` rose within its tolerance; `new` has no figure in the baseline. */
  readonly status: ComparisonStatus;
}

export function compareWithBaseline(baseline: Baseline, figures: Figures, tolerances: Tolerances): FigureComparison[] {
  return KEY_FIGURES.map(({ key, tolerance }) => {
    const tolerancePct = tolerances[tolerance];
    const after = figures[key] ?? null;
    const hasBefore = key in baseline.figures;
    const before = baseline.figures[key] ?? null;
    const base = { key, tolerance, tolerancePct, before, after };
    if (!hasBefore) return { ...base, changePct: null, status: 'new' };
    if (before === null || after === null) {
      return { ...base, changePct: null, status: before === after ? 'unchanged' : 'incomparable' };
    }
    const changePct = before !== 0 ? ((after - before) / Math.abs(before)) * 100 : null;
    // Summary figures are rounded, so a tiny slack keeps float noise from deciding.
    const slack = 1e-9 * Math.max(1, Math.abs(before));
    const status: ComparisonStatus =
      Math.abs(after - before) <= slack
        ? 'unchanged'
        : after < before
          ? 'better'
          : after > before * (1 + tolerancePct / 100) + slack
            ? 'regressed'
            : 'worse';
    return { ...base, changePct, status };
  });
}

/** Defaults, then the command line, then the baseline file's own tolerances. */
export function effectiveTolerances(fromFlags: Partial<Tolerances>, baseline?: Baseline): Tolerances {
  const fromFile = Object.fromEntries(Object.entries(baseline?.tolerances ?? {}).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_TOLERANCES, ...fromFlags, ...fromFile };
}

/** A baseline file name for a scenario name (names are free text in scenario files). */
export function baselineFileName(scenario: string): string {
  return `${scenario.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
}
