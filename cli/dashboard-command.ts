/**
 * `ingestlab dashboard` (and `scenario --dashboard`): watch a run live in the terminal. On a terminal it renders the
 * ink dashboard on stderr and prints the summary on stdout when the user quits; without one (CI, pipes) it runs
 * to the end with plain progress lines, then prints the same summary.
 */
import { render } from 'ink';
import { createElement } from 'react';
import { Dashboard } from '../dashboard/Dashboard.tsx';
import { plainProgress } from '../dashboard/plain-progress.ts';
import type { RunOutcome } from '../dashboard/run-source.ts';
import { MAX_SPEED, MIN_SPEED, SimRunSource } from '../dashboard/sim-run-source.ts';
import { seconds } from '../reports/format.ts';
import { summaryText } from '../reports/summary-text.ts';
import { summaryJson } from '../reports/write-run.ts';
import { loadScenario, resolveScenarioPath, type PolicyResolver } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
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
  color?: boolean;
  /** Print summary.json instead of the readable summary. */
  json?: boolean;
  /** Write the run folder when the run completes (`scenario --dashboard`). */
  writeFiles?: boolean;
  out?: string;
  force?: boolean;
}

export const DEFAULT_SPEED = 60;
export const TARGETS = ['sim'] as const;
const PLANNED_TARGETS = ['embedded', 'localstack', 'aws'];

/** Checks `--target` and `--speed`; every problem in one UsageError. */
export function validateDashboardOptions(options: Pick<DashboardOptions, 'speed' | 'target'>): { speed: number } {
  const problems: string[] = [];
  const target = options.target ?? 'sim';
  if (target !== 'sim') {
    problems.push(
      PLANNED_TARGETS.includes(target)
        ? `--target ${target}: the dashboard watches simulator runs only (its live view of a real pipeline is not built yet); run it on the real pipeline with npm run scenario -- <name> --target ${target}`
        : `--target expects sim, got "${target}" (real-pipeline runs: npm run scenario -- <name> --target ${PLANNED_TARGETS.join('|')})`,
    );
  }
  const speed = options.speed === undefined ? DEFAULT_SPEED : Number(options.speed);
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    problems.push(`--speed expects simulated seconds per wall second between ${MIN_SPEED} and ${MAX_SPEED}, e.g. 60 or 600, got "${options.speed}"`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n       '));
  return { speed };
}

/** True when the dashboard can take the terminal: a TTY for output and for keys, and not in CI. */
export function interactive(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return Boolean(process.stderr.isTTY && process.stdin.isTTY) && !ci;
}

export async function runDashboardCommand(nameOrPath: string, options: DashboardOptions): Promise<number> {
  const { speed } = validateDashboardOptions(options);
  const path = scenarioPathOf(nameOrPath, resolveScenarioPath);
  const overrides = overridesFrom(options);
  const { scenario, resolvePolicy } = await loadScenario(path, overrides);
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
    const app = render(createElement(Dashboard, { source, color: options.color !== false && !process.env.NO_COLOR }), {
      stdout: process.stderr,
      maxFps: 15,
      incrementalRendering: false,
      exitOnCtrlC: false,
    });
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
