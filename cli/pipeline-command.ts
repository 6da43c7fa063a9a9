/**
 * `ingestlab pipeline up | audit | status`: the real pipeline on the embedded target.
 *
 * `up` provisions a scenario's stream, tables, delivery stream and tenants, starts the ingest API and the processor,
 * writes the tenants' keys (mode 0600) and a state file for `audit` and `status`, and stays up until SIGINT/SIGTERM,
 * which drains and stops everything. The keys file is exactly
 * `{"apiUrl", "edgeUrl", "tenants": [{"id", "apiKey", "eventsPerSecond"}]}` (the load generator reads it).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { createAwsClients } from '../pipeline/aws-clients.ts';
import { auditPipeline, type AuditResult } from '../pipeline/audit/audit-pipeline.ts';
import { awsProblems, DEFAULT_MAX_TENANTS, startPipeline, type RunningPipeline } from '../pipeline/run-pipeline.ts';
import { EventTables } from '../pipeline/storage/event-tables.ts';
import { DEFAULT_NAMES, type PipelineNames } from '../pipeline/storage/provision.ts';
import { listAllShards } from '../pipeline/storage/stream-scan.ts';
import { EMULATOR_CREDENTIALS, type TargetName } from '../pipeline/targets/target.ts';
import { TARGET_NAMES } from '../pipeline/targets/index.ts';
import { cleanupText } from '../pipeline/cleanup-command.ts';
import { newRunId } from '../pipeline/cleanup.ts';

export const PIPELINE_DIR = 'reports/out/pipeline';
export const DEFAULT_STATE_FILE = `${PIPELINE_DIR}/state.json`;
export const DEFAULT_KEYS_FILE = `${PIPELINE_DIR}/keys.json`;

/** What `up` leaves for `audit` and `status` while it runs (removed when it stops). */
export interface PipelineState {
  pid: number;
  startedAt: string;
  scenario: string;
  target: TargetName;
  apiUrl: string;
  edgeUrl: string;
  region: string;
  names: PipelineNames;
  keysFile: string;
  tenants: number;
}

