/**
 * `ingestlab check`: runs scenarios in the simulator (in worker threads when there is more than one core), evaluates
 * their `expect:` blocks, compares key figures with committed baselines, prints a table and writes JUnit and markdown.
 * Exit 0 when everything passes, 99 when an expectation fails or a figure regresses, 98 when accepted events were lost,
 * 2 for invalid input. With --target embedded|localstack|aws the scenarios run on the real pipeline (cli/check-target.ts).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { BUNDLED_DIR, listBundled, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, PolicyError, ScenarioError, UsageError, type ScenarioProblem } from '../sim/errors.ts';
import {
  baselineJson,
  compareWithBaseline,
  effectiveTolerances,
  keyFigures,
  makeBaseline,
  parseBaseline,
  parseTolerances,
  type Baseline,
} from '../reports/baseline.ts';
import { checkMarkdown } from '../reports/check-markdown.ts';
import { scenarioPassed, type BaselineCheck, type ScenarioCheck } from '../reports/check-result.ts';
import { throughputSentence } from '../reports/run-report.ts';
import { checkText } from '../reports/check-text.ts';
import { junitXml } from '../reports/junit.ts';
import { startWorker } from './worker-thread.ts';
import { CHECK_WORKER_MARK, runCheckJob, type CheckJob, type CheckJobResult } from './check-worker.ts';
import { lossProblem } from './outcome.ts';
import { shown } from './run-folder.ts';
import { parseOverrides } from './overrides.ts';
import { assertRunSize } from './run-size.ts';
import { scenarioPathOf } from './saved-scenario.ts';
import { scenarioKey } from './scenario-slug.ts';

export interface CheckOptions {
  junit?: string;
  markdown?: string;
  /** A folder, or false for --no-baseline. */
  baseline: string | false;
  updateBaseline?: boolean;
  tolerance?: string;
  set: string[];
  jobs?: number;
  quiet?: boolean;
  /** sim (default), or a real pipeline: embedded, localstack, aws (cli/check-target.ts). */
  target?: string;
  /** Real runs: a number or `auto` (default). */
  timeScale?: string;
  sample?: string;
  endpoint?: string;
  confirmAws?: boolean;
  maxCostUsd?: string;
  firehoseRoleArn?: string;
}

/** Flags that only a real run reads, as commander names them and as the command line spells them. */
const REAL_RUN_FLAGS = [
  ['timeScale', '--time-scale'],
  ['sample', '--sample'],
  ['endpoint', '--endpoint'],
  ['confirmAws', '--confirm-aws'],
  ['maxCostUsd', '--max-cost-usd'],
  ['firehoseRoleArn', '--firehose-role-arn'],
] as const;

export { DEFAULT_BASELINE_DIR } from './flags.ts';

