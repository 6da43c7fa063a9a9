/**
 * `ingestlab plan <scenario> --vary KEY=SPEC ... [--budget N] [--objective cost|lag] [--json]`: searches the space
 * for the best configuration whose expectations all pass and that loses nothing (plan/search.ts), on worker threads
 * (plan/runner.ts), and writes best.yaml (the winner as a runnable scenario), plan.md and plan.html.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { bestYaml } from '../plan/best-yaml.ts';
import { createPlanRunner } from '../plan/runner.ts';
import { searchPlan, PlanBudgetError, type Objective, type PlanOutcome } from '../plan/search.ts';
import { expandSpace, parseVary, pointLabel, PlanSyntaxError, type Dimension } from '../plan/space.ts';
import { chartsOf, renderHtml, renderMarkdown } from '../reports/doc.ts';
import { planBlocks, planJson, planText, type PlanReportInput } from '../reports/plan-report.ts';
import { BUNDLED_DIR, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, ScenarioError, UsageError, type ScenarioProblem } from '../sim/errors.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, shown, type RunFolder } from './run-folder.ts';
import { scenarioKey } from './scenario-slug.ts';
import { overridesFrom, pricingFrom, type ScenarioInputs } from './scenario-inputs.ts';

export interface PlanOptions extends ScenarioInputs {
  vary: string[];
  /** Full-run equivalents (a number, or its text from the command line). */
  budget?: number | string;
  objective?: string;
  json?: boolean;
  out?: string;
  jobs?: number;
  quiet?: boolean;
  /** Replace --out even when it is not an ingestlab run folder. */
  force?: boolean;
  /** Show a live run counter on stderr (the command turns it on for a terminal). */
  progress?: boolean;
}

export interface PlanResult {
  readonly report: PlanReportInput;
  readonly outcome: PlanOutcome;
  readonly files: string[];
}

/** Full-run equivalents a plan may spend unless --budget says otherwise: the grid up to 64 configurations. */
export const DEFAULT_BUDGET = 64;