export interface UpOptions {
  scenario?: string;
  target?: string;
  port?: number;
  apiPort?: number;
  keysFile?: string;
  stateFile?: string;
  maxTenants?: number;
  tenantLimit?: string;
  /** Run the processor in a worker thread (default) or, with false, on the API's thread. */
  processorThread?: boolean;
  dataDir?: string;
  /** localstack: LocalStack's URL (default http://localhost:4566). */
  endpoint?: string;
  /** aws: the guard rails, and the role Firehose assumes (ingestlab creates no IAM role). */
  confirmAws?: boolean;
  maxCostUsd?: string | number;
  firehoseRoleArn?: string;
  region?: string;
  /**
   * The quota gateway in front of embedded and localstack (default on: AWS limits enforced, CloudWatch metrics, the
   * scenario's faults and scaling policies); `false` (`--no-gateway`) serves the raw emulators. Never on aws.
   */
  gateway?: boolean;
  /** The gateway's scenario clock: scenario seconds per wall second (`--time-scale K`, default 1). */
  timeScale?: string | number;
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Resolves when the command should drain and stop (default: SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  /** Called once everything is up (tests). */
  onUp?: (pipeline: RunningPipeline) => void;
  /** Tests only, never a flag: the aws target's calls go to this endpoint (the embedded edge) instead of AWS. */
  awsTestEndpoint?: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

const stdio = (): Io => ({ out: process.stdout, err: process.stderr });

export async function runPipelineUp(options: UpOptions, io: Io = stdio()): Promise<number> {
  const target = (options.target ?? 'embedded') as TargetName;
  if (!TARGET_NAMES.includes(target)) throw new UsageError(`--target ${target}: expected one of ${TARGET_NAMES.join(', ')}`);
  if (options.endpoint && target !== 'localstack') throw new UsageError(`--endpoint is for --target localstack (the ${target} target has its own endpoints)`);
  const targetFlags = {
    ...(options.confirmAws ? { confirmAws: true } : {}),
    ...(options.maxCostUsd !== undefined ? { maxCostUsd: Number(options.maxCostUsd) } : {}),
    ...(options.firehoseRoleArn ? { firehoseRoleArn: options.firehoseRoleArn } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  };
  // The flags first, before anything else is looked at: a refusal names every missing one.
  const refused = target === 'aws' ? awsProblems(targetFlags) : [];
  if (refused.length > 0) throw new UsageError(`aws target refused:\n  ${refused.join('\n  ')}`);
  const stateFile = resolve(options.stateFile ?? DEFAULT_STATE_FILE);
  const running = readState(stateFile);
  if (running && alive(running.pid)) {
    throw new UsageError(`a pipeline is already running (pid ${running.pid}, API ${running.apiUrl}); stop it with Ctrl-C in its terminal or \`kill ${running.pid}\``);
  }
  const tenantLimit = parseTenantLimit(options.tenantLimit);
  // The gateway is the point of the tool on the emulators (they enforce no limit); AWS enforces its own.
  const gatewayOn = target !== 'aws' && options.gateway !== false;
  const timeScale = options.timeScale === undefined ? undefined : Number(options.timeScale);
  if (timeScale !== undefined) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new UsageError(`--time-scale: expected a positive number, got ${options.timeScale}`);
    if (!gatewayOn) throw new UsageError(`--time-scale is the quota gateway's scenario clock: ${target === 'aws' ? 'the aws target has no gateway (AWS runs on the wall clock)' : 'drop --no-gateway, or --time-scale'}`);
  }
  const scenarioName = options.scenario ?? 'steady';
  const { scenario, resolvePolicy } = await loadScenario(resolveScenarioPath(scenarioName));
  const maxTenants = options.maxTenants ?? DEFAULT_MAX_TENANTS;
  if (maxTenants < 1) throw new UsageError(`--max-tenants: expected at least 1, got ${maxTenants}`);
  // On aws, the run id before anything is created: provisioning takes minutes there, and a killed process leaves what it made.
  const runId = target === 'aws' ? newRunId() : undefined;
  if (runId) io.err.write(`aws run ${runId}: provisioning; if this process is killed, remove what it made with \`npm run pipeline -- cleanup --target aws --run-id ${runId}\`\n`);

  // Listening from here: a Ctrl-C while provisioning lets provisioning finish, then drains and (on aws) removes it all;
  // a second one exits at once (Node's default, the listeners are gone).
  let starting = true;
  const stopRequested = io.until ?? signal();
  void stopRequested.then(() => {
    if (starting) io.err.write(`stopping once provisioning is done${runId ? ` (a second Ctrl-C exits now; then run the clean-up above)` : ''}\n`);
  });
  const pipeline = await startPipeline({
    ...(runId ? { awsTarget: { runId, ...(io.awsTestEndpoint ? { testEndpoint: io.awsTestEndpoint } : {}) } } : {}),
    scenario,
    target,
    ...targetFlags,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.apiPort !== undefined ? { apiPort: options.apiPort } : {}),
    ...(tenantLimit !== undefined ? { tenantLimit } : {}),
    maxTenants,
    ...(gatewayOn ? { gateway: timeScale !== undefined ? { timeScale } : true, resolvePolicy } : {}),
    // Firehose's buffer interval passes on the scenario clock too (IntervalInSeconds / K wall seconds), as scenario runs do.
    ...(timeScale !== undefined && target === 'embedded' ? { embedded: { firehose: { timeScale } } } : {}),
    ...(timeScale !== undefined && target === 'localstack' ? { localstack: { firehose: 'ours' as const, firehoseOptions: { timeScale } } } : {}),
    // The processor polls, stores and delivers on an event loop of its own, as Lambda runs apart from the API.
    processorThread: options.processorThread ?? true,
  });
  const keysFile = resolve(options.keysFile ?? DEFAULT_KEYS_FILE);
  try {
    writePrivate(keysFile, {
      apiUrl: pipeline.apiUrl,
      edgeUrl: pipeline.edgeUrl,
      tenants: pipeline.tenants.map((t) => ({ id: t.id, apiKey: t.apiKey, eventsPerSecond: t.eventsPerSecond })),
    });
    const state: PipelineState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      scenario: scenario.name,
      target,
      apiUrl: pipeline.apiUrl,
      edgeUrl: pipeline.edgeUrl,
      region: pipeline.region,
      names: pipeline.names,
      keysFile,
      tenants: pipeline.tenants.length,
    };
    writePrivate(stateFile, state);
  } catch (error) {
    await pipeline.stop();
    throw error;
  }

