/** `ingestlab scenario`: load, simulate, write files, print the summary (or only JSON). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { mergePriceTables, parsePriceEntries } from '../sim/pricing/cost-meter.ts';
import { PRICE_TABLE, type PriceEntry } from '../sim/pricing/price-table.ts';
import { Simulation, type Progress } from '../sim/simulation.ts';
import { summaryText } from '../reports/summary-text.ts';
import { summaryJson, writeRun } from '../reports/write-run.ts';
import { parseOverrides } from './overrides.ts';
import { progressPrinter } from './progress.ts';

export interface ScenarioOptions {
  out?: string;
  seed?: number;
  duration?: string;
  resolution?: string;
  set: string[];
  prices?: string;
  priceDate?: string;
  /** Also write an Infracost usage file here. */
  infracostUsage?: string;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
}

export async function runScenarioCommand(nameOrPath: string, options: ScenarioOptions): Promise<number> {
  const path = resolveScenarioPath(nameOrPath);
  const overrides = parseOverrides(options.set);
  if (options.seed !== undefined) overrides.seed = options.seed;
  if (options.duration !== undefined) overrides.duration = options.duration;
  if (options.resolution !== undefined) overrides.resolution = options.resolution;
  const { scenario, resolvePolicy } = await loadScenario(path, overrides);
  const prices = options.prices ? loadPrices(options.prices) : undefined;

  const showProgress = !options.quiet && !options.json;
  const progress = showProgress ? progressPrinter(process.stderr) : undefined;
  const sim = new Simulation(scenario, {
    resolvePolicy,
    ...(prices ? { prices } : {}),
    ...(options.priceDate ? { priceDate: options.priceDate } : {}),
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

function loadPrices(file: string): PriceEntry[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read price file ${file}: ${(error as Error).message}`);
  }
  return mergePriceTables(PRICE_TABLE, parsePriceEntries(data, file));
}
