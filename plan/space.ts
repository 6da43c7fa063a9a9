/**
 * The space `plan` searches: one dimension per `--vary KEY=SPEC`, their product the configurations. SPEC is a range
 * (`a..b`, `a..b:step`, `a..bxF`, parsed by compare's `--sweep` parser) or a list `v1,v2,...` of YAML scalars, so
 * modes and strategies vary as easily as numbers (`kinesis.mode=provisioned,on-demand`). Pure.
 */
import { parse as parseYaml } from 'yaml';
import { CompareSyntaxError, parseSweep } from '../reports/compare.ts';

export interface Dimension {
  /** A scenario key, as `--set` takes it. */
  readonly key: string;
  readonly values: readonly unknown[];
  /** Every value is a number (the report charts them on an axis). */
  readonly numeric: boolean;
}

/** One configuration: the varied keys and their values (the base overrides are applied separately). */
export interface PlanPoint {
  readonly id: number;
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** Spaces larger than this are refused: even successive halving runs every point once at coarse resolution. */
export const MAX_SPACE = 20_000;

export class PlanSyntaxError extends Error {
  override name = 'PlanSyntaxError';
}

/** `kinesis.shards=2..16:2`, `tenants.0.rate=5..40x2`, `kinesis.mode=provisioned,on-demand` → a dimension. */
export function parseVary(text: string): Dimension {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new PlanSyntaxError(`--vary expects KEY=SPEC (a..b, a..b:step, a..bxF or v1,v2,...), got "${text}"`);
  const key = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  if (!/^[\w.-]+$/.test(key)) throw new PlanSyntaxError(`--vary: "${key}" is not a scenario key (expected e.g. kinesis.shards)`);
  if (spec === '') throw new PlanSyntaxError(`--vary ${key}: no values; expected a..b, a..b:step, a..bxF or v1,v2,...`);
  const isRange = /^[\d.eE+-]+\.\.[\d.eE+-]+/.test(spec);
  const items = spec.split(',').map((s) => s.trim());
  const allNumbers = items.every((s) => s !== '' && Number.isFinite(Number(s)));
  if (isRange || (allNumbers && items.length > 1)) {
    try {
      const sweep = parseSweep(`${key}=${spec}`, '--vary');
      return { key, values: sweep.values, numeric: true };
    } catch (error) {
      if (error instanceof CompareSyntaxError) throw new PlanSyntaxError(error.message);
      throw error;
    }
  }
  if (items.some((s) => s === '')) throw new PlanSyntaxError(`--vary ${key}: empty value in the list "${spec}"`);
  const values = [...new Set(items)].map((s) => parseYaml(s) as unknown);
  return { key, values, numeric: values.every((v) => typeof v === 'number') };
}

/** Every combination of the dimensions' values, the first dimension varying slowest. */
export function expandSpace(dimensions: readonly Dimension[]): PlanPoint[] {
  const seen = new Set<string>();
  for (const d of dimensions) {
    if (seen.has(d.key)) throw new PlanSyntaxError(`--vary ${d.key} is given twice; put every value in one --vary`);
    seen.add(d.key);
  }
  const size = dimensions.reduce((n, d) => n * d.values.length, 1);
  if (size > MAX_SPACE) {
    throw new PlanSyntaxError(`the space has ${size.toLocaleString('en-US')} configurations (${dimensions.map((d) => d.values.length).join(' × ')}); at most ${MAX_SPACE.toLocaleString('en-US')}: use coarser steps`);
  }
  const points: PlanPoint[] = [];
  const walk = (i: number, acc: Record<string, unknown>) => {
    if (i === dimensions.length) {
      points.push({ id: points.length, overrides: { ...acc } });
      return;
    }
    const d = dimensions[i]!;
    for (const v of d.values) walk(i + 1, { ...acc, [d.key]: v });
  };
  walk(0, {});
  return points;
}

/** `kinesis.shards=4, kinesis.mode=on-demand`: how a configuration reads in tables and logs. */
export function pointLabel(overrides: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(overrides);
  if (entries.length === 0) return 'as written';
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}
