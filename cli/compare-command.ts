/**
 * `ingestlab compare <scenario> --variant label:key=value,... [--sweep key=from..to[xF|+S]]`: runs the scenario once
 * per variant (the scenario as written is `baseline`; a `variants:` section adds more), or once per variant and swept
 * value, and writes compare.md / compare.html side by side, cheapest first, with crossovers named.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { Simulation } from '../sim/simulation.ts';
import {
  CompareSyntaxError,
  type SweepPoint,
  type SweepSpec,
  type VariantRun,
  type VariantSpec,
  compareBlocks,
  findCrossovers,
  meetsLabel,
  parseSweep,
  parseVariant,
  rankVariants,
  variantsFromScenario,
} from '../reports/compare.ts';
import { chartsOf, renderHtml, renderMarkdown } from '../reports/doc.ts';
import { int, money } from '../reports/format.ts';
import { writeRun } from '../reports/write-run.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';

export interface CompareOptions extends ScenarioInputs {
  variant: string[];
  sweep?: string;
  out?: string;
  set: string[];
  quiet?: boolean;
}

export interface CompareResult {
  runs: VariantRun[];
  sweep?: { spec: SweepSpec; points: SweepPoint[] };
  files: string[];
}

/** The library entry point the command wraps (tests call it directly). */
export async function compareScenario(nameOrPath: string, options: CompareOptions, log: (line: string) => void = () => {}): Promise<CompareResult> {
  const path = resolveScenarioPath(nameOrPath);
  const base = overridesFrom(options);
  const pricing = pricingFrom(options);
  const { scenario } = await loadScenario(path, base);
  let variants: VariantSpec[];
  let sweep: SweepSpec | undefined;
  try {
    variants = [{ label: 'baseline', overrides: {} }, ...variantsFromScenario(scenario.variants), ...options.variant.map(parseVariant)];
    sweep = options.sweep ? parseSweep(options.sweep) : undefined;
  } catch (error) {
    if (error instanceof CompareSyntaxError) throw new UsageError(error.message);
    throw error;
  }
  const seen = new Set<string>();
  for (const v of variants) {
    if (seen.has(v.label)) throw new UsageError(`two variants are labelled "${v.label}"; give each --variant its own label`);
    seen.add(v.label);
  }

  /** Timelines of the side-by-side runs, for their per-variant files (a sweep keeps only its last point's). */
  const timelines = new Map<Summary, Timeline>();
  const runOne = async (label: string, overrides: Record<string, unknown>): Promise<VariantRun> => {
    const loaded = await loadScenario(path, { ...base, ...overrides });
    const sim = new Simulation(loaded.scenario, {
      resolvePolicy: loaded.resolvePolicy,
      ...pricing,
    });
    const { summary, timeline } = sim.run();
    const expect = loaded.scenario.expect;
    const expectations = expect.length > 0 ? evaluateExpectations(expect, summary, timeline) : null;
    const cpm = summary.cost.perMillionEventsUsd;
    log(`  ${label}: ${cpm === null ? '—' : money(cpm)} per million events`);
    timelines.set(summary, timeline);
    return { label, overrides, summary, expectations };
  };

  const runs: VariantRun[] = [];
  const points: SweepPoint[] = [];
  if (sweep) {
    for (const value of sweep.values) {
      log(`${sweep.key} = ${value}`);
      const point: SweepPoint = { value, runs: [] };
      for (const v of variants) point.runs.push(await runOne(v.label, { ...v.overrides, [sweep.key]: value }));
      points.push(point);
      if (value !== sweep.values.at(-1)) for (const r of point.runs) timelines.delete(r.summary);
    }
    // Side by side at the last (largest) swept value.
    runs.push(...points.at(-1)!.runs);
  } else {
    for (const v of variants) runs.push(await runOne(v.label, v.overrides));
  }

  const dir = options.out ?? join('reports', 'out', scenario.name, 'compare');
  const blocks = compareBlocks({
    scenario: scenario.name,
    description: scenario.description,
    runs,
    ...(sweep ? { sweep: { spec: sweep, points } } : {}),
    expectationsNote: runs.every((r) => r.expectations === null) ? 'The scenario has no expect: section, so "meets expectations" shows —.' : 'Expectations are the scenario\'s expect: section, evaluated on each variant\'s run.',
  });
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const files = [join(dir, 'compare.md'), join(dir, 'compare.html')];
  writeFileSync(files[0]!, renderMarkdown(blocks));
  writeFileSync(files[1]!, renderHtml(`ingestlab comparison: ${scenario.name}`, blocks));
  for (const c of chartsOf(blocks)) writeFileSync(join(dir, 'charts', `${c.id}.svg`), c.svg + '\n');
  // Each side-by-side run's own files (summary.json, timeline.csv, report.md/html), to take any variant further.
  for (const r of runs) {
    const variantDir = join(dir, 'variants', r.label.replace(/[^\w.-]+/g, '_'));
    writeRun(variantDir, r.summary, timelines.get(r.summary)!, r.expectations ? { expectations: r.expectations } : {});
  }
  files.push(join(dir, 'variants'));
  return { runs, ...(sweep ? { sweep: { spec: sweep, points } } : {}), files };
}

export async function runCompareCommand(nameOrPath: string, options: CompareOptions): Promise<number> {
  const log = options.quiet ? () => {} : (line: string) => process.stderr.write(line + '\n');
  const result = await compareScenario(nameOrPath, options, log);
  const lines: string[] = [];
  // With a sweep, the side-by-side ranking is at the last (largest) swept value: say so.
  const last = result.sweep?.points.at(-1);
  if (result.sweep && last) lines.push(`at ${result.sweep.spec.key} = ${int(last.value)}:`);
  rankVariants(result.runs).forEach((r, i) => {
    const s = r.summary;
    const cpm = s.cost.perMillionEventsUsd;
    lines.push(`${i + 1}. ${r.label.padEnd(14)} ${(cpm === null ? '—' : money(cpm)).padStart(8)} per million events · dropped ${int(s.events.dropped)} · rejected ${int(s.events.rejected)} · meets expectations: ${meetsLabel(r)}`);
  });
  if (result.sweep) for (const c of findCrossovers(result.sweep.points, result.sweep.spec.key)) lines.push(c.text);
  lines.push(`wrote ${result.files.join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
  return ExitCode.ok;
}
