/** What `check` found for each scenario: the one shape the text, JUnit and markdown writers read. */
import type { ExpectationResult } from '../sim/expectations.ts';
import type { FigureComparison, Tolerances } from './baseline.ts';

export type BaselineCheck =
  | { readonly state: 'compared'; readonly file: string; readonly tolerances: Tolerances; readonly comparisons: readonly FigureComparison[] }
  /** No baseline file yet: a note, not a failure. */
  | { readonly state: 'missing'; readonly file: string }
  /** Written by --update-baseline in this run. */
  | { readonly state: 'updated'; readonly file: string }
  /** --no-baseline. */
  | { readonly state: 'off' };

export interface ScenarioCheck {
  readonly name: string;
  /** The scenario file as given, relative to the working directory. */
  readonly file: string;
  readonly expectations: readonly ExpectationResult[];
  readonly baseline: BaselineCheck;
  readonly notes: readonly string[];
  /** Why accepted events were lost or the audit does not balance: a failure of its own (exit 98). Absent when all is accounted for. */
  readonly lost?: string;
  /** The run's share of offered events stored and delivered, as the run report's verdict says it (absent in older callers). */
  readonly throughput?: string;
  /** The real pipeline the scenario ran on (`check --target`); absent for the simulator. */
  readonly target?: string;
  /** Expectations whose figure a real run does not measure (null in its summary.json): neither passed nor failed, listed. */
  readonly notMeasured?: readonly ExpectationResult[];
}

export const regressionsOf = (c: ScenarioCheck): FigureComparison[] =>
  c.baseline.state === 'compared' ? c.baseline.comparisons.filter((f) => f.status === 'regressed') : [];

export const scenarioPassed = (c: ScenarioCheck): boolean => !c.lost && c.expectations.every((e) => e.pass) && regressionsOf(c).length === 0;

export interface CheckTally {
  scenarios: number;
  failedScenarios: number;
  expectations: number;
  failedExpectations: number;
  regressions: number;
  /** Scenarios whose accepted events were lost or whose audit does not balance. */
  lost: number;
  /** Expectations not evaluated because the real run does not measure their figure. */
  notMeasured: number;
  /** The real pipeline the checks ran on; absent for the simulator. */
  target?: string;
}

export function tally(checks: readonly ScenarioCheck[]): CheckTally {
  return {
    scenarios: checks.length,
    failedScenarios: checks.filter((c) => !scenarioPassed(c)).length,
    expectations: checks.reduce((n, c) => n + c.expectations.length, 0),
    failedExpectations: checks.reduce((n, c) => n + c.expectations.filter((e) => !e.pass).length, 0),
    regressions: checks.reduce((n, c) => n + regressionsOf(c).length, 0),
    lost: checks.filter((c) => c.lost).length,
    notMeasured: checks.reduce((n, c) => n + (c.notMeasured?.length ?? 0), 0),
    ...(checks.find((c) => c.target)?.target ? { target: checks.find((c) => c.target)!.target! } : {}),
  };
}

/** One line: `all 6 scenarios passed` or `1 of 6 scenarios failed: 1 of 20 expectations failed, 2 regressions`. */
export function tallyLine(t: CheckTally): string {
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const unmeasured = t.notMeasured > 0 ? `${s(t.notMeasured, 'expectation')} not measured on ${t.target ?? 'this target'}` : '';
  if (t.failedScenarios === 0) return `${t.scenarios === 1 ? '1 scenario' : `all ${t.scenarios} scenarios`} passed (${s(t.expectations, 'expectation')}${unmeasured ? `; ${unmeasured}` : ''})`;
  const parts: string[] = [];
  if (t.lost > 0) parts.push(`${s(t.lost, 'scenario')} lost accepted events or did not balance`);
  if (t.failedExpectations > 0) parts.push(`${t.failedExpectations} of ${s(t.expectations, 'expectation')} failed`);
  if (t.regressions > 0) parts.push(s(t.regressions, 'regression'));
  if (unmeasured) parts.push(unmeasured);
  return `${t.failedScenarios} of ${s(t.scenarios, 'scenario')} failed: ${parts.join(', ')}`;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Numbers as the reports show them: whole numbers grouped, others to four significant digits. */
export function num(x: number | null): string {
  if (x === null) return 'null';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return grouped.format(x);
  if (Math.abs(x) >= 1000) return grouped.format(Math.round(x * 10) / 10);
  return String(Number(x.toPrecision(4)));
}

/** `+13.5%`, `−2.0%`, or `+175 from 0` when the figure was zero. */
export function changeText(c: FigureComparison): string {
  if (c.before === null || c.after === null) return c.status === 'new' ? 'not in baseline' : 'n/a';
  if (c.changePct === null) return c.after === c.before ? '0%' : `${c.after > c.before ? '+' : '−'}${num(Math.abs(c.after - c.before))} from 0`;
  const sign = c.changePct > 0 ? '+' : c.changePct < 0 ? '−' : '±';
  return `${sign}${Math.abs(c.changePct).toFixed(1)}%`;
}
