/**
 * `ingestlab compare <scenario> --variant label:key=value,... [--sweep key=from..to[xF|+S]]`: runs the scenario once
 * per variant (the scenario as written is `baseline`; a `variants:` section adds more), or once per variant and swept
 * value, and writes compare.md / compare.html side by side, cheapest first, with crossovers named.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { UsageError } from '../sim/errors.ts';
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
  parseSweep,
  parseVariant,
  rankingLines,
  variantsFromScenario,
} from '../reports/compare.ts';
import { chartsOf, renderHtml, renderMarkdown } from '../reports/doc.ts';
import { int, money } from '../reports/format.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { runOutcome, worstOutcome, type RunOutcome } from './outcome.ts';
import { writeRunFiles } from './run-files.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, shown, wroteLine, type RunFolder } from './run-folder.ts';
import { assertRunSize, maxRunSeconds } from './run-size.ts';
import { resolvedScenarioYaml, scenarioPathOf } from './saved-scenario.ts';
import { scenarioKey, slug } from './scenario-slug.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';

export interface CompareOptions extends ScenarioInputs {
  variant: string[];
  sweep?: string;
  out?: string;
  /** Replace --out even when it is not an ingestlab run folder. */
  force?: boolean;
  set: string[];
  quiet?: boolean;
}

export interface CompareResult {
  runs: VariantRun[];
  sweep?: { spec: SweepSpec; points: SweepPoint[] };
  files: string[];
  /** The comparison's folder. */
  dir: string;
  /** Lost events or an unbalanced audit in any run, sweep points included (exit 98). */
  outcome: RunOutcome;
}

/** The library entry point the command wraps (tests call it directly). */
export async function compareScenario(nameOrPath: string, options: CompareOptions, log: (line: string) => void = () => {}): Promise<CompareResult> {
  const path = scenarioPathOf(nameOrPath, resolveScenarioPath);
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
    // Labels name folders (variants/<label>): compared as those folder names, so `a b` and `a-b` cannot collide.
    if (seen.has(slug(v.label))) throw new UsageError(`two variants are labelled "${v.label}" (or alike); give each --variant its own label`);
    seen.add(slug(v.label));
  }

  // Before anything runs: every variant (and swept value) loads and can finish, and the output folder can be written.
  const plan = sweep ? sweep.values.flatMap((value) => variants.map((v) => ({ ...v.overrides, [sweep.key]: value }))) : variants.map((v) => v.overrides);
  let estimated = 0;
  for (const overrides of plan) {
    const loaded = await loadScenario(path, { ...base, ...overrides });
    estimated += assertRunSize(loaded.scenario, `scenario ${scenario.name}`).estimatedSeconds;
  }
  if (estimated > maxRunSeconds()) {
    throw new UsageError(`the comparison's ${plan.length} runs would take about ${Math.round(estimated)} s of computing in all (the limit is ${maxRunSeconds()} s, INGESTLAB_MAX_RUN_SECONDS); use fewer variants or swept values, a coarser --resolution or a shorter --duration`);
  }
  const folder = prepareRunFolder(options.out ?? join('reports', 'out', scenarioKey(path, BUNDLED_DIR), 'compare'), { force: Boolean(options.force) });
  try {
    return await compareInto(folder, path, scenario, variants, sweep, base, pricing, log);
  } catch (error) {
    abandonRunFolder(folder);
    throw error;
  }
}

async function compareInto(
  folder: RunFolder,
  path: string,
  scenario: Scenario,
  variants: VariantSpec[],
  sweep: SweepSpec | undefined,
  base: Record<string, unknown>,
  pricing: ReturnType<typeof pricingFrom>,
  log: (line: string) => void,
): Promise<CompareResult> {
  const outcomes: RunOutcome[] = [];

  /** Timelines of the side-by-side runs, for their per-variant files (a sweep keeps only its last point's). */
  const timelines = new Map<Summary, Timeline>();
  const resolvedScenarios = new Map<Summary, string>();
  const sweepAt = (overrides: Record<string, unknown>) => (sweep ? ` at ${sweep.key} = ${String(overrides[sweep.key])}` : '');
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
    log(`  ${label}: ${cpm === null ? '—' : money(cpm)} per million delivered events`);
    const outcome = runOutcome(summary, expectations ?? undefined, false);
    if (outcome.reason) outcomes.push({ ...outcome, reason: `${label}${sweepAt(overrides)}: ${outcome.reason}` });
    timelines.set(summary, timeline);
    resolvedScenarios.set(summary, resolvedScenarioYaml(path, { ...base, ...overrides }, shown(path)));
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

  const blocks = compareBlocks({
    scenario: scenario.name,
    description: scenario.description,
    runs,
    ...(sweep ? { sweep: { spec: sweep, points } } : {}),
    expectationsNote: runs.every((r) => r.expectations === null) ? 'The scenario has no expect: section, so "meets expectations" shows —.' : 'Expectations are the scenario\'s expect: section, evaluated on each variant\'s run.',
  });
  const files = commitRunFolder(
    folder,
    (dir) => {
      mkdirSync(join(dir, 'charts'), { recursive: true });
      const written = [join(dir, 'compare.md'), join(dir, 'compare.html')];
      writeFileSync(written[0]!, renderMarkdown(blocks));
      writeFileSync(written[1]!, renderHtml(`ingestlab comparison: ${scenario.name}`, blocks));
      for (const c of chartsOf(blocks)) writeFileSync(join(dir, 'charts', `${c.id}.svg`), c.svg + '\n');
      // Each side-by-side run's own files (summary.json, timeline.csv, report.md/html, scenario.resolved.yaml), to
      // take any variant further.
      for (const r of runs) {
        const run = { summary: r.summary, timeline: timelines.get(r.summary)!, expectations: r.expectations ?? undefined, resolvedScenario: resolvedScenarios.get(r.summary)! };
        writeRunFiles(join(dir, 'variants', slug(r.label)), run);
      }
      written.push(join(dir, 'variants'));
      return written;
    },
    { scenario: scenario.name, source: shown(path), kind: 'compare' },
  );
  return { runs, ...(sweep ? { sweep: { spec: sweep, points } } : {}), files, dir: folder.dir, outcome: worstOutcome(outcomes) };
}

export async function runCompareCommand(nameOrPath: string, options: CompareOptions): Promise<number> {
  const log = options.quiet ? () => {} : (line: string) => process.stderr.write(line + '\n');
  const result = await compareScenario(nameOrPath, options, log);
  const lines: string[] = [];
  // With a sweep, the side-by-side ranking is at the last (largest) swept value: say so.
  const last = result.sweep?.points.at(-1);
  if (result.sweep && last) lines.push(`at ${result.sweep.spec.key} = ${int(last.value)}:`);
  // Qualified variants numbered cheapest per million delivered first; disqualified ones with their reason (reports/compare.ts).
  lines.push(...rankingLines(result.runs));
  if (result.sweep) for (const c of findCrossovers(result.sweep.points, result.sweep.spec.key)) lines.push(c.text);
  lines.push(`wrote ${wroteLine(result.dir, result.files)}`);
  if (!options.quiet) process.stdout.write(lines.join('\n') + '\n');
  if (result.outcome.reason) process.stderr.write(`FAILED: ${result.outcome.reason} (exit ${result.outcome.code})\n`);
  return result.outcome.code;
}
