/**
 * `ingestlab dashboard` (and `scenario --dashboard`): watch a run live in the terminal. On a terminal it renders the
 * ink dashboard on stderr and prints the summary on stdout when the user quits; without one (CI, pipes) it runs
 * to the end with plain progress lines, then prints the same summary.
 *
 * `--target embedded` watches a real run instead of the simulator: the scenario on the embedded pipeline, as
 * `scenario --target embedded` runs it (loadgen/target-run.ts), through dashboard/pipeline-run-source.ts; q ends the
 * load early (the run still drains, audits and stops everything), and accepted events missing after the drain exit 98.
 */
import { render } from 'ink';
import { createElement } from 'react';
import { Dashboard } from '../dashboard/Dashboard.tsx';
import { actionLine, plainProgress } from '../dashboard/plain-progress.ts';
import type { RunOutcome, RunSource } from '../dashboard/run-source.ts';
import { MAX_SPEED, MIN_SPEED, SimRunSource } from '../dashboard/sim-run-source.ts';
import { int, seconds } from '../reports/format.ts';
import { summaryText } from '../reports/summary-text.ts';
import { summaryJson } from '../reports/write-run.ts';
import { loadScenario, resolveScenarioPath, type PolicyResolver } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import type { PipelineRunSource } from '../dashboard/pipeline-run-source.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { Simulation } from '../sim/simulation.ts';
import { runOutcome } from './outcome.ts';
import { writeRunFiles } from './run-files.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, shown, wroteLine, type RunFolder } from './run-folder.ts';
import { assertRunSize } from './run-size.ts';
import { resolvedScenarioYaml, scenarioPathOf } from './saved-scenario.ts';
import { defaultRunFolder } from './scenario-command.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';

export interface DashboardOptions extends ScenarioInputs {
  /** Simulated seconds per wall second, as typed (validated here). */
  speed?: string;
  target?: string;
  /** Real runs (--target embedded): scenario seconds per wall second, and the fraction of events sent. */
  timeScale?: string;
  sample?: string;
  color?: boolean;
  /** Print summary.json instead of the readable summary. */
  json?: boolean;
  /** Write the run folder when the run completes (`scenario --dashboard`). */
  writeFiles?: boolean;
  out?: string;
  force?: boolean;
}

export const DEFAULT_SPEED = 60;
export const TARGETS = ['sim', 'embedded'] as const;
export type DashboardTarget = (typeof TARGETS)[number];
/** Real targets the dashboard does not watch (yet): scenario --target runs them. */
const SCENARIO_ONLY_TARGETS = ['localstack', 'aws'];

export interface ValidDashboardOptions {
  target: DashboardTarget;
  speed: number;
  timeScale?: number;
  sample?: number;
}

/** Checks `--target`, `--speed`, `--time-scale` and `--sample`; every problem in one UsageError. */
export function validateDashboardOptions(options: Pick<DashboardOptions, 'speed' | 'target' | 'timeScale' | 'sample'>): ValidDashboardOptions {
  const problems: string[] = [];
  const target = options.target ?? 'sim';
  if (SCENARIO_ONLY_TARGETS.includes(target)) {
    problems.push(`--target ${target}: the dashboard watches sim and embedded runs; run it on ${target} with npm run scenario -- <name> --target ${target}`);
  } else if (!(TARGETS as readonly string[]).includes(target)) {
    problems.push(`--target expects sim (the simulator) or embedded (a real run on the embedded pipeline), got "${target}"`);
  }
  const speed = options.speed === undefined ? DEFAULT_SPEED : Number(options.speed);
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    problems.push(`--speed expects simulated seconds per wall second between ${MIN_SPEED} and ${MAX_SPEED}, e.g. 60 or 600, got "${options.speed}"`);
  }
  const real = target === 'embedded';
  if (real && options.speed !== undefined) problems.push('--speed is for simulator runs: a real run goes at its scenario clock (--time-scale K replays it K times faster)');
  const positive = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    if (!real) {
      problems.push(`${flag} is for real runs (--target embedded); a simulator run changes pace with --speed`);
      return undefined;
    }
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) problems.push(`${flag} expects a positive number, got "${value}"`);
    return n;
  };
  const timeScale = positive('--time-scale', options.timeScale);
  const sample = positive('--sample', options.sample);
  if (problems.length > 0) throw new UsageError(problems.join('\n       '));
  return { target: target as DashboardTarget, speed, ...(timeScale !== undefined ? { timeScale } : {}), ...(sample !== undefined ? { sample } : {}) };
}

