/**
 * `ingestlab check --target embedded|localstack|aws`: each scenario on the real pipeline instead of the simulator, one
 * after another (real runs share the machine), compressed in time (loadgen/target-run.ts), its summary built from the
 * real counts (loadgen/target-summary.ts) and its `expect:` evaluated on it by the simulator's own code
 * (sim/expectations.ts). What a real run does not measure is NaN in that summary (null in summary.json): an
 * expectation on it is listed as not measured, never passed. Baselines of real runs live apart from the simulator's,
 * in <baseline dir>/<target>/, and are compared only with a run at the same time scale and sample.
 */
import { drainText } from '../loadgen/drain.ts';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../scenarios/load.ts';
import { UsageError } from '../sim/errors.ts';
import { formatDuration } from '../sim/duration.ts';
import { evaluateExpectations, type ExpectationResult } from '../sim/expectations.ts';
import {
  baselineJson,
  compareWithBaseline,
  effectiveTolerances,
  keyFigures,
  makeBaseline,
  parseBaseline,
  type Baseline,
  type FigureComparison,
  type Figures,
  type Tolerances,
} from '../reports/baseline.ts';
import type { BaselineCheck, ScenarioCheck } from '../reports/check-result.ts';
import { throughputSentence } from '../reports/run-report.ts';
import type { TargetName } from '../pipeline/targets/target.ts';
import { runOnEmbedded, type TargetRunResult } from '../loadgen/target-run.ts';
import { targetSummary } from '../loadgen/target-summary.ts';
import { progressBar } from '../loadgen/progress.ts';
import { lossProblem } from './outcome.ts';
import { lostText, targetName, targetRunFlags } from './real-run.ts';
import { shown } from './run-folder.ts';

/**
 * `--time-scale auto` (the default) fits a scenario's load into about this many wall seconds (plus provisioning, a few
 * seconds on embedded, and the drain)...
 */
export const AUTO_WALL_SECONDS = 120;
/**
 * ...but never compresses more than this. The quota gateway's per-second limits hold one scenario second of capacity,
 * which at time scale K is 1000/K wall milliseconds, and with the default sample 1/K each sent record stands for K: a
 * wall-clock stall of the load generator or the event loop is magnified K-fold into a burst the gateway throttles.
 * Measured on this 2-core machine shared with other work (load average 3–8), 15 minutes of steady (1,500 events/s
 * into 4 shards, 37.5% busy; the simulator throttles nothing) had 0.64% of its records throttled at K = 40, 0.015% at
 * 20 and 0.004% at 10 (before the gateway spread sampled records' weight, 14.8% of an hour at 40 and 1.0% at 20). At
 * 20 a bundled 30–40 minute scenario runs its load in 90–120 s; an hour takes 3 minutes, 4 hours 12.
 * `--time-scale K` sets any K (10 for throttle counts closer to the model's, more for a quick smoke run).
 */
export const MAX_AUTO_TIME_SCALE = 20;

/** The time scale `auto` picks for a scenario of `durationSeconds` on `target` (aws runs on AWS's own clock: 1). */
export function autoTimeScale(durationSeconds: number, target: TargetName): number {
  if (target === 'aws') return 1;
  return Math.min(MAX_AUTO_TIME_SCALE, Math.max(1, Math.ceil(durationSeconds / AUTO_WALL_SECONDS)));
}

/**
 * Key figures a real run measures but a baseline does not compare: end-to-end latency is wall-clock milliseconds on
 * whatever machine ran it (and not scaled by the time scale), so a CI runner against a laptop's baseline, or one busy
 * minute, would read as a regression of the pipeline; Kinesis scaling lag comes in whole 60 s rows. Both are kept in
 * the baseline file, for reading.
 */
export const UNCOMPARED_ON_TARGETS: Readonly<Record<string, string>> = {
  'latencyMs.p99': 'wall-clock on the machine that ran it',
  // Measured on the timeline's 60 s rows: it moves in whole minutes, which any percentage tolerance reads as a change.
  'scaling.kinesis.lagSeconds': "on a real run, in the timeline's 60 s rows",
};

