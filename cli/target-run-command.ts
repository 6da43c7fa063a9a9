/**
 * `ingestlab scenario <scenario> --target embedded [--compare]`: the scenario on the real pipeline (loadgen/target-run.ts)
 * instead of the simulator, and with --compare both, side by side (loadgen/fidelity.ts). Writes target-run.json, the
 * simulator's summary.json (target set), timeline.csv and report.md/html from the real counts (loadgen/target-summary.ts),
 * and with --compare fidelity.json, to the output folder; exits 98 when an accepted event is missing after the drain.
 */
import { drainText } from '../loadgen/drain.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DIR, loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { progressBar } from '../loadgen/progress.ts';
import { overridesFrom, positiveNumber, type ScenarioInputs } from './scenario-inputs.ts';
import { abandonRunFolder, commitRunFolder, prepareRunFolder, type RunFolder } from './run-folder.ts';
import { scenarioKey } from './scenario-slug.ts';
import { awsProblems } from '../pipeline/run-pipeline.ts';
import { TARGET_NAMES } from '../pipeline/targets/index.ts';
import { targetSummary } from '../loadgen/target-summary.ts';
import { writeRun, type WriteRunOptions } from '../reports/write-run.ts';
import { int } from '../reports/format.ts';
import type { TargetName } from '../pipeline/targets/target.ts';

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
  const target = (options.target ?? 'embedded') as TargetName;
  if (!TARGET_NAMES.includes(target)) throw new UsageError(`--target ${target}: expected sim (the simulator), ${TARGET_NAMES.join(', ')}`);
  if (options.endpoint && target !== 'localstack') throw new UsageError(`--endpoint is for --target localstack (the ${target} target has its own endpoints)`);
  const targetFlags = {
    target,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.confirmAws ? { confirmAws: true } : {}),
    ...(options.maxCostUsd !== undefined ? { maxCostUsd: Number(options.maxCostUsd) } : {}),
    ...(options.firehoseRoleArn ? { firehoseRoleArn: options.firehoseRoleArn } : {}),
  };
  const refused = target === 'aws' ? awsProblems(targetFlags) : [];
  if (refused.length > 0) throw new UsageError(`aws target refused:\n  ${refused.join('\n  ')}`);
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
  const e = result.events;
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (!options.quiet) {
    const scaled = result.timeScale !== 1 || result.sample !== 1;
    process.stdout.write(
      [
        `${scenario.name} on the ${target} pipeline${scaled ? ` (time scale ${result.timeScale}, sample ${+result.sample.toFixed(6)}: counts in scenario units, each sent event standing for ${+result.weight.toFixed(6)}; latencies wall-clock)` : ''}`,
        `events     offered ${int(e.offered)} · accepted ${int(e.accepted)} · rejected ${int(e.rejected)} · dropped ${int(e.dropped)} · failed ${int(e.failed)}`,
        `storage    stored ${int(e.stored)} · delivered ${int(e.delivered)} · dead-lettered ${int(e.deadLettered)} · missing ${int(e.missing)}`,
        `kinesis    ${result.kinesis.shardsInitial} → ${result.kinesis.shardsFinal} shards (max ${result.kinesis.shardsMax}), ${result.kinesis.reshards} reshards, ${target === 'aws' ? 'throttles not measured (no gateway on aws: see CloudWatch)' : `${int(result.kinesis.throttledRecords)} records throttled`}` +
          (result.scaling.firstScaleUpAtSeconds !== null ? ` · first scale-up at ${Math.round(result.scaling.firstScaleUpAtSeconds)} s` : ''),
        `latency    ingest p50 ${result.ingestLatencyMs.p50} ms · p99 ${result.ingestLatencyMs.p99} · max ${result.ingestLatencyMs.max} (load generator, from intended send time)`,
        `wall       load ${result.wallSeconds.load.toFixed(1)} s · drain ${result.wallSeconds.drain.toFixed(1)} s${result.drained || !result.drain ? '' : ` (${drainText(result.drain, result.weight)})`}`,
        ...(result.audit.problems.length ? [`audit      ${result.audit.problems.join('; ')}`] : []),
        ...(fidelityText ? ['', fidelityText] : []),
        '',
        `wrote ${files.join(', ')}`,
      ].join('\n') + '\n',
    );
  }
  if (e.missing > 0 || !result.audit.ok) {
    const where = result.audit.problems.join('; ') || `${int2(e.missing)} accepted events missing`;
    process.stderr.write(`lost after the drain: ${where}${result.audit.examples.length ? ` (e.g. ${result.audit.examples.slice(0, 3).join(', ')})` : ''}${result.drained ? '' : ' — the drain gave up while the processor was still behind'}\n`);
    return ExitCode.eventsLost;
  }
  return ExitCode.ok;
}

const int2 = (n: number) => Math.round(n).toLocaleString('en-US');