/** True when the dashboard can take the terminal: a TTY for output and for keys, and not in CI. */
export function interactive(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return Boolean(process.stderr.isTTY && process.stdin.isTTY) && !ci;
}

export async function runDashboardCommand(nameOrPath: string, options: DashboardOptions): Promise<number> {
  const valid = validateDashboardOptions(options);
  const { speed } = valid;
  const path = scenarioPathOf(nameOrPath, resolveScenarioPath);
  const overrides = overridesFrom(options);
  const { scenario, resolvePolicy } = await loadScenario(path, overrides);
  if (valid.target === 'embedded') return watchReal(scenario, resolvePolicy, pricingFrom(options), valid, options);
  assertRunSize(scenario, `scenario ${scenario.name}`);
  const pricing = pricingFrom(options);
  // `scenario --dashboard` writes a run folder: check it can be written before the run, not after.
  const folder = options.writeFiles ? prepareRunFolder(options.out ?? defaultRunFolder(path), { force: Boolean(options.force) }) : undefined;
  try {
    return await watch(scenario, resolvePolicy, pricing, speed, options, folder, () => resolvedScenarioYaml(path, overrides, shown(path)));
  } finally {
    abandonRunFolder(folder);
  }
}

async function watch(
  scenario: Scenario,
  resolvePolicy: PolicyResolver,
  pricing: ReturnType<typeof pricingFrom>,
  speed: number,
  options: DashboardOptions,
  folder: RunFolder | undefined,
  resolvedScenario: () => string,
): Promise<number> {
  const color = options.color !== false && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

  let outcome: RunOutcome;
  if (interactive()) {
    const sim = new Simulation(scenario, { resolvePolicy, ...pricing });
    const source = new SimRunSource(sim, { speed, ...pricing });
    const app = renderDashboard(source, options);
    source.start();
    try {
      await app.waitUntilExit();
    } finally {
      source.stop();
    }
    outcome = source.outcome();
  } else {
    const progress = plainProgress((line) => process.stderr.write(line + '\n'));
    const sim = new Simulation(scenario, { resolvePolicy, ...pricing, onProgress: (p) => progress.update(p) });
    const { summary, timeline } = sim.run();
    outcome = { summary, timeline, partial: false, stoppedAt: sim.time };
  }

  const { summary, timeline } = outcome;
  if (options.json) {
    process.stdout.write(summaryJson(summary));
  } else {
    if (outcome.partial) {
      process.stdout.write(
        `PARTIAL RUN: stopped at ${seconds(outcome.stoppedAt)} of ${seconds(scenario.duration)} simulated; the summary covers only that part` +
          ` (events still in flight are not yet stored or delivered).\n\n`,
      );
    }
    process.stdout.write(summaryText(summary, timeline, { color, width: Math.min(100, (process.stdout.columns ?? 84) - 14) }) + '\n');
  }
  if (outcome.partial) {
    if (folder) process.stderr.write('files not written: the run was stopped before the end (run it to the end to write summary.json)\n');
    return ExitCode.ok;
  }
  const expectations = scenario.expect.length > 0 ? evaluateExpectations(scenario.expect, summary, timeline) : undefined;
  if (folder) {
    const files = commitRunFolder(folder, (tmp) => writeRunFiles(tmp, { summary, timeline, expectations, resolvedScenario: resolvedScenario() }), {
      scenario: scenario.name,
    });
    if (!options.json) process.stdout.write(`\nwrote ${wroteLine(folder.dir, files)}\n`);
  }
  const result = runOutcome(summary, expectations, false);
  if (result.reason) process.stderr.write(`FAILED: ${result.reason} (exit ${result.code})\n`);
  return result.code;
}

/**
 * A real run on the embedded pipeline, watched live: the dashboard on a terminal (q ends the load early; the run then
 * drains, audits and stops everything it started), plain progress lines otherwise; then the summary, and exit 98 when
 * an accepted event is missing after the drain, as `scenario --target embedded` does. No files are written.
 */
