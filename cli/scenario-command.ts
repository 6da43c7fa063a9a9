/**
 * `ingestlab scenario`: load, check the run can finish and its folder can be written, simulate, write the run folder
 * whole, print the summary (or only JSON), and exit by the run's outcome: 98 when accepted events were lost or the
 * audit does not balance (expectations are reported, but gate only in `check`).
 */
import { join } from 'node:path';
import { BUNDLED_DIR, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { Simulation, type Progress } from '../sim/simulation.ts';
import { int, seconds } from '../reports/format.ts';
import { summaryText } from '../reports/summary-text.ts';
import { summaryJson } from '../reports/write-run.ts';
import { runOutcome, type RunOutcome } from './outcome.ts';
import { progressPrinter } from './progress.ts';
import { writeRunFiles } from './run-files.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, shown, wroteLine } from './run-folder.ts';
import { assertRunSize } from './run-size.ts';
import { resolvedScenarioYaml, scenarioPathOf } from './saved-scenario.ts';
import { scenarioKey } from './scenario-slug.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';

export interface ScenarioOptions extends ScenarioInputs {
  out?: string;
  set: string[];
  /** Replace --out even when it is not an ingestlab run folder. */
  force?: boolean;
  /** Also write an Infracost usage file here. */
  infracostUsage?: string;
  json?: boolean;
  /** Print nothing but errors and, when the run fails, one line saying why. */
  quiet?: boolean;
  color: boolean;
}

/** Where a scenario's runs go unless --out says otherwise: reports/out/<key> (see scenario-slug.ts). */
export function defaultRunFolder(scenarioPath: string): string {
  return join('reports', 'out', scenarioKey(scenarioPath, BUNDLED_DIR));
}

export async function runScenarioCommand(nameOrPath: string, options: ScenarioOptions): Promise<number> {
  const path = scenarioPathOf(nameOrPath, resolveScenarioPath);
  const overrides = overridesFrom(options);
  const { scenario, resolvePolicy } = await loadScenario(path, overrides);
  const size = assertRunSize(scenario, `scenario ${scenario.name}`);
  const pricing = pricingFrom(options);
  // A long run says up front what it will take; the progress line then counts down (progress.ts).
  if (!options.quiet && !options.json && size.estimatedSeconds >= 10) {
    process.stderr.write(`simulating ${seconds(scenario.duration)} at ${seconds(scenario.resolution)} resolution (${int(size.ticks)} ticks): about ${seconds(Math.round(size.estimatedSeconds))}\n`);
  }
  const folder = prepareRunFolder(options.out ?? defaultRunFolder(path), { force: Boolean(options.force) });

  let outcome: RunOutcome;
  let files: string[];
  let run;
  try {
    const showProgress = !options.quiet && !options.json;
    const progress = showProgress ? progressPrinter(process.stderr) : undefined;
    const sim = new Simulation(scenario, {
      resolvePolicy,
      ...pricing,
      ...(progress ? { onProgress: (p: Progress) => progress.update(p) } : {}),
    });
    try {
      run = sim.run();
    } finally {
      progress?.done();
    }
    // The report shows the scenario's expect: results beside the verdict (`ingestlab check` gates on them).
    const expectations = scenario.expect.length > 0 ? evaluateExpectations(scenario.expect, run.summary, run.timeline) : undefined;
    outcome = runOutcome(run.summary, expectations, false);
    const resolvedScenario = resolvedScenarioYaml(path, overrides, shown(path));
    files = commitRunFolder(
      folder,
      (tmp) => writeRunFiles(tmp, { ...run!, expectations, resolvedScenario }, options.infracostUsage ? { infracostUsage: options.infracostUsage } : {}),
      { scenario: scenario.name, source: shown(path) },
    );
  } catch (error) {
    abandonRunFolder(folder);
    throw error;
  }

  if (options.json) {
    process.stdout.write(summaryJson(run.summary));
  } else if (!options.quiet) {
    const color = options.color && Boolean(process.stdout.isTTY);
    process.stdout.write(summaryText(run.summary, run.timeline, { color, width: Math.min(100, (process.stdout.columns ?? 84) - 14) }) + '\n');
    process.stdout.write(`\nwrote ${wroteLine(folder.dir, files)}\n`);
  }
  if (outcome.reason) process.stderr.write(`FAILED: ${outcome.reason} (exit ${outcome.code})\n`);
  return outcome.code;
}