/**
 * Real counts of refused records jitter from run to run with the machine's load (compression magnifies wall-clock
 * stalls): 15 minutes of steady at 20x, three runs in a row on this shared machine, throttled 220, 440 and 1,440 of
 * 1,350,000 offered records. A percentage tolerance on such small figures calls each of them a regression, so on a
 * real run a rise of these counts smaller than this share of the offered events is within noise, not a regression.
 */
export const REAL_NOISE_FLOOR = 0.005;
const NOISY_COUNTS = new Set(['events.rejected', 'kinesis.throttledRecords', 'dynamodb.throttledRequests', 'firehose.throttledRecords', 'events.dropped']);

/** Regressions of refused-record counts smaller than REAL_NOISE_FLOOR × offered become `worse` (within noise), with a note each. */
export function withNoiseFloor(comparisons: readonly FigureComparison[], offered: number, notes: string[]): FigureComparison[] {
  const floor = REAL_NOISE_FLOOR * offered;
  return comparisons.map((c) => {
    if (c.status !== 'regressed' || !NOISY_COUNTS.has(c.key) || c.after === null) return c;
    const rise = c.after - (c.before ?? 0);
    if (rise >= floor) return c;
    notes.push(
      `baseline: ${c.key} rose by ${Math.round(rise).toLocaleString('en-US')}, ${((rise / offered) * 100).toFixed(3)}% of offered: under a real run's noise floor of ${REAL_NOISE_FLOOR * 100}%, not a regression`,
    );
    return { ...c, status: 'worse' };
  });
}

export interface TargetCheckOptions {
  /** As given to --target (checked here). */
  target: string;
  /** --time-scale: a number, `auto` or undefined (auto). */
  timeScale?: string;
  /** --sample F (default 1 / time scale). */
  sample?: string;
  baseline: string | false;
  updateBaseline?: boolean;
  tolerances: Partial<Tolerances>;
  overrides: Record<string, unknown>;
  set: readonly string[];
  endpoint?: string;
  confirmAws?: boolean;
  maxCostUsd?: string;
  firehoseRoleArn?: string;
  quiet?: boolean;
  log: (line: string) => void;
}

export interface TargetScenario {
  path: string;
  name: string;
  /** The baseline key (scenario-slug.ts). */
  key: string;
  /** The scenario file's bytes, for the baseline's sha256. */
  sha256: string;
}