export async function runCheckCommand(names: readonly string[], options: CheckOptions): Promise<number> {
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  if (options.updateBaseline && options.baseline === false) {
    throw new UsageError('--update-baseline writes baselines and --no-baseline turns them off; use one of them');
  }
  if (options.updateBaseline && options.set.length > 0) {
    throw new UsageError('--update-baseline records the scenario files as they are, so it cannot take --set overrides; edit the file instead');
  }
  const overrides = parseOverrides(options.set);
  const flagTolerances = options.tolerance ? parseTolerances(options.tolerance) : {};
  const threads = options.jobs ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--jobs expects a whole number of at least 1, got ${threads}`);
  const target = options.target ?? 'sim';
  // Loaded only for a real target: the simulator's check does not start the pipeline's modules.
  const real = target === 'sim' ? undefined : await import('./check-target.ts');
  if (real) {
    if (options.jobs !== undefined) throw new UsageError('--jobs is for the simulator: real runs share the machine, so check --target runs the scenarios one at a time');
  } else {
    const given = REAL_RUN_FLAGS.filter(([key]) => options[key] !== undefined && options[key] !== false).map(([, flag]) => flag);
    if (given.length > 0) throw new UsageError(`${given.join(', ')}: for real runs only (check --target embedded|localstack|aws)`);
  }
  const targetOptions = real
    ? {
        target,
        ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
        ...(options.sample !== undefined ? { sample: options.sample } : {}),
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        ...(options.confirmAws ? { confirmAws: true } : {}),
        ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
        ...(options.firehoseRoleArn !== undefined ? { firehoseRoleArn: options.firehoseRoleArn } : {}),
        baseline: options.baseline,
        ...(options.updateBaseline ? { updateBaseline: true } : {}),
        tolerances: flagTolerances,
        overrides,
        set: options.set,
        ...(options.quiet ? { quiet: true } : {}),
        log,
      }
    : undefined;
  if (real && targetOptions) real.validateTargetFlags(targetOptions);

  // Where the reports go must be writable before anything runs.
  for (const file of [options.junit, options.markdown]) if (file) assertWritableFile(file);

  // Validate every scenario first, so invalid input stops the run with all its problems and nothing simulated.
  const paths = [...new Set((names.length > 0 ? names : listBundled()).map((n) => scenarioPathOf(n, resolveScenarioPath)))];
  const problems: ScenarioProblem[] = [];
  const loaded: { path: string; name: string; key: string; text: string }[] = [];
  for (const path of paths) {
    try {
      const { scenario } = await loadScenario(path, overrides);
      assertRunSize(scenario, `scenario ${shown(path)}`);
      loaded.push({ path, name: scenario.name, key: scenarioKey(path, BUNDLED_DIR), text: readFileSync(path, 'utf8') });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  // Baselines are keyed by the file (scenario-slug.ts), never by the free-text name, so a user's file named like a
  // bundled scenario does not meet the bundled baseline.
  const byKey = new Map<string, string>();
  for (const { key, path } of loaded) {
    const other = byKey.get(key);
    if (other) throw new UsageError(`${shown(other)} and ${shown(path)} would share the baseline ${key}.json; rename one of the files`);
    byKey.set(key, path);
  }

  const checks: ScenarioCheck[] =
    real && targetOptions
      ? await real.checkOnTarget(
          loaded.map(({ path, name, key, text }) => ({ path, name, key, sha256: createHash('sha256').update(text).digest('hex') })),
          targetOptions,
        )
      : await simulatorChecks(loaded, options, overrides, flagTolerances, threads, log);

  process.stdout.write(checkText(checks));
  if (options.junit) writeReport(options.junit, junitXml(checks), log);
  if (options.markdown) writeReport(options.markdown, checkMarkdown(checks), log);
  if (checks.some((c) => c.lost)) return ExitCode.eventsLost;
  return checks.every(scenarioPassed) ? ExitCode.ok : ExitCode.expectationsFailed;
}

/** The simulator's check: every scenario simulated (in worker threads), its expectations and baseline evaluated. */
async function simulatorChecks(
  loaded: readonly { path: string; name: string; key: string; text: string }[],
  options: CheckOptions,
  overrides: Record<string, unknown>,
  flagTolerances: ReturnType<typeof parseTolerances>,
  threads: number,
  log: (line: string) => void,
): Promise<ScenarioCheck[]> {
  const jobs: CheckJob[] = loaded.map(({ path }, index) => ({ index, path, overrides }));
  const workers = Math.min(threads, jobs.length);
  log(`checking ${jobs.length} scenario${jobs.length === 1 ? '' : 's'}${workers > 1 ? ` on ${workers} worker threads` : ''}…`);
  const results = await runJobs(jobs, workers, log, (r) => log(`  ${r.ok ? 'ran' : 'failed'} ${loaded[r.index]!.name}`));

  const checks: ScenarioCheck[] = [];
  const runProblems: ScenarioProblem[] = [];
  for (const result of results) {
    const { path, name, key, text } = loaded[result.index]!;
    if (!result.ok) {
      if (result.kind === 'scenario' && result.problems) runProblems.push(...result.problems);
      else if (result.kind === 'policy') throw new PolicyError(result.message);
      else if (result.kind === 'usage') throw new UsageError(`${shown(path)}: ${result.message}`);
      else throw new Error(`simulating ${shown(path)} failed: ${result.message}`);
      continue;
    }
    const notes: string[] = [];
    if (options.set.length > 0) notes.push(`run with overrides: ${options.set.join(', ')}`);
    const sha = createHash('sha256').update(text).digest('hex');
    let baseline: BaselineCheck = { state: 'off' };
    if (options.baseline !== false) {
      const file = join(options.baseline, `${key}.json`);
      const previous = existsSync(file) ? parseBaseline(readFileSync(file, 'utf8'), shown(file)) : undefined;
      if (options.updateBaseline) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, baselineJson(makeBaseline(result.summary, sha, previous)));
        baseline = { state: 'updated', file: shown(file) };
        notes.push(`baseline written to ${shown(file)}`);
      } else if (previous) {
        baseline = comparedBaseline(previous, result.summary, flagTolerances, shown(file));
        if (previous.scenario !== name) notes.push(`baseline ${shown(file)} was made for scenario "${previous.scenario}"`);
        if (previous.scenarioSha256 !== sha) notes.push(`${shown(path)} changed since its baseline was made; the figures show what the change does`);
      } else {
        baseline = { state: 'missing', file: shown(file) };
        notes.push(`no baseline at ${shown(file)}; run check --update-baseline to create one`);
      }
    }
    const lost = lossProblem(result.summary, result.expectations);
    checks.push({ name, file: shown(path), expectations: result.expectations, baseline, notes, throughput: throughputSentence(result.summary), ...(lost ? { lost } : {}) });
  }
  if (runProblems.length > 0) throw new ScenarioError(runProblems);
  return checks;
}

/** Fails now, not after every scenario has run, when a report file cannot be written. */
function assertWritableFile(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${file} is a folder; expected a file to write`);
  const parent = dirname(resolve(file));
  mkdirSync(parent, { recursive: true });
  accessSync(existsSync(file) ? file : parent, constants.W_OK);
}

