/**
 * `ingestlab scenario <scenario> --target embedded [--compare]`: the scenario on the real pipeline (loadgen/target-run.ts)
 * instead of the simulator, and with --compare both, side by side (loadgen/fidelity.ts). Writes target-run.json, the
 * simulator's summary.json (target set), timeline.csv and report.md/html from the real counts (loadgen/target-summary.ts),
 * and with --compare fidelity.json, to the output folder; exits 98 when an accepted event is missing after the drain.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { progressBar } from '../loadgen/progress.ts';
import { overridesFrom, positiveNumber, type ScenarioInputs } from './scenario-inputs.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, type RunFolder } from './run-folder.ts';
import { scenarioKey } from './scenario-slug.ts';
import { targetSummary } from '../loadgen/target-summary.ts';
import { writeRun, type WriteRunOptions } from '../reports/write-run.ts';
import { lostText, realRunText, targetRunFlags } from './real-run.ts';

export interface TargetRunCommandOptions extends ScenarioInputs {
  target?: string;
  compare?: boolean;
  timeScale?: string;
  sample?: string;
  retries?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** localstack: LocalStack's URL; aws: the guard rails and Firehose's role (see `pipeline up`). */
  endpoint?: string;
  confirmAws?: boolean;
  maxCostUsd?: string;
  firehoseRoleArn?: string;
}

export async function runTargetCommand(nameOrPath: string, options: TargetRunCommandOptions): Promise<number> {
  const targetFlags = targetRunFlags({ ...options, target: options.target ?? 'embedded' });
  const target = targetFlags.target;
  const path = resolveScenarioPath(nameOrPath);
  const { scenario, resolvePolicy } = await loadScenario(path, overridesFrom(options));
  const timeScale = positiveNumber('--time-scale', options.timeScale);
  const sample = positiveNumber('--sample', options.sample);
  const retries = options.retries === undefined ? undefined : Number(options.retries);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new UsageError(`--retries expects a whole number ≥ 0, got "${options.retries}"`);
  // The output folder is a safe slug of the file (never the scenario's free-text name), checked before anything runs.
  const folder: RunFolder = prepareRunFolder(options.out ?? join('reports', 'out', `${scenarioKey(path, BUNDLED_DIR)}-${target}`), { force: Boolean(options.force) });
  const { runOnEmbedded } = await import('../loadgen/target-run.ts');
  const showProgress = !options.quiet && !options.json;
  const bar = showProgress ? progressBar(process.stderr) : undefined;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await runOnEmbedded(scenario, {
      resolvePolicy,
      ...(timeScale !== undefined ? { timeScale } : {}),
      ...(sample !== undefined ? { sample } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
      ...(showProgress ? { onPhase: (phase) => (bar?.done(), process.stderr.write(`${phase}…\n`)) } : {}),
      signal: abort.signal,
      target: targetFlags,
      ...(options.quiet ? {} : { onWarning: (w: string) => process.stderr.write(`warning: ${w}\n`) }),
    });
  } catch (error) {
    abandonRunFolder(folder);
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    bar?.done();
  }
  const real = targetSummary(scenario, result);
  let compare: WriteRunOptions['compare'];
  let fidelityText = '';
  if (options.compare) {
    const { simulate } = await import('../sim/simulation.ts');
    const { fidelityOf, fidelityText: text } = await import('../loadgen/fidelity.ts');
    const { summary, timeline } = simulate(scenario, { resolvePolicy });
    const compared = fidelityOf(summary, result, real.summary);
    compare = { fidelity: compared, simTimeline: timeline };
    fidelityText = text(compared);
  }
  const files = commitRunFolder(
    folder,
    (tmp) => {
      const written = [join(tmp, 'target-run.json')];
      writeFileSync(written[0]!, `${JSON.stringify(result, null, 2)}\n`);
      // The simulator's files, from the real counts: summary.json (target set), timeline.csv, report.md/html.
      // With --compare also fidelity.json, sim-timeline.csv and the report's "Simulator vs real pipeline" section.
      written.push(...writeRun(tmp, real.summary, real.timeline, compare ? { compare } : {}));
      return written;
    },
    { kind: 'target-run', target },
  );
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (!options.quiet) process.stdout.write([realRunText(scenario.name, result), ...(fidelityText ? ['', fidelityText] : []), '', `wrote ${files.join(', ')}`].join('\n') + '\n');
  const lost = lostText(result);
  if (lost) {
    process.stderr.write(`${lost}\n`);
    return ExitCode.eventsLost;
  }
  return ExitCode.ok;
}

