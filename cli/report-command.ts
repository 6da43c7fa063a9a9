/** `ingestlab report <summary.json|dir>`: rebuilds report.md, charts/ and report.html from a saved run. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../sim/errors.ts';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';
import { parseTimelineCsv } from '../reports/timeline-data.ts';
import { readSavedFidelity, writeInfracostUsage, writeReport } from '../reports/write-run.ts';
import { FIDELITY_FILE, SIM_TIMELINE_FILE } from '../reports/fidelity-report.ts';
import { runOutcome } from './outcome.ts';
import { EXPECTATIONS_FILE } from './run-files.ts';
import { abandonRunFolder, commitRunFolder, copyRunData, prepareRunFolder, shown, wroteLine } from './run-folder.ts';
import { RESOLVED_SCENARIO } from './saved-scenario.ts';

export interface ReportOptions {
  out?: string;
  infracostUsage?: string;
  force?: boolean;
  quiet?: boolean;
}

export function readSavedRun(target: string): { summary: Summary; timeline: ReturnType<typeof parseTimelineCsv> | undefined; dir: string } {
  if (!existsSync(target)) throw new UsageError(`not found: ${target} (expected a summary.json or the folder of a run)`);
  const file = statSync(target).isDirectory() ? join(target, 'summary.json') : target;
  if (!existsSync(file)) throw new UsageError(`no summary.json in ${target}`);
  let summary: Summary;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof summary !== 'object' || summary === null || !summary.events || !summary.cost) throw new UsageError(`${file} does not look like an ingestlab summary.json`);
  const dir = dirname(file);
  const csv = join(dir, 'timeline.csv');
  let timeline;
  if (existsSync(csv)) {
    try {
      timeline = parseTimelineCsv(readFileSync(csv, 'utf8'));
    } catch (error) {
      throw new UsageError(`${csv}: ${(error as Error).message}`);
    }
  }
  return { summary, timeline, dir };
}

/** The expectation results the run saved (expectations.json), so the rebuilt report shows what the run's showed. */
export function readSavedExpectations(dir: string): ExpectationResult[] | undefined {
  const file = join(dir, EXPECTATIONS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(data)) throw new Error('expected a list of expectation results');
    return data as ExpectationResult[];
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export async function runReportCommand(target: string, options: ReportOptions): Promise<number> {
  const { summary, timeline, dir } = readSavedRun(target);
  const expectations = readSavedExpectations(dir);
  // A `scenario --compare` run keeps its comparison (fidelity.json, sim-timeline.csv) and its report section.
  let fidelity;
  try {
    fidelity = readSavedFidelity(dir);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // The rebuilt report replaces the folder's report files whole (no chart of an older report survives); the run's
  // data files go with it, so a report written elsewhere (--out) is a complete run folder too.
  const folder = prepareRunFolder(options.out ?? dir, { force: Boolean(options.force) });
  let files: string[];
  try {
    files = commitRunFolder(
      folder,
      (tmp) => {
        copyRunData(dir, tmp, ['summary.json', 'timeline.csv', RESOLVED_SCENARIO, EXPECTATIONS_FILE, 'target-run.json', FIDELITY_FILE, SIM_TIMELINE_FILE]);
        return writeReport(tmp, summary, timeline, { ...(expectations ? { expectations } : {}), ...(fidelity ? { fidelity } : {}) });
      },
      { scenario: summary.scenario, source: shown(dir) },
    );
  } catch (error) {
    abandonRunFolder(folder);
    throw error;
  }
  if (options.infracostUsage) files.push(writeInfracostUsage(options.infracostUsage, summary));
  if (!timeline && !options.quiet) process.stderr.write(`note: no timeline.csv beside ${target}; the charts over time are left out\n`);
  if (!options.quiet) process.stdout.write(`wrote ${wroteLine(folder.dir, files)}\n`);
  const outcome = runOutcome(summary, expectations, false);
  if (outcome.reason) process.stderr.write(`FAILED: ${outcome.reason} (exit ${outcome.code})\n`);
  return outcome.code;
}