function comparedBaseline(previous: Baseline, summary: Parameters<typeof keyFigures>[0], flags: ReturnType<typeof parseTolerances>, file: string): BaselineCheck {
  const tolerances = effectiveTolerances(flags, previous);
  return { state: 'compared', file, tolerances, comparisons: compareWithBaseline(previous, keyFigures(summary), tolerances) };
}

function writeReport(file: string, text: string, log: (line: string) => void): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
  log(`wrote ${file}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Running jobs: a small pool of worker threads, results put back in input order so output never depends on timing.

async function runJobs(
  jobs: readonly CheckJob[],
  workers: number,
  log: (line: string) => void,
  onResult: (r: CheckJobResult) => void,
): Promise<CheckJobResult[]> {
  if (workers > 1) {
    try {
      return await runInWorkers(jobs, workers, onResult);
    } catch (error) {
      log(`note: worker threads failed (${(error as Error).message.split('\n')[0]}); running the scenarios one after another`);
    }
  }
  const results: CheckJobResult[] = [];
  for (const job of jobs) {
    const result = await runCheckJob(job);
    onResult(result);
    results.push(result);
  }
  return results;
}

function runInWorkers(jobs: readonly CheckJob[], count: number, onResult: (r: CheckJobResult) => void): Promise<CheckJobResult[]> {
  return new Promise((resolvePool, rejectPool) => {
    const results: CheckJobResult[] = new Array(jobs.length);
    const pool: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (error) rejectPool(error);
      else resolvePool(results);
    };
    for (let i = 0; i < count; i++) {
      const worker = startWorker(new URL('./check-worker.ts', import.meta.url), 'check-worker.js', { mark: CHECK_WORKER_MARK });
      pool.push(worker);
      const feed = () => {
        if (next < jobs.length) worker.postMessage(jobs[next++]);
      };
      worker.on('message', (result: CheckJobResult) => {
        results[result.index] = result;
        onResult(result);
        if (++done === jobs.length) settle();
        else feed();
      });
      worker.on('error', (error) => settle(error));
      worker.on('exit', (code) => {
        if (!settled) settle(new Error(`a worker exited with code ${code} before the scenarios were done`));
      });
      feed();
    }
  });
}
