/**
 * What `scenario --target`, `check --target` and `dashboard --target` share about a real run: the target flags,
 * checked before anything starts; the lines that say what the run measured; and the message for lost events.
 */
import type { TargetRunOptions, TargetRunResult } from '../loadgen/target-run.ts';
import { drainText } from '../loadgen/drain.ts';
import { awsProblems } from '../pipeline/run-pipeline.ts';
import { TARGET_NAMES } from '../pipeline/targets/index.ts';
import type { TargetName } from '../pipeline/targets/target.ts';
import { actionLine } from '../dashboard/plain-progress.ts';
import { int, money } from '../reports/format.ts';
import { UsageError } from '../sim/errors.ts';
import type { Summary } from '../sim/summary.ts';

export interface TargetFlagOptions {
  target: string;
  endpoint?: string;
  confirmAws?: boolean;
  maxCostUsd?: string;
  firehoseRoleArn?: string;
}

/** The target name, checked; a usage error names the choices. */
export function targetName(value: string): TargetName {
  if (!(TARGET_NAMES as readonly string[]).includes(value)) {
    throw new UsageError(`--target ${value}: expected sim (the simulator, the default), ${TARGET_NAMES.join(', ')}`);
  }
  return value as TargetName;
}

/** The run's target and its flags, every one checked (aws refuses naming each missing guard rail); UsageError. */
export function targetRunFlags(options: TargetFlagOptions): NonNullable<TargetRunOptions['target']> & { target: TargetName } {
  const target = targetName(options.target);
  if (options.endpoint && target !== 'localstack') throw new UsageError(`--endpoint is for --target localstack (the ${target} target has its own endpoints)`);
  const flags = {
    target,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.confirmAws ? { confirmAws: true } : {}),
    ...(options.maxCostUsd !== undefined ? { maxCostUsd: Number(options.maxCostUsd) } : {}),
    ...(options.firehoseRoleArn ? { firehoseRoleArn: options.firehoseRoleArn } : {}),
  };
  const refused = target === 'aws' ? awsProblems(flags) : [];
  if (refused.length > 0) throw new UsageError(`aws target refused:\n  ${refused.join('\n  ')}`);
  return flags;
}

/**
 * What a real run measured, in lines (the simulator's summary text reads a modelled run: simulated time, Lambda
 * concurrency, expiry in the stream, none of which a real run measures). With the run's summary, also its DynamoDB
 * and Firehose throttles, scaling actions and cost.
 */
export function realRunText(name: string, r: TargetRunResult, summary?: Summary): string {
  const e = r.events;
  const scaled = r.timeScale !== 1 || r.sample !== 1;
  const throttled = r.target === 'aws' ? 'throttles not measured (no gateway on aws: see CloudWatch)' : `${int(r.kinesis.throttledRecords)} records throttled`;
  return [
    `${name} on the ${r.target} pipeline${scaled ? ` (time scale ${r.timeScale}, sample ${+r.sample.toFixed(6)}: counts in scenario units, each sent event standing for ${+r.weight.toFixed(6)}; latencies wall-clock)` : ''}`,
    `events     offered ${int(e.offered)} · accepted ${int(e.accepted)} · rejected ${int(e.rejected)} · dropped ${int(e.dropped)} · failed ${int(e.failed)}`,
    `storage    stored ${int(e.stored)} · delivered ${int(e.delivered)} · dead-lettered ${int(e.deadLettered)} · missing ${int(e.missing)}`,
    `kinesis    ${r.kinesis.shardsInitial} → ${r.kinesis.shardsFinal} shards (max ${r.kinesis.shardsMax}), ${r.kinesis.reshards} reshards, ${throttled}` +
      (r.scaling.firstScaleUpAtSeconds !== null ? ` · first scale-up at ${Math.round(r.scaling.firstScaleUpAtSeconds)} s` : ''),
    ...(summary
      ? [`dynamodb   ${int(r.dynamodb.throttledRequests)} requests throttled · firehose ${int(r.firehose.throttledRecords)} records throttled`, ...r.scaling.actions.map((a) => actionLine(a))]
      : []),
    `latency    ingest p50 ${r.ingestLatencyMs.p50} ms · p99 ${r.ingestLatencyMs.p99} · max ${r.ingestLatencyMs.max} (load generator, from intended send time)`,
    ...(summary
      ? [`cost       ${money(summary.cost.totalUsd)} metered${summary.cost.perMillionEventsUsd !== null ? ` · ${money(summary.cost.perMillionEventsUsd)} per million delivered events` : ''}`]
      : []),
    `wall       load ${r.wallSeconds.load.toFixed(1)} s · drain ${r.wallSeconds.drain.toFixed(1)} s${r.drained || !r.drain ? '' : ` (${drainText(r.drain, r.weight)})`}`,
    ...(r.audit.problems.length ? [`audit      ${r.audit.problems.join('; ')}`] : []),
  ].join('\n');
}

/** Why the run exits 98 (accepted events missing after the drain, or an audit problem), naming which; undefined if none. */
export function lostText(r: TargetRunResult): string | undefined {
  if (r.events.missing <= 0 && r.audit.ok) return undefined;
  const where = r.audit.problems.join('; ') || `${int(r.events.missing)} accepted events missing`;
  const examples = r.audit.examples.length ? ` (e.g. ${r.audit.examples.slice(0, 3).join(', ')})` : '';
  return `lost after the drain: ${where}${examples}${r.drained ? '' : ' — the drain gave up while the processor was still behind'}`;
}
