/**
 * `ingestlab loadgen <scenario> --url URL --keys-file F`: drives a scenario's traffic into a running ingest API (the
 * one `pipeline up` starts, or a deployment of your own behind API Gateway), open-model, and prints what it measured.
 * `ingestlab loadgen export-k6 <scenario>` writes the same traffic as a k6 script (loadgen/k6-export.ts).
 */
import { writeFileSync } from 'node:fs';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { ExitCode, UsageError } from '../sim/errors.ts';
import { assignCredentials, readKeysFile, type KeysFile } from '../loadgen/keys.ts';
import { progressBar } from '../loadgen/progress.ts';
import { loadReport } from '../loadgen/result.ts';
import { scenarioTenantIds, scheduleShape } from '../loadgen/schedule.ts';
import { runLoadOnWorkers } from '../loadgen/workers.ts';
import { loadReportText } from '../loadgen/report-text.ts';
import { overridesFrom, positiveNumber, type ScenarioInputs } from './scenario-inputs.ts';

/** Where `npm run pipeline -- up` writes its keys file unless told otherwise (cli/pipeline-command.ts DEFAULT_KEYS_FILE). */
export const DEFAULT_KEYS_FILE = 'reports/out/pipeline/keys.json';

export interface LoadgenOptions extends ScenarioInputs {
  url?: string;
  keysFile?: string;
  timeScale?: string;
  sample?: string;
  connections?: number;
  workers?: number;
  retries?: number;
  timeout?: string;
  drain?: string;
  idPrefix?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function runLoadgenCommand(nameOrPath: string, options: LoadgenOptions): Promise<number> {
  const path = resolveScenarioPath(nameOrPath);
  const { scenario } = await loadScenario(path, overridesFrom(options));
  const keysFile = options.keysFile ?? DEFAULT_KEYS_FILE;
  const keys: KeysFile = readKeysFile(keysFile);
  const url = options.url ?? keys.apiUrl;
  if (!url) throw new UsageError(`no --url, and the keys file ${keysFile} has no apiUrl`);
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url: not a URL: "${url}"`);
  }
  const timeScale = positiveNumber('--time-scale', options.timeScale);
  const sample = positiveNumber('--sample', options.sample);
  const timeoutSeconds = positiveNumber('--timeout', options.timeout);
  const drainSeconds = positiveNumber('--drain', options.drain);
  if (sample !== undefined && sample > 1) throw new UsageError(`--sample is the fraction of events sent, in (0, 1]; got ${sample}`);
  try {
    scheduleShape(scenario, { ...(timeScale ? { timeScale } : {}), ...(sample ? { sample } : {}) });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const ids = scenarioTenantIds(scenario);
  const { credentials, matched } = assignCredentials(ids, keys);
  const retries = options.retries ?? scenario.producer.maxRetries;
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`--retries expects a whole number ≥ 0, got ${retries}`);

  const showProgress = !options.quiet && !options.json;
  const bar = showProgress ? progressBar(process.stderr) : undefined;
  if (showProgress) {
    process.stderr.write(
      `loadgen ${scenario.name} → ${url} · ${ids.length.toLocaleString('en-US')} tenants, ${matched === ids.length ? 'each with its own key' : `${matched} with their own key, the rest sharing the keys file's ${keys.tenants.length}`}\n`,
    );
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await runLoadOnWorkers({
      url,
      scenario,
      credentials,
      retry: { maxRetries: retries, backoffBaseMs: scenario.producer.backoffBaseMs, backoffMaxMs: scenario.producer.backoffMaxMs },
      ...(timeScale !== undefined ? { timeScale } : {}),
      ...(sample !== undefined ? { sample } : {}),
      ...(options.connections !== undefined ? { connections: options.connections } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(drainSeconds !== undefined ? { drainSeconds } : {}),
      ...(options.idPrefix !== undefined ? { idPrefix: options.idPrefix } : {}),
      ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
    bar?.done();
  }
  const report = { scenario: scenario.name, seed: scenario.seed, ...loadReport(result) };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.out) writeFileSync(options.out, json);
  if (options.json) process.stdout.write(json);
  else if (!options.quiet) process.stdout.write(`${loadReportText(report)}\n${options.out ? `\nwrote ${options.out}\n` : ''}`);
  const answered = Object.values(report.statuses).reduce((a, n) => a + n, 0);
  if (answered === 0 && report.sent.requests > 0) {
    process.stderr.write(`error: no request got an answer from ${url} (${report.connectionErrors} connection errors, ${report.timeouts} timeouts)\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

export interface ExportK6Options extends ScenarioInputs {
  url?: string;
  keysFile?: string;
  timeScale?: string;
  sample?: string;
  idPrefix?: string;
}

export async function runExportK6Command(nameOrPath: string, options: ExportK6Options): Promise<number> {
  const { exportK6Script } = await import('../loadgen/k6-export.ts');
  const path = resolveScenarioPath(nameOrPath);
  const { scenario } = await loadScenario(path, overridesFrom(options));
  const keys = options.keysFile ? readKeysFile(options.keysFile) : undefined;
  const timeScale = positiveNumber('--time-scale', options.timeScale);
  const sample = positiveNumber('--sample', options.sample);
  const script = exportK6Script(scenario, {
    ...(keys ? { keys } : {}),
    ...(options.url ? { url: options.url } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    ...(sample !== undefined ? { sample } : {}),
    ...(options.idPrefix !== undefined ? { idPrefix: options.idPrefix } : {}),
  });
  process.stdout.write(script);
  return ExitCode.ok;
}