async function watchReal(
  scenario: Scenario,
  resolvePolicy: PolicyResolver,
  pricing: ReturnType<typeof pricingFrom>,
  valid: ValidDashboardOptions,
  options: DashboardOptions,
): Promise<number> {
  const [{ PipelineRunSource }, { lostText, realRunText }] = await Promise.all([import('../dashboard/pipeline-run-source.ts'), import('./real-run.ts')]);
  const tty = interactive();
  const warnings: string[] = [];
  const source = new PipelineRunSource(scenario, {
    resolvePolicy,
    ...(valid.timeScale !== undefined ? { timeScale: valid.timeScale } : {}),
    ...(valid.sample !== undefined ? { sample: valid.sample } : {}),
    ...pricing,
    // Lines written to the terminal under Ink would tear its frame: warnings wait for the summary there.
    onWarning: (w) => (tty ? warnings.push(w) : process.stderr.write(`warning: ${w}\n`)),
    ...(tty ? {} : { fps: 4 }),
  });
  // A first SIGINT ends the load (drain and audit follow); a second skips the drain.
  let interrupts = 0;
  const onSigint = () => (interrupts++ === 0 ? source.stop() : source.abort());
  process.on('SIGINT', onSigint);
  try {
    if (tty) {
      const app = renderDashboard(source, options);
      source.start();
      await app.waitUntilExit();
      if (!source.done) {
        process.stderr.write('stopping: the load has ended; draining and auditing before the summary (Ctrl-C skips the drain)\n');
        interrupts = 1;
        source.stop();
      }
    } else {
      source.subscribe(realProgress(source, (line) => process.stderr.write(line + '\n')));
      source.start();
    }
    await source.finished();
  } finally {
    process.off('SIGINT', onSigint);
    source.stop();
  }
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const outcome = source.outcome();
  const { summary } = outcome;
  if (options.json) process.stdout.write(summaryJson(summary));
  else {
    if (outcome.partial) {
      process.stdout.write(
        `PARTIAL RUN: the load was stopped at ${seconds(outcome.stoppedAt)} of ${seconds(scenario.duration)} (scenario time); the run drained and audited what had been sent; the summary covers that part.\n\n`,
      );
    }
    process.stdout.write(realRunText(scenario.name, source.targetResult!, summary) + '\n');
  }
  process.stderr.write(`${source.verdict!.text}\n`);
  const lost = lostText(source.targetResult!);
  if (lost) {
    process.stderr.write(`${lost}\n`);
    return ExitCode.eventsLost;
  }
  return ExitCode.ok;
}

/** Plain progress of a real run: a line per phase, per tenth of the load and per scaling action. */
function realProgress(source: PipelineRunSource, write: (line: string) => void): () => void {
  let phase = '';
  let decile = -1;
  let actions = 0;
  return () => {
    const s = source.snapshot(10);
    const p = s.real!.phase;
    if (p !== phase) {
      phase = p;
      if (p !== 'done' && p !== 'failed') write(`${p === 'provisioning' ? 'provisioning the embedded pipeline' : p}…`);
    }
    for (; actions < s.actions.length; actions++) write(actionLine(s.actions[actions]!));
    if (p !== 'load') return;
    const d = Math.floor(Math.min(1, s.time / s.duration) * 10);
    if (d === decile) return;
    decile = d;
    write(
      `${(d * 10).toString().padStart(3)}% ${seconds(Math.min(s.time, s.duration))}/${seconds(s.duration)} · ${s.kinesis.shards} shards` +
        ` · ${int(s.totals.offered)} offered · ${int(s.totals.accepted)} accepted · ${int(s.totals.stored)} stored`,
    );
  };
}

/** The dashboard on stderr (stdout stays free for --json), Ctrl-C left to the command. */
function renderDashboard(source: RunSource, options: { color?: boolean }) {
  return render(createElement(Dashboard, { source, color: options.color !== false && !process.env.NO_COLOR }), {
    stdout: process.stderr,
    maxFps: 15,
    incrementalRendering: false,
    exitOnCtrlC: false,
  });
}
