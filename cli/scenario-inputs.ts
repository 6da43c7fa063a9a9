/**
 * The flags every command that runs a scenario shares (--seed, --duration, --resolution, --set, --prices,
 * --price-date), declared once and turned into loader overrides and a price table in one place.
 */
import { readFileSync } from 'node:fs';
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

// The flag declarations live in flags.ts (commander only, so --help stays fast); re-exported for older imports.
export { collect, integer, withScenarioInputs } from './flags.ts';

/** Loader overrides from --set and the shorthand flags. */
export function overridesFrom(inputs: ScenarioInputs): Record<string, unknown> {
  const overrides = parseOverrides(inputs.set ?? []);
  if (inputs.seed !== undefined) overrides.seed = inputs.seed;
  if (inputs.duration !== undefined) overrides.duration = inputs.duration;
  if (inputs.resolution !== undefined) overrides.resolution = inputs.resolution;
  return overrides;
}

/** A flag that must be a positive, finite number (--time-scale, --sample, --timeout, …); undefined when not given. */
export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} expects a positive number, got "${value}"`);
  return n;
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