  const tables = await new EventTables(pipeline.aws.dynamodb, pipeline.processorOptions.tables).listEventTables();
  const capped = pipeline.scenarioTenants > pipeline.tenants.length;
  const awsRun = pipeline.target.name === 'aws' ? pipeline.target : undefined;
  for (const warning of pipeline.warnings) io.err.write(`warning: ${warning}\n`);
  io.out.write(
    [
      `pipeline up: scenario ${scenario.name}, target ${target}${awsRun ? ` (run ${awsRun.runId}, region ${pipeline.region}, simulator's estimate $${awsRun.estimateUsd.toFixed(4)})` : ''}`,
      `  ingest API  ${pipeline.apiUrl}   POST /v1/tenants/{tenantId}/events with x-api-key; GET /metrics, /healthz`,
      awsRun
        ? `  AWS         ${pipeline.region}, default credential chain; every name starts ${awsRun.prefix} and is tagged ${Object.entries(awsRun.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`
        : `  edge        ${pipeline.edgeUrl}   every AWS service on one port (aws --endpoint-url ${pipeline.edgeUrl} ...)` +
          (pipeline.target.name === 'localstack' ? `, in front of LocalStack at ${pipeline.target.upstream}` : ''),
      `  tenants     ${pipeline.tenants.length}${capped ? ` of the scenario's ${pipeline.scenarioTenants} (capped by --max-tenants ${maxTenants}; the load generator shares their keys)` : ''}, ${pipeline.tenantLimit === 'none' ? 'no per-tenant limit' : `${pipeline.tenantLimit} events/s each`}`,
      gatewayLine(pipeline, target, scenario),
      `  keys        ${keysFile} (mode 0600)`,
      `  stream      ${pipeline.names.stream} (${scenario.kinesis.shards} shards, partition key ${scenario.kinesis.partitionKey})`,
      `  tables      ${tables.sort().join(', ')} (one per ${scenario.dynamodb.tablePer} of event time)`,
      `  S3          s3://${pipeline.names.bucket}/${pipeline.names.firehosePrefix} via ${pipeline.names.deliveryStream} (buffer ${scenario.firehose.bufferSeconds} s / ${scenario.firehose.bufferMb} MB)`,
      `Ctrl-C drains (API stops accepting, the processor reads to the tip and checkpoints, Firehose flushes) and stops.`,
      ...(awsRun
        ? [`On aws it then removes everything this run created; if the process is killed instead: npm run pipeline -- cleanup --target aws --run-id ${awsRun.runId}`]
        : []),
      '',
    ].join('\n'),
  );
  io.onUp?.(pipeline as RunningPipeline); // tests: typed for the embedded target they start

  starting = false;
  await stopRequested;
  io.err.write('draining: API closed; processor reading to the tip...\n');
  try {
    await pipeline.stop();
  } finally {
    rmSync(stateFile, { force: true });
  }
  const api = pipeline.api.counters;
  const p = pipeline.processorCounters()!;
  io.out.write(
    `stopped. accepted ${api.eventsAccepted}, dropped ${api.eventsDropped}; processor read ${p.recordsRead}, stored ${p.stored}, delivered ${p.delivered}, dead-lettered ${p.deadLettered}; accepted → stored p50 ${p.endToEndMs.p50} ms, p99 ${p.endToEndMs.p99} ms\n`,
  );
  if (awsRun?.cleanup) {
    io.out.write(cleanupText(awsRun.cleanup, false));
    if (awsRun.cleanup.failed.length > 0) {
      io.err.write(`some resources of run ${awsRun.runId} were not removed: retry with \`npm run pipeline -- cleanup --target aws --run-id ${awsRun.runId}\`\n`);
      return ExitCode.failure;
    }
  }
  return ExitCode.ok;
}

/** What the quota gateway enforces in this run, or why nothing is. */
function gatewayLine(pipeline: Awaited<ReturnType<typeof startPipeline>>, target: TargetName, scenario: Scenario): string {
  const gateway = pipeline.gateway;
  if (!gateway) {
    return target === 'aws'
      ? `  gateway     none: AWS enforces its own limits`
      : `  gateway     OFF (--no-gateway): raw emulators, no AWS limit is enforced (a shard takes any number of records) and no CloudWatch metrics`;
  }
  const k = scenario.kinesis;
  const d = scenario.dynamodb;
  const policies = [
    k.autoscaler !== 'none' && k.mode === 'provisioned' ? `kinesis ${k.autoscaler.policy}` : undefined,
    d.autoscaling !== 'none' && d.mode === 'provisioned' ? `dynamodb ${d.autoscaling.policy}` : undefined,
  ].filter(Boolean);
  const faults = scenario.faults?.length ?? 0;
  return [
    `  gateway     ON, scenario clock ×${gateway.clock.timeScale} (scenario time 0 = gateway start); AWS limits enforced:`,
    `                Kinesis ${k.mode === 'on-demand' ? 'on-demand capacity' : '1 MiB/s and 1,000 records/s written, 2 MiB/s and 5 GetRecords/s read per shard'}, UpdateShardCount ${k.updateShardCountPer24h} calls/24 h, ≤2× up, ≥½ down, reshard ${k.reshardSeconds} s`,
    `                DynamoDB ${d.mode === 'on-demand' ? 'on-demand' : `${d.writeCapacity} WCU / ${d.readCapacity} RCU per table with burst credits`}; Firehose Direct PUT quotas; ${faults} fault rule${faults === 1 ? '' : 's'}`,
    `                CloudWatch metrics at ${pipeline.edgeUrl}; autoscaler: ${policies.length > 0 ? `${policies.join(', ')} (every check on the scenario clock)` : 'no policy in the scenario'}`,
  ].join('\n');
}

export interface AuditOptions {
  json?: boolean;
  api?: string;
  edge?: string;
  stateFile?: string;
  /** Seconds to let the processor and Firehose catch up before a shortfall counts (default 15). */
  settle?: string;
}

export async function runPipelineAudit(options: AuditOptions, io: Io = stdio()): Promise<number> {
  const { apiUrl, edgeUrl, region, names, target } = locate(options);
  const settleMs = Number(options.settle ?? 15) * 1000;
  if (!Number.isFinite(settleMs) || settleMs < 0) throw new UsageError(`--settle: expected seconds, got ${options.settle}`);
  const aws = clientsFor(target, region, edgeUrl);
  let result: AuditResult;
  try {
    const until = Date.now() + settleMs;
    for (;;) {
      const status = await fetchStatus(apiUrl);
      result = await auditPipeline({ aws, names, ...(status.api ? { api: status.api } : {}), ...(status.buffered !== undefined ? { firehoseBuffered: status.buffered } : {}) });
      // Events still on their way (unread, or in Firehose's buffer) are not lost: look again until the deadline.
      if (result.ok || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    aws.destroy();
  }
  io.out.write(options.json ? JSON.stringify(result, null, 2) + '\n' : auditText(result));
  return result.ok ? ExitCode.ok : ExitCode.eventsLost;
}

export function auditText(r: AuditResult): string {
  const n = (v: number | null) => (v === null ? 'n/a' : v.toLocaleString('en-US'));
  const lines = [
    `accepted (API 202)        ${n(r.accepted)}${r.dropped ? `   dropped after retries: ${n(r.dropped)}` : ''}${r.putButUnacknowledged ? `   put but unacknowledged (their request got 503): ${n(r.putButUnacknowledged)}` : ''}`,
    `in Kinesis                ${n(r.inKinesis)} records, ${n(r.inKinesisDistinct)} distinct events`,
    `stored in DynamoDB        ${n(r.stored)} distinct in ${r.tables.length} table${r.tables.length === 1 ? '' : 's'} (${r.tables.sort().join(', ') || 'none'}); stored twice: ${n(r.storedTwice)}`,
    `delivered to S3           ${n(r.delivered)} distinct (${n(r.deliveredRecords)} records)${r.missingFromS3 > 0 ? `; ${n(r.missingFromS3)} not yet (Firehose still buffers ${n(r.firehoseBuffered ?? 0)})` : ''}`,
    `dead-lettered             ${n(r.deadLettered)}`,
    r.ok ? `audit: OK, every accepted event is stored once and delivered${r.missingFromS3 > 0 ? ' (or still in Firehose\'s buffer)' : ''}` : `audit: FAILED\n  ${r.problems.join('\n  ')}${r.examples.length ? `\n  e.g. ${r.examples.join('; ')}` : ''}`,
  ];
  return lines.join('\n') + '\n';
}

export interface StatusOptions {
  json?: boolean;
  stateFile?: string;
}

export async function runPipelineStatus(options: StatusOptions, io: Io = stdio()): Promise<number> {
  const stateFile = resolve(options.stateFile ?? DEFAULT_STATE_FILE);
  const state = readState(stateFile);
  if (!state || !alive(state.pid)) {
    io.out.write(options.json ? JSON.stringify({ running: false }) + '\n' : 'no pipeline is running (start one with `npm run pipeline -- up`)\n');
    return ExitCode.ok;
  }
  const aws = clientsFor(state.target ?? 'embedded', state.region, state.edgeUrl);
  try {
    const [status, summary, shards, tables] = await Promise.all([
      fetch(`${state.apiUrl}/_ingestlab/status`).then((r) => r.json() as Promise<Record<string, any>>),
      aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: state.names.stream })),
      listAllShards(aws.kinesis, state.names.stream),
      new EventTables(aws.dynamodb, { tablePer: 'week', mode: 'on-demand', writeCapacity: 1, readCapacity: 1, createAheadSeconds: 0, retentionSeconds: 0, ...(state.names.eventTablePrefix ? { tablePrefix: state.names.eventTablePrefix } : {}) }).listEventTables(),
    ]);
    const open = shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).length;
    const report = {
      running: true,
      pid: state.pid,
      startedAt: state.startedAt,
      scenario: state.scenario,
      apiUrl: state.apiUrl,
      edgeUrl: state.edgeUrl,
      stream: { name: state.names.stream, status: summary.StreamDescriptionSummary?.StreamStatus, openShards: open, closedShards: shards.length - open },
      tables: tables.sort(),
      api: status['api'],
      processor: status['processor'],
      firehose: status['firehose'],
    };
    if (options.json) io.out.write(JSON.stringify(report, null, 2) + '\n');
    else {
      const api = report.api ?? {};
      const p = report.processor ?? {};
      io.out.write(
        [
          `pipeline running (pid ${state.pid}, since ${state.startedAt}), scenario ${state.scenario}, target ${state.target ?? 'embedded'}`,
          `  API        ${state.apiUrl}  requests ${JSON.stringify(api.requestsByStatus ?? {})}, accepted ${api.eventsAccepted}, dropped ${api.eventsDropped}, put retries ${api.putRetries}`,
          `  edge       ${state.edgeUrl}`,
          `  stream     ${state.names.stream} ${report.stream.status}: ${open} open shards, ${report.stream.closedShards} closed`,
          `  processor  read ${p.recordsRead}, stored ${p.stored}, delivered ${p.delivered}, dead-lettered ${p.deadLettered}, retries ${p.retries}, iterator age ${p.iteratorAgeMs} ms, ${p.shardsRunning} pollers`,
          `  latency    accepted → stored: p50 ${p.endToEndMs?.p50 ?? 'n/a'} ms, p95 ${p.endToEndMs?.p95 ?? 'n/a'}, p99 ${p.endToEndMs?.p99 ?? 'n/a'}, max ${p.endToEndMs?.max ?? 'n/a'}`,
          `  tables     ${report.tables.join(', ')}`,
          `  firehose   in ${report.firehose?.recordsIn ?? 'n/a'}, delivered ${report.firehose?.deliveredRecords ?? 'n/a'} in ${report.firehose?.objects ?? 'n/a'} objects`,
          '',
        ].join('\n'),
      );
    }
  } finally {
    aws.destroy();
  }
  return ExitCode.ok;
}