/** The library entry point the command wraps (tests and the bench call it directly). */
export async function planScenario(nameOrPath: string, options: PlanOptions, log: (line: string) => void = () => {}): Promise<PlanResult> {
  const path = resolveScenarioPath(nameOrPath);
  const base = overridesFrom(options);
  const pricing = pricingFrom(options);
  const objective = (options.objective ?? 'cost') as Objective;
  if (objective !== 'cost' && objective !== 'lag') throw new UsageError(`--objective expects cost or lag, got "${options.objective}"`);
  const budget = options.budget === undefined ? DEFAULT_BUDGET : Number(options.budget);
  if (!(Number.isFinite(budget) && budget >= 1)) throw new UsageError(`--budget expects a number of full runs of at least 1, got "${options.budget}"`);
  const threads = options.jobs ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--jobs expects a whole number of at least 1, got ${threads}`);
  if (options.vary.length === 0) throw new UsageError('plan needs at least one --vary KEY=SPEC, e.g. --vary kinesis.shards=2..16');

  let dimensions: Dimension[];
  try {
    dimensions = options.vary.map(parseVary);
    expandSpace(dimensions.map((d) => ({ ...d, values: d.values.slice(0, 1) })));
  } catch (error) {
    if (error instanceof PlanSyntaxError) throw new UsageError(error.message);
    throw error;
  }
  for (const d of dimensions) {
    if (d.key === 'resolution' || d.key === 'duration') {
      throw new UsageError(`--vary ${d.key}: plan chooses the tick of each round and compares runs of one length; set it for every run with --${d.key}`);
    }
  }
  const { scenario } = await loadScenario(path, base);
  // Every value on its own must make a valid scenario, so a misspelt key or a wrong type stops here, with positions.
  const problems: ScenarioProblem[] = [];
  for (const d of dimensions) {
    for (const value of d.values) {
      try {
        await loadScenario(path, { ...base, [d.key]: value });
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, message: `${p.message} (--vary ${d.key}=${JSON.stringify(value)})` })));
        break;
      }
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  let points;
  try {
    points = expandSpace(dimensions);
  } catch (error) {
    if (error instanceof PlanSyntaxError) throw new UsageError(error.message);
    throw error;
  }

  // On a terminal, a counter of the round's runs (rewritten in place); piped output gets only the round lines.
  const live = options.progress ?? false;
  let batch = 0;
  let done = 0;
  const runner = createPlanRunner({
    path,
    base,
    threads: Math.min(threads, points.length),
    ...pricing,
    onRun: () => {
      done++;
      if (live) process.stderr.write(`\r  ${done}/${batch} runs${done === batch ? '\n' : ''}`);
    },
  });
  const evaluate: typeof runner.evaluate = (batchPoints, resolution) => {
    batch = batchPoints.length;
    done = 0;
    return runner.evaluate(batchPoints, resolution);
  };
  // The output folder is checked (and its temporary twin made) before anything runs, as `scenario` and `compare` do.
  let folder: RunFolder;
  try {
    folder = prepareRunFolder(options.out ?? join('reports', 'out', scenarioKey(path, BUNDLED_DIR), 'plan'), { force: Boolean(options.force) });
  } catch (error) {
    await runner.close();
    throw error;
  }
  const started = performance.now();
  let outcome: PlanOutcome;
  try {
    outcome = await searchPlan(points, { duration: scenario.duration, resolution: scenario.resolution, budget, objective }, evaluate, log);
  } catch (error) {
    abandonRunFolder(folder);
    if (error instanceof PlanBudgetError) throw new UsageError(error.message);
    throw error;
  } finally {
    await runner.close();
  }
  const wallSeconds = (performance.now() - started) / 1000;

  const dir = folder.dir;
  const baseText = (options.set ?? []).concat(
    options.duration ? [`--duration ${options.duration}`] : [],
    options.resolution ? [`--resolution ${options.resolution}`] : [],
    options.seed !== undefined ? [`--seed ${options.seed}`] : [],
  );
  const report: PlanReportInput = {
    scenario: scenario.name,
    description: scenario.description,
    dimensions,
    outcome,
    budget,
    base: baseText,
    wallSeconds,
    threads: Math.min(threads, points.length),
    ...(outcome.winner ? { bestFile: shown(join(dir, 'best.yaml')) } : {}),
  };
  const blocks = planBlocks(report);
  const files = commitRunFolder(
    folder,
    (tmp) => {
      mkdirSync(join(tmp, 'charts'), { recursive: true });
      const written: string[] = [];
      if (outcome.winner) {
        const winner = points[outcome.winner.id]!.overrides;
        const text = bestYaml({
          text: readFileSync(path, 'utf8'),
          scenarioDir: dirname(path),
          // Paths in best.yaml are relative to where it ends up, not to the temporary folder it is written in.
          outDir: dir,
          overrides: { ...base, ...winner },
          name: `${scenario.name}-best`,
          header: `Written by \`ingestlab plan\` from ${shown(path)}: the ${objective === 'cost' ? 'cheapest' : 'least-lag'} configuration whose expectations all pass\nand that loses nothing, among ${points.length} (${dimensions.map((d) => d.key).join(', ')}).\nSet: ${pointLabel({ ...base, ...winner })}.`,
        });
        written.push(join(tmp, 'best.yaml'));
        writeFileSync(written.at(-1)!, text);
      }
      written.push(join(tmp, 'plan.md'), join(tmp, 'plan.html'));
      writeFileSync(join(tmp, 'plan.md'), renderMarkdown(blocks));
      writeFileSync(join(tmp, 'plan.html'), renderHtml(`ingestlab plan: ${scenario.name}`, blocks));
      for (const c of chartsOf(blocks)) writeFileSync(join(tmp, 'charts', `${c.id}.svg`), c.svg + '\n');
      return written;
    },
    { scenario: scenario.name, source: shown(path), kind: 'plan' },
  ).map((f) => relative(process.cwd(), f).startsWith('..') ? f : relative(process.cwd(), f));
  return { report, outcome, files };
}

export async function runPlanCommand(nameOrPath: string, options: PlanOptions): Promise<number> {
  const log = options.quiet || options.json ? () => {} : (line: string) => process.stderr.write(line + '\n');
  const result = await planScenario(nameOrPath, { ...options, progress: !options.quiet && !options.json && Boolean(process.stderr.isTTY) }, log);
  if (options.json) process.stdout.write(JSON.stringify(planJson({ ...result.report, files: result.files }), null, 2) + '\n');
  else process.stdout.write(planText(result.report) + `wrote ${result.files.join(', ')}\n`);
  return result.outcome.winner ? ExitCode.ok : ExitCode.expectationsFailed;
}
