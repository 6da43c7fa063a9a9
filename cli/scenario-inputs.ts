/**
 * The flags every command that runs a scenario shares (--seed, --duration, --resolution, --set, --prices,
 * --price-date), declared once and turned into loader overrides and a price table in one place.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../sim/errors.ts';
import { mergePriceTables, parsePriceEntries } from '../sim/pricing/cost-meter.ts';
import { PRICE_TABLE, type PriceEntry } from '../sim/pricing/price-table.ts';
import { parseOverrides } from './overrides.ts';

export interface ScenarioInputs {
  seed?: number;
  duration?: string;
  resolution?: string;
  set?: string[];
  prices?: string;
  priceDate?: string;
}

export const collect = (value: string, previous: string[]) => [...previous, value];

export const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

/** Adds the shared flags to a command; `what` words the --set help ("every variant", …). */
export function withScenarioInputs(command: Command, what = 'any scenario key'): Command {
  return command
    .option('--seed <n>', 'override the scenario seed', integer)
    .option('--duration <d>', 'override the duration, e.g. 2h or 7d')
    .option('--resolution <d>', 'override the tick, e.g. 1s or 10s (long runs and sweeps go faster)')
    .option('--set <key=value>', `override ${what}, e.g. kinesis.shards=8 (repeatable)`, collect, [])
    .option('--prices <file>', 'YAML or JSON price entries that override the bundled price table')
    .option('--price-date <date>', 'bill with the prices in force on this date (YYYY-MM-DD)');
}

/** Loader overrides from --set and the shorthand flags. */
export function overridesFrom(inputs: ScenarioInputs): Record<string, unknown> {
  const overrides = parseOverrides(inputs.set ?? []);
  if (inputs.seed !== undefined) overrides.seed = inputs.seed;
  if (inputs.duration !== undefined) overrides.duration = inputs.duration;
  if (inputs.resolution !== undefined) overrides.resolution = inputs.resolution;
  return overrides;
}

/** Simulation pricing options from --prices and --price-date. */
export function pricingFrom(inputs: ScenarioInputs): { prices?: PriceEntry[]; priceDate?: string } {
  return {
    ...(inputs.prices ? { prices: loadPrices(inputs.prices) } : {}),
    ...(inputs.priceDate ? { priceDate: inputs.priceDate } : {}),
  };
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