function parseTimeScale(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--time-scale expects a positive number or auto, got "${value}"`);
  return n;
}

function parseSample(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new UsageError(`--sample expects a fraction in (0, 1], got "${value}"`);
  return n;
}

/** Checks what can be checked before anything runs (the flags); throws UsageError. */
export function validateTargetFlags(options: TargetCheckOptions): void {
  const target = targetName(options.target);
  const timeScale = parseTimeScale(options.timeScale);
  const sample = parseSample(options.sample);
  if (timeScale !== 'auto' && timeScale < 1 && sample === undefined) {
    throw new UsageError(`--time-scale ${timeScale} is slower than real time: the default sample 1/K would be above 1; give --sample too`);
  }
  if (target === 'aws' && ((timeScale !== 'auto' && timeScale !== 1) || (sample !== undefined && sample !== 1))) {
    throw new UsageError('--target aws runs on AWS\'s own clock: --time-scale and --sample must be 1 (auto is 1 on aws)');
  }
  targetRunFlags(options);
}

const plain = (x: number) => String(+x.toFixed(6));

/** What was compressed, in one line: `time scale 27 (40m of scenario in 1m29s of load), sample 1/27 (…)`. */
export function compressionText(durationSeconds: number, timeScale: number, sample: number): string {
  if (timeScale === 1 && sample === 1) return `not compressed: ${formatDuration(durationSeconds)} of scenario in as much wall time, every event sent`;
  const inverse = Math.round(1 / sample);
  const sampleText = Math.abs(inverse * sample - 1) < 1e-9 ? `1/${inverse}` : plain(sample);
  return (
    `time scale ${plain(timeScale)} (${formatDuration(durationSeconds)} of scenario in ${formatDuration(Math.round(durationSeconds / timeScale))} of load), ` +
    `sample ${sampleText} (each sent event stands for ${plain(1 / sample)}): counts in scenario units; latencies wall-clock, not scaled`
  );
}

/** Runs the scenarios on the target one at a time and checks each; the reports are the simulator check's. */
export async function checkOnTarget(scenarios: readonly TargetScenario[], options: TargetCheckOptions): Promise<ScenarioCheck[]> {
  validateTargetFlags(options);
  const flags = targetRunFlags(options);
  const target = flags.target;
  const fixedScale = parseTimeScale(options.timeScale);
  const fixedSample = parseSample(options.sample);
  const { log } = options;
  const checks: ScenarioCheck[] = [];
  // Every scenario's compression first, so the command says up front how long the load will take in all.
  const planned: Array<TargetScenario & { loaded: Awaited<ReturnType<typeof loadScenario>>; timeScale: number; sample: number }> = [];
  for (const item of scenarios) {
    const loaded = await loadScenario(item.path, options.overrides);
    const timeScale = fixedScale === 'auto' ? autoTimeScale(loaded.scenario.duration, target) : fixedScale;
    planned.push({ ...item, loaded, timeScale, sample: fixedSample ?? 1 / timeScale });
  }
  const loadSeconds = planned.reduce((total, p) => total + p.loaded.scenario.duration / p.timeScale, 0);
  log(
    `checking ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} on the ${target} pipeline, one at a time: ` +
      `${formatDuration(Math.round(loadSeconds))} of load in all, plus provisioning and drains…`,
  );
  for (const { loaded, timeScale, sample, ...item } of planned) {
    const { scenario, resolvePolicy } = loaded;
    const compression = compressionText(scenario.duration, timeScale, sample);
    log(`${item.name} on ${target}: ${compression}`);
    const bar = options.quiet ? undefined : progressBar(process.stderr);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let result: TargetRunResult;
    try {
      result = await runOnEmbedded(scenario, {
        resolvePolicy,
        timeScale,
        sample,
        target: flags,
        signal: abort.signal,
        ...(bar ? { onProgress: (p) => bar.update(p), onPhase: (phase) => (bar.done(), log(`  ${phase}…`)) } : {}),
        ...(options.quiet ? {} : { onWarning: (w: string) => log(`  warning: ${w}`) }),
      });
    } finally {
      process.off('SIGINT', onSigint);
      bar?.done();
    }
    if (abort.signal.aborted) throw new UsageError(`interrupted while ${item.name} ran on ${target}`);
    const { summary, timeline } = targetSummary(scenario, result);
    const evaluated = evaluateExpectations(scenario.expect, summary, timeline);
    // Not measured: NaN in the real summary (null in summary.json), or a field the real summary does not have at all
    // (e.g. DynamoDB's per-partition throttles). A null the run did measure (cost per million with nothing delivered)
    // fails, as in the simulator.
    const unmeasured = (e: ExpectationResult) => (e.actual === null ? !hasField(summary, e.key) : Number.isNaN(e.actual));
    const measured = evaluated.filter((e) => !unmeasured(e));
    const notMeasured = evaluated.filter(unmeasured);

    const notes: string[] = [`ran on ${target}: ${compression}; load ${result.wallSeconds.load.toFixed(1)} s, drain ${result.wallSeconds.drain.toFixed(1)} s of wall`];
    if (options.set.length > 0) notes.push(`run with overrides: ${options.set.join(', ')}`);
    for (const w of result.warnings) notes.push(`${target}: ${w}`);
    if (!result.drained && result.drain) notes.push(`the drain ${drainText(result.drain, result.weight)}`);

    // As `scenario --target` exits 98: accepted events missing after the drain, or an audit problem.
    const lost = lostText(result) ?? lossProblem(summary, measured);

    const baseline = options.baseline === false ? ({ state: 'off' } as const) : targetBaseline(item, summary, { ...options, baseline: options.baseline }, { target, timeScale, sample }, notes);
    checks.push({
      name: item.name,
      file: shown(item.path),
      target,
      expectations: measured,
      notMeasured,
      baseline,
      notes,
      throughput: throughputSentence(summary),
      ...(lost ? { lost } : {}),
    });
    log(`  ${lost ? 'lost events' : measured.every((x) => x.pass) ? 'ran' : 'ran, expectations failed'}: ${item.name}`);
  }
  return checks;
}

/** True when the summary has the dotted field (a number or null), as sim/expectations.ts readSummary walks it. */
function hasField(summary: object, key: string): boolean {
  const service = /^cost\.byService\.(.+)$/.exec(key)?.[1];
  let node: unknown = summary;
  for (const part of service !== undefined ? ['cost', 'byService', service] : key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

type RunKey = NonNullable<Baseline['run']>;

/** A real run's key figures: NaN (not measured) becomes null, as in summary.json. */
function realFigures(summary: Parameters<typeof keyFigures>[0]): Figures {
  return Object.fromEntries(Object.entries(keyFigures(summary)).map(([k, v]) => [k, v !== null && Number.isNaN(v) ? null : v]));
}

function targetBaseline(
  item: TargetScenario,
  summary: Parameters<typeof keyFigures>[0],
  options: TargetCheckOptions & { baseline: string },
  run: RunKey,
  notes: string[],
): BaselineCheck {
  // Real runs' baselines never meet the simulator's: <dir>/<target>/<scenario key>.json.
  const file = join(options.baseline, run.target, `${item.key}.json`);
  const previous = existsSync(file) ? parseBaseline(readFileSync(file, 'utf8'), shown(file)) : undefined;
  const figures = realFigures(summary);
  const raw = keyFigures(summary);
  const unmeasuredKeys = Object.keys(raw).filter((k) => raw[k] !== null && Number.isNaN(raw[k]));
  if (options.updateBaseline) {
    const made = makeBaseline(summary, item.sha256, previous);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, baselineJson({ scenario: made.scenario, scenarioSha256: made.scenarioSha256, ...(made.tolerances ? { tolerances: made.tolerances } : {}), run, figures }));
    notes.push(`baseline of the ${run.target} run written to ${shown(file)}`);
    return { state: 'updated', file: shown(file) };
  }
  if (!previous) {
    notes.push(`no ${run.target} baseline at ${shown(file)}; run check --target ${run.target} --update-baseline to create one (the simulator's baselines are never compared with a real run)`);
    return { state: 'missing', file: shown(file) };
  }
  const made = previous.run;
  if (!made || made.target !== run.target) {
    notes.push(`${shown(file)} was not made by a run on ${run.target}${made ? ` (it says ${made.target})` : ' (a simulator baseline?)'}: not compared`);
    return { state: 'off' };
  }
  if (made.timeScale !== run.timeScale || Math.abs(made.sample - run.sample) > 1e-12) {
    notes.push(
      `baseline ${shown(file)} was made at time scale ${plain(made.timeScale)}, sample ${plain(made.sample)}; this run is at ${plain(run.timeScale)}, ${plain(run.sample)}: ` +
        `counts from other weights and clocks are not like for like, so not compared (rerun with --time-scale ${plain(made.timeScale)} --sample ${plain(made.sample)}, or --update-baseline)`,
    );
    return { state: 'off' };
  }
  const tolerances = effectiveTolerances(options.tolerances, previous);
  const skipped = new Set([...unmeasuredKeys, ...Object.keys(UNCOMPARED_ON_TARGETS)]);
  const comparisons = withNoiseFloor(
    compareWithBaseline(previous, figures, tolerances).filter((c) => !skipped.has(c.key)),
    summary.events.offered,
    notes,
  );
  if (unmeasuredKeys.length > 0) notes.push(`baseline: not measured on ${run.target}, not compared: ${unmeasuredKeys.join(', ')}`);
  for (const [key, why] of Object.entries(UNCOMPARED_ON_TARGETS)) if (!unmeasuredKeys.includes(key)) notes.push(`baseline: ${key} not compared (${why}): ${figures[key] ?? 'null'} now, ${previous.figures[key] ?? 'null'} in the baseline`);
  if (previous.scenario !== item.name) notes.push(`baseline ${shown(file)} was made for scenario "${previous.scenario}"`);
  if (previous.scenarioSha256 !== item.sha256) notes.push(`${shown(item.path)} changed since its baseline was made; the figures show what the change does`);
  return { state: 'compared', file: shown(file), tolerances, comparisons };
}
