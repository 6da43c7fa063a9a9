/** `ingestlab scenario`: load, simulate, write files, print the summary (or only JSON). */
import { join } from 'node:path';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode } from '../sim/errors.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { Simulation, type Progress } from '../sim/simulation.ts';
import { summaryText } from '../reports/summary-text.ts';
import { summaryJson, writeRun } from '../reports/write-run.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';
import { progressPrinter } from './progress.ts';

export interface ScenarioOptions extends ScenarioInputs {
  out?: string;
  set: string[];
  /** Also write an Infracost usage file here. */
  infracostUsage?: string;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
}

export async function runScenarioCommand(nameOrPath: string, options: ScenarioOptions): Promise<number> {
  const path = resolveScenarioPath(nameOrPath);
  const { scenario, resolvePolicy } = await loadScenario(path, overridesFrom(options));

  const showProgress = !options.quiet && !options.json;
  const progress = showProgress ? progressPrinter(process.stderr) : undefined;
  const sim = new Simulation(scenario, {
    resolvePolicy,
    ...pricingFrom(options),
    ...(progress ? { onProgress: (p: Progress) => progress.update(p) } : {}),
  });
  const { summary, timeline } = sim.run();
  progress?.done();

  const dir = options.out ?? join('reports', 'out', scenario.name);
  // The report shows the scenario's expect: results beside the verdict (`ingestlab check` gates on them).
  const expectations = scenario.expect.length > 0 ? evaluateExpectations(scenario.expect, summary, timeline) : undefined;
  const files = writeRun(dir, summary, timeline, {
    ...(expectations ? { expectations } : {}),
    ...(options.infracostUsage ? { infracostUsage: options.infracostUsage } : {}),
  });
  if (options.json) {
    process.stdout.write(summaryJson(summary));
  } else {
    const color = options.color && Boolean(process.stdout.isTTY);
    process.stdout.write(summaryText(summary, timeline, { color, width: Math.min(100, (process.stdout.columns ?? 84) - 14) }) + '\n');
    process.stdout.write(`\nwrote ${files.join(', ')}\n`);
  }
  return ExitCode.ok;
}