/** Clients for the target a pipeline runs on: its edge (embedded, localstack), or AWS itself. */
function clientsFor(target: TargetName, region: string, edgeUrl: string) {
  return target === 'aws'
    ? createAwsClients({ name: 'aws', region }, { sdkRetries: true })
    : createAwsClients({ name: target, region, endpoint: edgeUrl, credentials: { ...EMULATOR_CREDENTIALS } });
}

function locate(options: AuditOptions): { apiUrl: string; edgeUrl: string; region: string; names: PipelineNames; target: TargetName } {
  const state = readState(resolve(options.stateFile ?? DEFAULT_STATE_FILE));
  const target = state?.target ?? 'embedded';
  const apiUrl = options.api ?? state?.apiUrl;
  const edgeUrl = options.edge ?? state?.edgeUrl;
  if (!apiUrl || (!edgeUrl && target !== 'aws')) {
    throw new UsageError(`no running pipeline found (${options.stateFile ?? DEFAULT_STATE_FILE} is missing): start one with \`npm run pipeline -- up\`, or give --api URL and --edge URL`);
  }
  return { apiUrl, edgeUrl: edgeUrl ?? '', region: state?.region ?? 'us-east-1', names: state?.names ?? DEFAULT_NAMES, target };
}

async function fetchStatus(apiUrl: string): Promise<{ api?: { eventsAccepted: number; eventsUnacknowledgedInKinesis: number; eventsDropped: number }; buffered?: number }> {
  let body: Record<string, any>;
  try {
    body = (await (await fetch(`${apiUrl}/_ingestlab/status`)).json()) as Record<string, any>;
  } catch (error) {
    throw new UsageError(`cannot reach the ingest API at ${apiUrl}: ${(error as Error).message} (is \`pipeline up\` still running?)`);
  }
  const f = body['firehose'];
  return {
    api: body['api'],
    ...(f ? { buffered: Math.max(0, f.recordsIn - f.deliveredRecords - f.errorRecords - f.lostRecords) } : {}),
  };
}

function parseTenantLimit(value: string | undefined): number | 'none' | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return 'none';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--tenant-limit: expected events/s (a positive number) or none, got "${value}"`);
  return n;
}

function writePrivate(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

function readState(file: string): PipelineState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PipelineState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
